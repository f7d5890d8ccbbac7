#include "protocol/json_fields.hpp"

#include <limits>

#include <fmt/format.h>

#include "protocol/protocol.hpp"
#include "util/json_depth.hpp"

namespace lensfs::protocol_detail {

namespace {

bool is_blank(std::string_view line) {
    return line.find_first_not_of(" \t\r\n") == std::string_view::npos;
}

ProtocolError line_error(ErrorCode code, std::string message) {
    return ProtocolError{code, std::move(message), std::nullopt};
}

} // namespace

Decoded<json> parse_line(std::string_view line, std::size_t max_bytes) {
    if (max_bytes != 0 && line.size() > max_bytes) {
        return line_error(ErrorCode::too_large,
                          fmt::format("line is longer than {} bytes", max_bytes));
    }
    if (line.find('\0') != std::string_view::npos) {
        return line_error(ErrorCode::bad_json, "line contains a NUL byte");
    }
    if (is_blank(line)) {
        return line_error(ErrorCode::bad_json, "line is empty");
    }
    if (json_nests_deeper_than(line, kMaxNestingDepth)) {
        return line_error(ErrorCode::too_large,
                          fmt::format("line nests deeper than {} levels", kMaxNestingDepth));
    }
    json doc = json::parse(line.begin(), line.end(), nullptr, false);
    if (doc.is_discarded()) {
        return line_error(ErrorCode::bad_json, is_valid_utf8(line) ? "line is not valid JSON"
                                                                   : "line is not valid UTF-8");
    }
    return doc;
}

std::string Fields::name(std::string_view key) const {
    return quoted_excerpt(prefix_ + std::string(key));
}

std::string Fields::member_name(std::string_view key, std::string_view member) const {
    return quoted_excerpt(fmt::format("{}{}.{}", prefix_, key, member));
}

void Fields::fail(ErrorCode code, std::string message) {
    if (!error_) {
        error_ = ProtocolError{code, std::move(message), std::nullopt};
    }
}

void Fields::adopt(const Fields& inner) {
    if (inner.error_) {
        fail(inner.error_->code, inner.error_->message);
    }
}

void Fields::check(const Status& status) {
    if (!status) {
        fail(status.error().code == E2BIG ? ErrorCode::too_large : ErrorCode::invalid_value,
             status.error().context);
    }
}

const json* Fields::find(const char* key, Need need, bool (json::*is_kind)() const noexcept,
                         std::string_view kind) {
    if (failed()) {
        return nullptr;
    }
    auto it = object_.find(key);
    if (it == object_.end() || it->is_null()) {
        if (need == Need::required) {
            fail(ErrorCode::missing_field, fmt::format("missing field {}", name(key)));
        }
        return nullptr;
    }
    if (!((*it).*is_kind)()) {
        fail(ErrorCode::wrong_type,
             fmt::format("field {} must be {}, not {}", name(key), kind, it->type_name()));
        return nullptr;
    }
    return &*it;
}

template <typename T>
std::optional<T> Fields::typed(const char* key, Need need, bool (json::*is)() const noexcept,
                               const char* what) {
    const json* v = find(key, need, is, what);
    if (v == nullptr) {
        return std::nullopt;
    }
    return v->get<T>();
}

std::optional<std::string> Fields::text(const char* key, Need need) {
    return typed<std::string>(key, need, &json::is_string, "a string");
}

std::optional<bool> Fields::flag(const char* key, Need need) {
    return typed<bool>(key, need, &json::is_boolean, "true or false");
}

std::optional<std::int64_t> Fields::integer(const char* key, Need need, std::int64_t low,
                                            std::int64_t high) {
    const json* v = find(key, need, &json::is_number, "an integer");
    if (v == nullptr) {
        return std::nullopt;
    }
    bool in_range = false;
    if (v->is_number_unsigned()) {
        auto u = v->get<std::uint64_t>();
        in_range = u <= static_cast<std::uint64_t>(high) &&
                   (low <= 0 || u >= static_cast<std::uint64_t>(low));
    } else if (v->is_number_integer()) {
        in_range = v->get<std::int64_t>() >= low && v->get<std::int64_t>() <= high;
    }
    if (!in_range) {
        fail(ErrorCode::invalid_value,
             fmt::format("field {} must be an integer from {} to {}", name(key), low, high));
        return std::nullopt;
    }
    return v->get<std::int64_t>();
}

std::optional<std::uint64_t> Fields::count(const char* key, Need need) {
    const json* v = find(key, need, &json::is_number, "an integer");
    if (v == nullptr) {
        return std::nullopt;
    }
    if (!v->is_number_unsigned()) {
        fail(ErrorCode::invalid_value,
             fmt::format("field {} must be a non-negative integer", name(key)));
        return std::nullopt;
    }
    return v->get<std::uint64_t>();
}

std::optional<double> Fields::seconds(const char* key, Need need) {
    const json* v = find(key, need, &json::is_number, "a number");
    if (v == nullptr) {
        return std::nullopt;
    }
    auto value = v->get<double>();
    if (Status st = validate_time(prefix_ + key, value); !st) {
        fail(ErrorCode::invalid_value, fmt::format("field {} must be a finite, non-negative "
                                                   "number of seconds",
                                                   name(key)));
        return std::nullopt;
    }
    return value;
}

const json* Fields::object(const char* key, Need need) {
    return find(key, need, &json::is_object, "an object");
}

const json* Fields::array(const char* key, Need need) {
    return find(key, need, &json::is_array, "an array");
}

std::optional<std::map<std::string, std::string>> Fields::string_map(const char* key, Need need) {
    const json* v = object(key, need);
    if (v == nullptr) {
        return std::nullopt;
    }
    std::map<std::string, std::string> out;
    for (const auto& item : v->items()) {
        if (!item.value().is_string()) {
            fail(ErrorCode::wrong_type,
                 fmt::format("field {} must be a string, not {}", member_name(key, item.key()),
                             item.value().type_name()));
            return std::nullopt;
        }
        out.emplace(item.key(), item.value().get<std::string>());
    }
    return out;
}

std::optional<std::map<std::string, std::uint64_t>> Fields::count_map(const char* key, Need need) {
    const json* v = object(key, need);
    if (v == nullptr) {
        return std::nullopt;
    }
    std::map<std::string, std::uint64_t> out;
    for (const auto& item : v->items()) {
        if (!item.value().is_number_unsigned()) {
            fail(item.value().is_number() ? ErrorCode::invalid_value : ErrorCode::wrong_type,
                 fmt::format("field {} must be a non-negative integer",
                             member_name(key, item.key())));
            return std::nullopt;
        }
        out.emplace(item.key(), item.value().get<std::uint64_t>());
    }
    return out;
}

} // namespace lensfs::protocol_detail
