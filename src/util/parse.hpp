#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <utility>

namespace lensfs {

/// Strict unsigned decimal: digits only, no sign, no spaces, no overflow.
std::optional<std::uint64_t> parse_u64(std::string_view text);

/// Strict signed decimal (an optional leading '-').
std::optional<std::int64_t> parse_i64(std::string_view text);

/// Strips spaces, tabs and newlines from both ends.
std::string_view trim(std::string_view text);

/// Splits at the first @p sep; the second part is empty when @p sep is absent.
std::pair<std::string_view, std::string_view> split_first(std::string_view text, char sep);

/// Takes @p out.size() space-separated unsigned numbers off the front of @p rest (advancing it
/// past them); false when one is missing or not a number (the rest of @p out is then 0).
bool take_u64_words(std::string_view& rest, std::span<std::uint64_t> out);

/// Splits off the first whitespace-separated word; returns it and advances @p rest past it.
std::string_view next_word(std::string_view& rest);

/// Calls @p fn(line) for each line of @p text, without the newline. A last line without
/// a newline is included; an empty trailing remainder is not.
template <typename Fn> void for_each_line(std::string_view text, Fn&& fn) {
    while (!text.empty()) {
        auto nl = text.find('\n');
        std::string_view line = text.substr(0, nl);
        fn(line);
        if (nl == std::string_view::npos) {
            break;
        }
        text.remove_prefix(nl + 1);
    }
}

/// Parses a "key value" line (one space or tab between, as in memory.stat and cpu.stat).
/// Returns false when the line does not have that shape or the value is not a u64.
bool parse_key_u64(std::string_view line, std::string_view& key, std::uint64_t& value);

} // namespace lensfs
