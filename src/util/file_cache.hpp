#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "util/result.hpp"
#include "util/unique_fd.hpp"

namespace lensfs {

/// Keeps accounting files open and re-reads them with pread() from offset 0, so that a read
/// costs one system call instead of open, read, read and close. procfs and cgroupfs regenerate
/// the content on every read from offset 0. A file that went away (its cgroup was removed:
/// ENODEV, ESRCH, ENOENT) is dropped and opened afresh once; a file that does not exist is
/// remembered as missing for a short while, so optional files cost nothing per read.
/// Thread-safe; sharded so that concurrent readers rarely share a lock.
class FileCache {
public:
    /// Reads @p path (relative to @p dirfd) into @p out. @p key must name that file uniquely
    /// among everything read through this cache (for example "<dirfd id>:<path>").
    Status read(int dirfd, std::string_view key, const char* path, std::string& out);

    /// Drops every cached fd (for tests, and when the fd budget runs low).
    void clear();

    /// Drops the files not read for @p idle_ms or more (those of removed cgroups and gone
    /// processes among them); returns how many were dropped.
    std::size_t evict_idle(std::int64_t idle_ms);

    /// How many files are held (open or remembered as missing).
    [[nodiscard]] std::size_t size();

private:
    static constexpr std::size_t kShards = 16;
    static constexpr std::size_t kMaxPerShard = 256;
    static constexpr std::int64_t kMissingTtlMs = 2000;

    struct Entry {
        UniqueFd fd;
        int missing_errno = 0;                ///< nonzero: the file could not be opened
        std::int64_t retry_ms = 0;            ///< when to try opening a missing file again
        std::atomic<std::int64_t> used_ms{0}; ///< the last read, on monotonic_ms()
    };
    // Transparent hashing: a lookup by string_view allocates nothing on the read path.
    struct KeyHash {
        using is_transparent = void;
        std::size_t operator()(std::string_view key) const noexcept {
            return std::hash<std::string_view>{}(key);
        }
    };
    struct Shard {
        std::mutex mutex;
        std::unordered_map<std::string, std::shared_ptr<Entry>, KeyHash, std::equal_to<>> entries;
    };

    std::shared_ptr<Entry> find(Shard& shard, std::string_view key);
    std::shared_ptr<Entry> open(Shard& shard, int dirfd, std::string_view key, const char* path);

    std::array<Shard, kShards> shards_;
};

} // namespace lensfs
