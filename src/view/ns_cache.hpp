#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <string_view>
#include <sys/types.h>
#include <unordered_map>

#include "cgroup/layout.hpp"
#include "host/host_proc.hpp"

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
/// it runs once per namespace rather than once per read. Entries expire after a few seconds
/// (a namespace inode number can be reused once the namespace is gone).
class NsCache {
public:
    /// The init of namespace @p ns, found by walking up from @p pid.
    std::optional<NsInit> find(host::HostProc& proc, std::uint64_t ns, pid_t pid);

private:
    struct Entry {
        NsInit init;
        std::int64_t expires_ms = 0;
    };
    static constexpr std::int64_t kTtlMs = 5000;
    static constexpr std::size_t kMaxEntries = 4096;

    std::optional<NsInit> walk(host::HostProc& proc, std::uint64_t ns, pid_t pid);

    std::mutex mutex_;
    std::unordered_map<std::uint64_t, Entry> entries_;
};

} // namespace lensfs::view
