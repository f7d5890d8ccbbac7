#include <limits>

#include <fmt/format.h>

#include "protocol/json_fields.hpp"
#include "protocol/protocol.hpp"

namespace lensfs {

namespace {

using protocol_detail::Fields;
using protocol_detail::json;
using protocol_detail::Need;

using BodyDecoder = Decoded<RequestBody> (*)(Fields&);

Decoded<RequestBody> decode_ping(Fields&) {
    return RequestBody{PingRequest{}};
}
Decoded<RequestBody> decode_list(Fields&) {
    return RequestBody{ListRequest{}};
}
Decoded<RequestBody> decode_status(Fields&) {
    return RequestBody{StatusRequest{}};
}
Decoded<RequestBody> decode_upgrade(Fields&) {
    return RequestBody{UpgradeRequest{}};
}

template <typename T> Decoded<RequestBody> decode_by_id(Fields& fields) {
    auto id = fields.text("id", Need::required);
    if (id) {
        fields.check(validate_id(*id));
    }
    if (fields.failed()) {
        return fields.error();
    }
    return RequestBody{T{std::move(*id)}};
}

std::optional<StartTime> read_start_time(Fields& fields) {
    return fields.nested("start_time", Need::optional, [](Fields& inner) {
        StartTime time{inner.seconds("boottime", Need::optional),
                       inner.seconds("wall", Need::optional)};
        if (!inner.failed() && !time.boottime_s && !time.wall_s) {
            inner.fail(ErrorCode::missing_field, "field 'start_time' needs 'boottime' or 'wall'");
        }
        return inner.failed() ? std::nullopt : std::optional<StartTime>(time);
    });
}

Decoded<RequestBody> decode_register(Fields& fields) {
    RegisterRequest request;
    auto id = fields.text("id", Need::required);
    if (id) {
        fields.check(validate_id(*id));
    }
    request.cgroup = fields.text("cgroup", Need::optional);
    if (request.cgroup) {
        fields.check(validate_cgroup(*request.cgroup));
    }
    auto pid = fields.integer("pid", Need::optional, 1, kMaxPid);
    request.start_time = read_start_time(fields);
    if (auto annotations = fields.string_map("annotations", Need::optional)) {
        fields.check(validate_annotations(*annotations));
        request.annotations = std::move(*annotations);
    }
    if (!fields.failed() && !request.cgroup && !pid) {
        fields.fail(ErrorCode::missing_field, "register needs field 'cgroup' or 'pid'");
    }
    if (fields.failed()) {
        return fields.error();
    }
    request.id = std::move(*id);
    if (pid) {
        request.pid = static_cast<pid_t>(*pid);
    }
    return RequestBody{std::move(request)};
}

struct Operation {
    std::string_view name;
    BodyDecoder decode;
};

constexpr Operation kOperations[] = {
    {"ping", decode_ping},
    {"register", decode_register},
    {"unregister", decode_by_id<UnregisterRequest>},
    {"get", decode_by_id<GetRequest>},
    {"list", decode_list},
    {"status", decode_status},
    {"upgrade", decode_upgrade},
};

ProtocolError with_seq(ProtocolError error, std::optional<std::int64_t> seq) {
    error.seq = seq;
    return error;
}

Decoded<Request> decode_object(const json& doc) {
    Fields top(doc, "");
    auto seq = top.integer("seq", Need::optional, std::numeric_limits<std::int64_t>::min(),
                           std::numeric_limits<std::int64_t>::max());
    auto op = top.text("op", Need::required);
    if (top.failed()) {
        return with_seq(top.error(), seq);
    }
    for (const Operation& operation : kOperations) {
        if (operation.name == *op) {
            auto body = operation.decode(top);
            if (!body) {
                return with_seq(std::move(body).error(), seq);
            }
            return Request{seq, std::move(body).value()};
        }
    }
    return ProtocolError{ErrorCode::unknown_op,
                         fmt::format("unknown op {} (known: ping, register, unregister, get, "
                                     "list, status, upgrade)",
                                     quoted_excerpt(*op)),
                         seq};
}

} // namespace

Decoded<Request> decode_request(std::string_view line) noexcept {
    // The only throwing calls left are allocations; the fallbacks below fit in std::string's
    // inline buffer, so building them cannot throw in turn.
    return protocol_detail::decode_line<Request>(
        line, kMaxLineBytes, "request", [](const json& doc) { return decode_object(doc); });
}

} // namespace lensfs
