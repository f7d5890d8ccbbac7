#include <fmt/format.h>

#include "control/handlers.hpp"
#include "protocol/protocol.hpp"

namespace lensfs::control {

std::string handle_get(const Request& request, HandlerContext& context) {
    const auto& r = std::get<GetRequest>(request.body);
    auto entry = context.services.registry.get(r.id);
    if (!entry) {
        return reply_error(context, {ErrorCode::not_found,
                                     fmt::format("no container with id {}", quoted_excerpt(r.id)),
                                     request.seq});
    }
    return encode_container(request.seq, *entry);
}

} // namespace lensfs::control
