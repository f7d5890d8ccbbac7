#include "util/file_cache.hpp"

#include <ctime>
#include <fcntl.h>
#include <functional>

#include "util/clock.hpp"
#include "util/file.hpp"
#include "util/maps.hpp"

namespace lensfs {

namespace {

// Errors that mean "this open file no longer stands for a live file".
bool is_gone(int code) {
    return code == ENODEV || code == ESRCH || code == ENOENT;
}

} // namespace

std::shared_ptr<FileCache::Entry> FileCache::find(Shard& shard, std::string_view key) {
    std::lock_guard lock(shard.mutex);
    auto it = shard.entries.find(key);
    return it == shard.entries.end() ? nullptr : it->second;
}

std::shared_ptr<FileCache::Entry> FileCache::open(Shard& shard, int dirfd, std::string_view key,
                                                  const char* path) {
    auto entry = std::make_shared<Entry>();
    entry->used_ms.store(monotonic_ms(), std::memory_order_relaxed);
    entry->fd.reset(::openat(dirfd, path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY));
    if (!entry->fd) {
        entry->missing_errno = errno;
        entry->retry_ms = monotonic_ms() + kMissingTtlMs;
    }
    std::lock_guard lock(shard.mutex);
    if (shard.entries.size() >= kMaxPerShard) {
        shard.entries.clear();
    }
    shard.entries[std::string(key)] = entry;
    return entry;
}

Status FileCache::read(int dirfd, std::string_view key, const char* path, std::string& out) {
    Shard& shard = shards_[std::hash<std::string_view>{}(key) % kShards];
    std::shared_ptr<Entry> entry = find(shard, key);
    bool fresh = false;
    std::int64_t now = monotonic_ms();
    if (!entry || (!entry->fd && now >= entry->retry_ms)) {
        entry = open(shard, dirfd, key, path);
        fresh = true;
    } else {
        entry->used_ms.store(now, std::memory_order_relaxed);
    }
    if (!entry->fd) {
        out.clear();
        return Error{entry->missing_errno, path};
    }
    Status st = pread_all(entry->fd.get(), path, out);
    if (st || fresh || !is_gone(st.error().code)) {
        return st;
    }
    // The cgroup (or process) behind the cached fd is gone; it may exist again under the
    // same name, so look once more.
    entry = open(shard, dirfd, key, path);
    if (!entry->fd) {
        out.clear();
        return Error{entry->missing_errno, path};
    }
    return pread_all(entry->fd.get(), path, out);
}

std::size_t FileCache::evict_idle(std::int64_t idle_ms) {
    std::int64_t cutoff = monotonic_ms() - idle_ms;
    std::size_t dropped = 0;
    for (auto& shard : shards_) {
        std::lock_guard lock(shard.mutex);
        dropped += erase_and_shrink(shard.entries, [cutoff](const auto& kv) {
            return kv.second->used_ms.load(std::memory_order_relaxed) <= cutoff;
        });
    }
    return dropped;
}

std::size_t FileCache::size() {
    std::size_t n = 0;
    for (auto& shard : shards_) {
        std::lock_guard lock(shard.mutex);
        n += shard.entries.size();
    }
    return n;
}

void FileCache::clear() {
    for (auto& shard : shards_) {
        std::lock_guard lock(shard.mutex);
        shard.entries.clear();
    }
}

} // namespace lensfs
