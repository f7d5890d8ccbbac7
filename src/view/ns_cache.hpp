#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string_view>
#include <sys/types.h>
#include <unordered_map>

#include "cgroup/layout.hpp"
#include "host/host_proc.hpp"
#include "util/unique_fd.hpp"

namespace lensfs::view {

/// The init process of a pid namespace, as far as the container boundary needs it.
struct NsInit {
    pid_t pid = 0;
    std::uint64_t start_ticks = 0; ///< its start time, clock ticks after boot
    cgroup::ProcCgroups cgroups;
};

/// The innermost pid of an "NSpid:" line of /proc/<pid>/status (1 for a namespace's init).
std::optional<pid_t> parse_innermost_nspid(std::string_view status_text);

/// Remembers the init of each pid namespace seen recently, so that the PPid walk that finds
/// it runs once per namespace rather than once per read. Each entry keeps the init's
/// /proc/<pid>/cgroup open and re-reads it on every hit: that picks up a move to another
/// cgroup, and fails once the init is gone, which also guards against a namespace inode
/// number being reused by a new namespace.
class NsCache {
public:
    /// The init of namespace @p ns, found by walking up from @p pid.
    std::optional<NsInit> find(host::HostProc& proc, std::uint64_t ns, pid_t pid);

    /// Drops the namespaces not looked up for @p idle_ms or more (gone ones among them);
    /// returns how many were dropped.
    std::size_t evict_idle(std::int64_t idle_ms);
    [[nodiscard]] std::size_t size();

private:
    struct Entry {
        pid_t pid = 0;
        std::uint64_t start_ticks = 0;
        host::ProcessHandle process;
        std::atomic<std::int64_t> used_ms{0}; ///< the last lookup, on monotonic_ms()
    };
    static constexpr std::size_t kMaxEntries = 1024;

    static std::shared_ptr<Entry> walk(host::HostProc& proc, std::uint64_t ns, pid_t pid);

    std::mutex mutex_;
    std::unordered_map<std::uint64_t, std::shared_ptr<Entry>> entries_;
};

} // namespace lensfs::view
