#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <sys/types.h>
#include <unordered_map>

#include "host/host_proc.hpp"
#include "util/result.hpp"
#include "util/unique_fd.hpp"

namespace lensfs::view {

/// Keeps /proc/<pid>/cgroup open for processes that read recently, with their pid namespace,
/// so that finding a reader's cgroup costs one pread() instead of five system calls. The fd
/// stands for the process, not the number: once the process is gone the read fails (ESRCH)
/// and the entry is opened afresh, so a reused pid is never mistaken for the old process.
class PidCache {
public:
    /// Reads @p pid's cgroup file into @p text and returns its pid namespace inode.
    Result<std::uint64_t> read(const host::HostProc& proc, pid_t pid, std::string& text);

    /// Drops the processes not looked up for @p idle_ms or more (gone ones among them);
    /// returns how many were dropped.
    std::size_t evict_idle(std::int64_t idle_ms);
    [[nodiscard]] std::size_t size();

private:
    static constexpr std::size_t kShards = 16;
    static constexpr std::size_t kMaxPerShard = 128;

    struct Entry {
        host::ProcessHandle process;
        std::atomic<std::int64_t> used_ms{0}; ///< the last lookup, on monotonic_ms()
    };
    struct Shard {
        std::mutex mutex;
        std::unordered_map<pid_t, std::shared_ptr<Entry>> entries;
    };

    static Result<std::shared_ptr<Entry>> open(const host::HostProc& proc, pid_t pid);
    Shard& shard(pid_t pid) { return shards_[static_cast<std::size_t>(pid) % kShards]; }
    void drop(pid_t pid);

    std::array<Shard, kShards> shards_;
};

} // namespace lensfs::view
