#pragma once

#include <string>
#include <string_view>

#include "cgroup/layout.hpp"
#include "util/file_cache.hpp"
#include "util/result.hpp"

namespace lensfs::cgroup {

/// Reads cgroup files through a FileCache: each accounting file stays open after its first
/// read and is re-read with one pread(). A removed (and possibly re-created) cgroup is
/// noticed on the next read and opened afresh.
class DirCache {
public:
    explicit DirCache(const Layout& layout) : layout_(layout) {}

    /// Reads @p file of cgroup @p path (absolute) in hierarchy @p hierarchy into @p out.
    Status read(int hierarchy, std::string_view path, const char* file, std::string& out);

    /// Whether cgroup @p path exists in @p hierarchy (not cached).
    bool exists(int hierarchy, std::string_view path) const;

    /// Closes the files not read for @p idle_ms or more; returns how many.
    std::size_t evict_idle(std::int64_t idle_ms) { return files_.evict_idle(idle_ms); }
    [[nodiscard]] std::size_t size() { return files_.size(); }

private:
    const Layout& layout_;
    FileCache files_;
};

} // namespace lensfs::cgroup
