#include "view/pid_cache.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>

#include "util/clock.hpp"
#include "util/file.hpp"

namespace lensfs::view {

Result<ProcessHandle> open_process(const host::HostProc& proc, pid_t pid) {
    char name[32];
    auto end = fmt::format_to_n(name, sizeof name - 1, "{}", pid);
    *end.out = '\0';
    UniqueFd dir(::openat(proc.dirfd(), name, O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!dir) {
        return make_error(errno, fmt::format("/proc/{}", pid));
    }
    ProcessHandle handle;
    handle.cgroup_fd.reset(::openat(dir.get(), "cgroup", O_RDONLY | O_CLOEXEC));
    struct stat st {};
    if (!handle.cgroup_fd || ::fstatat(dir.get(), "ns/pid", &st, 0) != 0) {
        return make_error(errno, fmt::format("/proc/{}", pid));
    }
    handle.pidns = st.st_ino;
    return handle;
}

Result<std::shared_ptr<PidCache::Entry>> PidCache::open(const host::HostProc& proc, pid_t pid) {
    auto handle = open_process(proc, pid);
    if (!handle) {
        return std::move(handle).error();
    }
    auto entry = std::make_shared<Entry>();
    entry->cgroup_fd = std::move(handle->cgroup_fd);
    entry->pidns = handle->pidns;
    entry->used_ms.store(monotonic_ms(), std::memory_order_relaxed);
    return entry;
}

void PidCache::drop(pid_t pid) {
    Shard& s = shard(pid);
    std::lock_guard lock(s.mutex);
    s.entries.erase(pid);
}

Result<std::uint64_t> PidCache::read(const host::HostProc& proc, pid_t pid, std::string& text) {
    Shard& s = shard(pid);
    std::shared_ptr<Entry> entry;
    {
        std::lock_guard lock(s.mutex);
        if (auto it = s.entries.find(pid); it != s.entries.end()) {
            entry = it->second;
        }
    }
    if (entry && pread_all(entry->cgroup_fd.get(), "cgroup", text)) {
        entry->used_ms.store(monotonic_ms(), std::memory_order_relaxed);
        return entry->pidns;
    }
    if (entry) {
        drop(pid); // the process it stood for is gone; pid may be reused
    }
    auto fresh = open(proc, pid);
    if (!fresh) {
        return std::move(fresh).error();
    }
    // Read before publishing: the read proves the process was alive when its namespace was
    // looked up.
    if (Status st = pread_all((*fresh)->cgroup_fd.get(), "cgroup", text); !st) {
        return Error{st.error().code, fmt::format("/proc/{}/cgroup", pid)};
    }
    std::lock_guard lock(s.mutex);
    if (s.entries.size() >= kMaxPerShard) {
        s.entries.clear();
    }
    s.entries[pid] = *fresh;
    return (*fresh)->pidns;
}

std::size_t PidCache::evict_idle(std::int64_t idle_ms) {
    std::int64_t cutoff = monotonic_ms() - idle_ms;
    std::size_t dropped = 0;
    for (auto& s : shards_) {
        std::lock_guard lock(s.mutex);
        dropped += std::erase_if(s.entries, [cutoff](const auto& kv) {
            return kv.second->used_ms.load(std::memory_order_relaxed) <= cutoff;
        });
    }
    return dropped;
}

std::size_t PidCache::size() {
    std::size_t n = 0;
    for (auto& s : shards_) {
        std::lock_guard lock(s.mutex);
        n += s.entries.size();
    }
    return n;
}

} // namespace lensfs::view
