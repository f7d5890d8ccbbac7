#pragma once

#include <atomic>
#include <cstdint>
#include <functional>

#include "cgroup/layout.hpp"
#include "host/host_proc.hpp"
#include "protocol/messages.hpp"
#include "registry/registry.hpp"

namespace lensfs::control {

/// What the control server counts; the status operation reports it under "errors".
struct ControlCounters {
    std::atomic<std::uint64_t> requests{0};     ///< request lines answered
    std::atomic<std::uint64_t> bad_requests{0}; ///< lines that were not a valid request
    std::atomic<std::uint64_t> internal{0};     ///< requests that failed inside the daemon
    std::atomic<std::uint64_t> rejected{0};     ///< connections refused (permission, busy)
    std::atomic<std::uint64_t> dropped{0};      ///< connections closed for a limit or timeout
};

/// What the request handlers work with. Borrowed: all of it outlives the control server.
/// Handlers run on the control thread only; each part is thread-safe towards the FUSE threads.
struct Services {
    Registry& registry;
    const cgroup::Layout& layout;  ///< picks a process's container cgroup (register by pid)
    const host::HostProc& proc;    ///< /proc/<pid>/cgroup and /proc/<pid>/stat
    double started_boottime_s = 0; ///< when the daemon started, CLOCK_BOOTTIME
    double started_wall_s = 0;     ///< when the daemon started, CLOCK_REALTIME
    /// Adds what the rest of the daemon counts (reads per file, fallbacks) to a status reply.
    std::function<void(DaemonStatus&)> report;
    /// Asks the keeper to replace this server by the binary on disk; empty: not supported.
    std::function<Status()> upgrade;
    /// The CPU baseline of cgroup @p path now (see CpuBaseline); empty or nullopt: none.
    std::function<std::optional<CpuBaseline>(const std::string& path)> baseline;
};

} // namespace lensfs::control
