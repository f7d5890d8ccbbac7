#include "control/process_facts.hpp"

#include <cerrno>
#include <ctime>
#include <optional>
#include <unistd.h>
#include <utility>

#include <fmt/format.h>

#include "cgroup/layout.hpp"
#include "util/clock.hpp"

namespace lensfs::control {

namespace {

// /proc says ENOENT for a pid that does not exist; callers want to tell that apart.
Error process_error(const Error& error, pid_t pid) {
    if (error.code == ENOENT || error.code == ESRCH) {
        return Error{ESRCH, fmt::format("no process with pid {}", pid)};
    }
    return Error{error.code, fmt::format("cannot read process {}: {}", pid, error.message())};
}

} // namespace

Result<std::string> container_cgroup_of(const host::HostProc& proc, const cgroup::Layout& layout,
                                        pid_t pid) {
    std::string text;
    if (Status st = proc.cgroup_text(pid, text); !st) {
        return process_error(st.error(), pid);
    }
    auto cg = cgroup::parse_proc_cgroup(text);
    if (!cg) {
        return Error{EINVAL, fmt::format("cannot parse /proc/{}/cgroup", pid)};
    }
    std::optional<std::string> path = cg->unified;
    if (layout.mode() != "v2") {
        if (const auto& memory = layout.path_for(*cg, cgroup::Controller::memory)) {
            path = memory;
        }
    }
    if (!path) {
        return Error{EINVAL, fmt::format("process {} is in no cgroup lensfs reads", pid)};
    }
    // "/" would contain every process of the host: surely a runtime that has not moved its
    // container's init yet, not a container.
    if (*path == "/") {
        return Error{EINVAL, fmt::format("process {} is in the root cgroup, not in a "
                                         "container's; give the cgroup explicitly",
                                         pid)};
    }
    return std::move(*path);
}

Result<double> start_boottime_of(const host::HostProc& proc, pid_t pid) {
    std::string scratch;
    auto ticks = proc.starttime_ticks(pid, scratch);
    if (!ticks) {
        return process_error(ticks.error(), pid);
    }
    return static_cast<double>(*ticks) / static_cast<double>(host::clock_ticks_per_second());
}

double wall_minus_boottime() {
    return wall_now() - boottime_now();
}

} // namespace lensfs::control
