#include "protocol/messages.hpp"

#include <array>
#include <cerrno>

namespace lensfs {

namespace {

struct CodeName {
    ErrorCode code;
    std::string_view name;
};

constexpr std::array kCodeNames{
    CodeName{ErrorCode::bad_json, "bad_json"},
    CodeName{ErrorCode::not_object, "not_object"},
    CodeName{ErrorCode::unknown_op, "unknown_op"},
    CodeName{ErrorCode::missing_field, "missing_field"},
    CodeName{ErrorCode::wrong_type, "wrong_type"},
    CodeName{ErrorCode::invalid_value, "invalid_value"},
    CodeName{ErrorCode::too_large, "too_large"},
    CodeName{ErrorCode::not_found, "not_found"},
    CodeName{ErrorCode::permission_denied, "permission_denied"},
    CodeName{ErrorCode::busy, "busy"},
    CodeName{ErrorCode::timeout, "timeout"},
    CodeName{ErrorCode::internal, "internal"},
};

// The op names, in RequestBody's alternative order.
constexpr std::array<std::string_view, std::variant_size_v<RequestBody>> kOpNames{
    "ping", "register", "unregister", "get", "list", "status", "upgrade",
};

} // namespace

std::string_view error_code_name(ErrorCode code) {
    for (const CodeName& entry : kCodeNames) {
        if (entry.code == code) {
            return entry.name;
        }
    }
    return "internal";
}

std::optional<ErrorCode> parse_error_code(std::string_view name) {
    for (const CodeName& entry : kCodeNames) {
        if (entry.name == name) {
            return entry.code;
        }
    }
    return std::nullopt;
}

ErrorCode error_code_for_errno(int code) {
    switch (code) {
    case ENOENT:
        return ErrorCode::not_found;
    case EINVAL:
        return ErrorCode::invalid_value;
    case E2BIG:
    case EFBIG:
        return ErrorCode::too_large;
    case EACCES:
    case EPERM:
        return ErrorCode::permission_denied;
    case ENOSPC:
    case EAGAIN:
        return ErrorCode::busy;
    default:
        return ErrorCode::internal;
    }
}

ProtocolError to_protocol_error(const Error& error, std::optional<std::int64_t> seq) {
    return ProtocolError{error_code_for_errno(error.code),
                         error.context.empty() ? error.message() : error.context, seq};
}

std::string_view op_name(const RequestBody& body) {
    return kOpNames.at(body.index());
}

} // namespace lensfs
