#include "control/handlers.hpp"
#include "protocol/protocol.hpp"

namespace lensfs::control {

// The keeper does the upgrade; this server answers first, then stops serving the socket.
std::string handle_upgrade(const Request& request, HandlerContext& context) {
    const Services& s = context.services;
    if (!s.upgrade) {
        return reply_error(context,
                           {ErrorCode::invalid_value,
                            "this daemon runs without a keeper: no live upgrade", request.seq});
    }
    if (Status st = s.upgrade(); !st) {
        return reply_error(context, to_protocol_error(st.error(), request.seq));
    }
    return encode_ok(request.seq);
}

} // namespace lensfs::control
