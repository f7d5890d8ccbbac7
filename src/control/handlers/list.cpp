#include "control/handlers.hpp"
#include "protocol/protocol.hpp"

namespace lensfs::control {

std::string handle_list(const Request& request, HandlerContext& context) {
    return encode_containers(request.seq, context.services.registry.list());
}

} // namespace lensfs::control
