#pragma once

// Private to the protocol module: checked access to the fields of a parsed JSON object, so
// every decoder reports missing, wrong-typed and invalid fields the same way.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "protocol/messages.hpp"
#include "util/boundary.hpp"

namespace lensfs::protocol_detail {

using nlohmann::json;

/// The line parsed as JSON, after the size, NUL and nesting checks (@p max_bytes 0: no size
/// limit). Never throws; parse failures come back as bad_json / too_large.
Decoded<json> parse_line(std::string_view line, std::size_t max_bytes);

enum class Need { required, optional };

/// Reads fields of one object. After the first failure every read returns nothing and the
/// failure is kept, so a decoder reads all its fields and checks failed() once.
/// Parses @p line (at most @p max_bytes, 0: no limit) and decodes the object with
/// @p decode_object; not_object when it is no JSON object (the message names it as @p what:
/// "request", "response"); anything thrown (allocations) becomes an internal ProtocolError. The
/// fallbacks fit in std::string's inline buffer, so building them cannot throw in turn.
template <typename T, typename DecodeObject>
Decoded<T> decode_line(std::string_view line, std::size_t max_bytes, const char* what,
                       DecodeObject&& decode_object) noexcept {
    return at_boundary(
        [&]() -> Decoded<T> {
            auto doc = parse_line(line, max_bytes);
            if (!doc) {
                return std::move(doc).error();
            }
            if (!doc->is_object()) {
                return ProtocolError{
                    ErrorCode::not_object,
                    fmt::format("{} must be a JSON object, not {}", what, doc->type_name()),
                    std::nullopt};
            }
            return decode_object(*doc);
        },
        [](const Error& e) -> Decoded<T> {
            return ProtocolError{ErrorCode::internal,
                                 e.code == ENOMEM ? "out of memory" : "decode failed",
                                 std::nullopt};
        });
}

class Fields {
public:
    /// @p prefix names the object in messages, e.g. "start_time." gives 'start_time.wall'.
    Fields(const json& object, std::string prefix) : object_(object), prefix_(std::move(prefix)) {}

    std::optional<std::string> text(const char* key, Need need);
    std::optional<bool> flag(const char* key, Need need);
    std::optional<std::int64_t> integer(const char* key, Need need, std::int64_t low,
                                        std::int64_t high);
    std::optional<std::uint64_t> count(const char* key, Need need);
    /// A finite, non-negative number of seconds.
    std::optional<double> seconds(const char* key, Need need);
    /// A nested object, or nullptr.
    const json* object(const char* key, Need need);
    const json* array(const char* key, Need need);
    /// An object whose values are all strings.
    std::optional<std::map<std::string, std::string>> string_map(const char* key, Need need);
    std::optional<std::map<std::string, std::uint64_t>> count_map(const char* key, Need need);

    /// Reads the object @p key with @p read(Fields& inner), whose failures become this one's.
    template <typename Read>
    auto nested(const char* key, Need need, Read&& read) -> decltype(read(*this)) {
        const json* v = object(key, need);
        if (v == nullptr) {
            return {};
        }
        Fields inner(*v, prefix_ + key + ".");
        auto value = read(inner);
        adopt(inner);
        return value;
    }
    /// Takes over @p inner's failure, if any.
    void adopt(const Fields& inner);

    /// Records a failure (only the first one is kept).
    void fail(ErrorCode code, std::string message);
    /// Records @p status's error as invalid_value / too_large when it failed.
    void check(const Status& status);

    [[nodiscard]] bool failed() const { return error_.has_value(); }
    [[nodiscard]] ProtocolError error() const { return error_.value_or(ProtocolError{}); }
    /// 'prefix.key', quoted, for messages.
    [[nodiscard]] std::string name(std::string_view key) const;
    /// 'prefix.key.member', quoted, for messages about a member of a nested map.
    [[nodiscard]] std::string member_name(std::string_view key, std::string_view member) const;

private:
    // The value of @p key when present, non-null and of the wanted kind; records the failure
    // otherwise (absent and optional is no failure).
    const json* find(const char* key, Need need, bool (json::*is_kind)() const noexcept,
                     std::string_view kind);
    /// The field @p key when @p is says it is of the kind @p what names, as a T.
    template <typename T>
    std::optional<T> typed(const char* key, Need need, bool (json::*is)() const noexcept,
                           const char* what);

    const json& object_;
    std::string prefix_;
    std::optional<ProtocolError> error_;
};

} // namespace lensfs::protocol_detail
