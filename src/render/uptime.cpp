#include <algorithm>
#include <iterator>

#include <fmt/compile.h>
#include <fmt/format.h>

#include "render/render.hpp"

namespace lensfs::render {

namespace {

/// Keeps a value in [0, kMaxSeconds]; NaN (from a clock gone wrong) becomes 0.
double sane_seconds(double seconds) {
    constexpr double kMaxSeconds = 1e12; // 30,000 years; keeps the text short
    return seconds > 0 ? std::min(seconds, kMaxSeconds) : 0;
}

} // namespace

void uptime(const UptimeInput& in, std::string& out) {
    double up = sane_seconds(in.container_uptime_s);
    double capacity = up * std::max(in.visible_cpus, 1u);
    double idle = 0;
    if (in.cpu_usage_s) {
        idle = capacity - sane_seconds(*in.cpu_usage_s);
    } else {
        // No cgroup usage: the host's idle time, which is all the container can know, bounded
        // by what its CPUs could have idled since it started.
        idle = sane_seconds(in.host.idle);
    }
    idle = std::clamp(idle, 0.0, capacity);
    fmt::format_to(std::back_inserter(out), FMT_COMPILE("{:.2f} {:.2f}\n"), up, idle);
}

} // namespace lensfs::render
