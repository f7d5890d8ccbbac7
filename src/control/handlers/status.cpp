#include <unistd.h>

#include "control/handlers.hpp"
#include "protocol/protocol.hpp"

namespace lensfs::control {

namespace {

void add_control_counters(const ControlCounters& c, DaemonStatus& status) {
    auto load = [](const std::atomic<std::uint64_t>& n) {
        return n.load(std::memory_order_relaxed);
    };
    status.errors["control.bad_request"] = load(c.bad_requests);
    status.errors["control.internal"] = load(c.internal);
    status.errors["control.rejected"] = load(c.rejected);
    status.errors["control.dropped"] = load(c.dropped);
}

} // namespace

std::string handle_status(const Request& request, HandlerContext& context) {
    const Services& s = context.services;
    DaemonStatus status;
    status.version = LENSFS_VERSION;
    status.pid = ::getpid();
    status.start_boottime_s = s.started_boottime_s;
    status.start_wall_s = s.started_wall_s;
    status.containers = s.registry.size();
    if (s.report) {
        s.report(status);
    }
    add_control_counters(context.counters, status);
    return encode_status(request.seq, status);
}

} // namespace lensfs::control
