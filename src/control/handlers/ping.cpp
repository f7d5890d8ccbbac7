#include "control/handlers.hpp"
#include "protocol/protocol.hpp"

namespace lensfs::control {

std::string handle_ping(const Request& request, HandlerContext& /*context*/) {
    return encode_ok(request.seq);
}

} // namespace lensfs::control
