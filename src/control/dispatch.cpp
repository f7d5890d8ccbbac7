#include "control/dispatch.hpp"

#include <array>
#include <exception>
#include <new>
#include <type_traits>
#include <variant>

#include "protocol/protocol.hpp"
#include "util/boundary.hpp"
#include "util/log.hpp"

namespace lensfs::control {

namespace {

// Indexed by the alternative of RequestBody, whose order is the protocol's op order.
constexpr std::array<Handler, std::variant_size_v<RequestBody>> kHandlers{
    handle_ping, handle_register, handle_unregister, handle_get,
    handle_list, handle_status,   handle_upgrade,
};

static_assert(std::is_same_v<std::variant_alternative_t<1, RequestBody>, RegisterRequest>);
static_assert(std::is_same_v<std::variant_alternative_t<5, RequestBody>, StatusRequest>);

std::string run_handler(const Request& request, HandlerContext& context) {
    return at_boundary(
        [&] { return kHandlers.at(request.body.index())(request, context); },
        [&](const Error& e) {
            return reply_error(
                context,
                {ErrorCode::internal,
                 e.code == ENOMEM ? e.context
                                  : fmt::format("{} failed: {}", op_name(request.body), e.context),
                 request.seq});
        });
}

} // namespace

std::string reply_error(HandlerContext& context, ProtocolError error) {
    if (error.code == ErrorCode::internal) {
        context.counters.internal.fetch_add(1, std::memory_order_relaxed);
        log_error("control: {}", error.message);
    }
    return encode_error(error);
}

std::string dispatch(std::string_view line, HandlerContext& context) {
    context.counters.requests.fetch_add(1, std::memory_order_relaxed);
    Decoded<Request> request = decode_request(line);
    if (!request) {
        context.counters.bad_requests.fetch_add(1, std::memory_order_relaxed);
        log_debug("control: refused a request: {}", request.error().message);
        return encode_error(request.error());
    }
    log_debug("control: {}", op_name(request->body));
    return run_handler(*request, context);
}

} // namespace lensfs::control
