#pragma once

#include <array>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "cgroup/layout.hpp"
#include "util/result.hpp"
#include "util/unique_fd.hpp"

namespace lensfs::cgroup {

/// Keeps O_PATH fds of cgroup directories open so that a read costs one openat() of the file
/// instead of a path walk. Sharded so that concurrent readers rarely share a lock. A cgroup that
/// was removed (and possibly re-created) is noticed on the next read and re-opened.
class DirCache {
public:
    explicit DirCache(const Layout& layout) : layout_(layout) {}

    /// Reads @p file of cgroup @p path (absolute) in hierarchy @p hierarchy into @p out.
    Status read(int hierarchy, std::string_view path, const char* file, std::string& out);

    /// Whether cgroup @p path exists in @p hierarchy.
    bool exists(int hierarchy, std::string_view path);

private:
    static constexpr std::size_t kShards = 16;
    static constexpr std::size_t kMaxPerShard = 512;

    struct Shard {
        std::mutex mutex;
        std::unordered_map<std::string, std::shared_ptr<UniqueFd>> fds;
    };

    Result<std::shared_ptr<UniqueFd>> lookup(int hierarchy, std::string_view path, bool fresh);

    const Layout& layout_;
    std::array<Shard, kShards> shards_;
};

} // namespace lensfs::cgroup
