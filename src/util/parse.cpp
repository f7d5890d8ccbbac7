#include "util/parse.hpp"

#include <limits>

namespace lensfs {

std::optional<std::uint64_t> parse_u64(std::string_view text) {
    if (text.empty() || text.size() > 20) {
        return std::nullopt;
    }
    std::uint64_t value = 0;
    for (char c : text) {
        if (c < '0' || c > '9') {
            return std::nullopt;
        }
        auto digit = static_cast<std::uint64_t>(c - '0');
        if (value > (std::numeric_limits<std::uint64_t>::max() - digit) / 10) {
            return std::nullopt;
        }
        value = value * 10 + digit;
    }
    return value;
}

std::optional<std::int64_t> parse_i64(std::string_view text) {
    bool negative = !text.empty() && text.front() == '-';
    if (negative) {
        text.remove_prefix(1);
    }
    auto magnitude = parse_u64(text);
    if (!magnitude) {
        return std::nullopt;
    }
    constexpr auto kMax = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
    if (negative) {
        if (*magnitude > kMax + 1) {
            return std::nullopt;
        }
        return static_cast<std::int64_t>(0 - *magnitude);
    }
    if (*magnitude > kMax) {
        return std::nullopt;
    }
    return static_cast<std::int64_t>(*magnitude);
}

namespace {
bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}
} // namespace

std::string_view trim(std::string_view text) {
    while (!text.empty() && is_space(text.front())) {
        text.remove_prefix(1);
    }
    while (!text.empty() && is_space(text.back())) {
        text.remove_suffix(1);
    }
    return text;
}

std::pair<std::string_view, std::string_view> split_first(std::string_view text, char sep) {
    auto pos = text.find(sep);
    if (pos == std::string_view::npos) {
        return {text, {}};
    }
    return {text.substr(0, pos), text.substr(pos + 1)};
}

bool take_u64_words(std::string_view& rest, std::span<std::uint64_t> out) {
    bool ok = true;
    for (auto& v : out) {
        auto [word, after] = split_first(rest, ' ');
        auto parsed = parse_u64(word);
        ok = ok && parsed.has_value();
        v = parsed.value_or(0);
        rest = after;
    }
    return ok;
}

std::string_view next_word(std::string_view& rest) {
    std::size_t i = 0;
    while (i < rest.size() && is_space(rest[i])) {
        ++i;
    }
    std::size_t start = i;
    while (i < rest.size() && !is_space(rest[i])) {
        ++i;
    }
    std::string_view word = rest.substr(start, i - start);
    rest.remove_prefix(i);
    return word;
}

bool parse_key_u64(std::string_view line, std::string_view& key, std::uint64_t& value) {
    std::string_view rest = line;
    key = next_word(rest);
    std::string_view number = next_word(rest);
    if (key.empty() || !trim(rest).empty()) {
        return false;
    }
    auto parsed = parse_u64(number);
    if (!parsed) {
        return false;
    }
    value = *parsed;
    return true;
}

} // namespace lensfs
