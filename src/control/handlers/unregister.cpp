#include "control/handlers.hpp"
#include "protocol/protocol.hpp"
#include "util/log.hpp"

namespace lensfs::control {

std::string handle_unregister(const Request& request, HandlerContext& context) {
    const auto& r = std::get<UnregisterRequest>(request.body);
    if (Status st = context.services.registry.remove(r.id); !st) {
        return reply_error(context, to_protocol_error(st.error(), request.seq));
    }
    log_info("unregistered container {}", r.id);
    return encode_ok(request.seq);
}

} // namespace lensfs::control
