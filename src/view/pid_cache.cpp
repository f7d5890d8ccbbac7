#include "view/pid_cache.hpp"

#include <fmt/format.h>

#include "util/clock.hpp"
#include "util/file.hpp"
#include "util/maps.hpp"

namespace lensfs::view {

Result<std::shared_ptr<PidCache::Entry>> PidCache::open(const host::HostProc& proc, pid_t pid) {
    auto handle = proc.open_process(pid);
    if (!handle) {
        return std::move(handle).error();
    }
    auto entry = std::make_shared<Entry>();
    entry->process = std::move(*handle);
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
    if (entry && entry->process.read_cgroup(text)) {
        entry->used_ms.store(monotonic_ms(), std::memory_order_relaxed);
        return entry->process.pidns();
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
    if (Status st = (*fresh)->process.read_cgroup(text); !st) {
        return Error{st.error().code, fmt::format("/proc/{}/cgroup", pid)};
    }
    std::lock_guard lock(s.mutex);
    if (s.entries.size() >= kMaxPerShard) {
        s.entries.clear();
    }
    s.entries[pid] = *fresh;
    return (*fresh)->process.pidns();
}

std::size_t PidCache::evict_idle(std::int64_t idle_ms) {
    std::int64_t cutoff = monotonic_ms() - idle_ms;
    std::size_t dropped = 0;
    for (auto& s : shards_) {
        std::lock_guard lock(s.mutex);
        dropped += erase_and_shrink(s.entries, [cutoff](const auto& kv) {
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
