#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cgroup/dir_cache.hpp"
#include "model/cpu.hpp"
#include "model/io.hpp"
#include "model/memory.hpp"
#include "util/result.hpp"

namespace lensfs::cgroup {

struct V1HierarchicalLimits; // cgroup/parse.hpp

/// A cgroup in one hierarchy: the hierarchy's index, whether it is cgroup2, and the path.
struct Where {
    int hierarchy = -1;
    bool v2 = false;
    std::string_view path;
};

/// What differs between cgroup v1 and cgroup2: which files hold each figure and how they are
/// combined. Reader (cgroup/reader.hpp) finds the hierarchy and the cgroup, walks the path
/// for hierarchical limits and settles hybrid hosts; the backend of that hierarchy reads the
/// files. Two instances, stateless: backend_v1() (reader_v1.cpp) and backend_v2()
/// (reader_v2.cpp).
class Backend {
public:
    virtual ~Backend() = default;

    /// Usage, limit (the smallest on the path), swap and the memory.stat breakdown. Fails
    /// only when usage is unreadable; parts that could not be read stay unset.
    virtual Status memory(DirCache& dirs, const Where& w, MemoryStats& stats,
                          std::string& scratch) const = 0;
    /// The CFS quota set at the one cgroup @p level (not its ancestors), nullopt when none.
    virtual Result<std::optional<CpuLimit>> cpu_limit_at(DirCache& dirs, int hierarchy,
                                                         std::string_view level,
                                                         std::string& scratch) const = 0;
    /// CPU time used by the cgroup and its descendants.
    virtual Result<CpuUsage> cpu_usage(DirCache& dirs, const Where& w,
                                       std::string& scratch) const = 0;
    /// I/O per block device, descendants included.
    virtual Status block_io(DirCache& dirs, const Where& w, std::vector<DeviceIo>& out,
                            std::string& scratch) const = 0;
    /// The file with the effective CPU set.
    [[nodiscard]] virtual const char* cpuset_file() const = 0;
    /// The file listing a cgroup's threads.
    [[nodiscard]] virtual const char* tasks_file() const = 0;
};

const Backend& backend_v1();
const Backend& backend_v2();
inline const Backend& backend_of(const Where& w) {
    return w.v2 ? backend_v2() : backend_v1();
}

/// Shared by both backends: calls fn(path) for @p path and each ancestor, leaf first, ending
/// with "/".
template <typename Fn> void walk_up(std::string_view path, Fn&& fn) {
    for (;;) {
        fn(path);
        if (path.size() <= 1) {
            return;
        }
        auto slash = path.rfind('/');
        path = slash == 0 ? std::string_view("/") : path.substr(0, slash);
    }
}

/// The smallest limit in @p file on the path from the cgroup to the root (levels without the
/// file set none); EINVAL naming the level when one cannot be parsed.
Result<std::optional<std::uint64_t>> min_limit_on_path(DirCache& dirs, const Where& w,
                                                       const char* file, std::string& scratch);

/// Reads the usage in @p usage_file and the breakdown in memory.stat into @p stats (and, on
/// v1, the hierarchical limits memory.stat reports into @p v1_limits).
Status read_usage_and_stat(DirCache& dirs, const Where& w, const char* usage_file,
                           MemoryStats& stats, V1HierarchicalLimits* v1_limits,
                           std::string& scratch);

} // namespace lensfs::cgroup
