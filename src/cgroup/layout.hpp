#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/result.hpp"
#include "util/unique_fd.hpp"

namespace lensfs::cgroup {

/// The controllers lensfs reads. On v2 "cpuacct" means the always-present cpu.stat.
enum class Controller : std::uint8_t { memory, cpu, cpuacct, cpuset, blkio, pids };
inline constexpr std::size_t kControllerCount = 6;

std::string_view controller_name(Controller c);
std::optional<Controller> controller_from_name(std::string_view name);

/// One line of /proc/self/mountinfo, the fields lensfs needs.
struct MountEntry {
    std::string mount_point;
    std::string fstype;
    std::string super_options;
};

/// Parses /proc/self/mountinfo; malformed lines are skipped.
std::vector<MountEntry> parse_mountinfo(std::string_view text);

/// The caller's cgroups as /proc/<pid>/cgroup lists them: one path per v1 controller and the
/// cgroup2 ("0::") path. Paths are absolute as seen from the daemon's cgroup namespace.
struct ProcCgroups {
    std::optional<std::string> unified;
    std::array<std::optional<std::string>, kControllerCount> v1;

    bool operator==(const ProcCgroups&) const = default;
};

/// The same cgroup @p path in every hierarchy (a container named by one path, as runtimes
/// create them; also what tests use to address fixture groups).
ProcCgroups same_path_everywhere(const std::string& path);

/// Parses /proc/<pid>/cgroup. Unknown v1 controllers and named hierarchies are ignored.
Result<ProcCgroups> parse_proc_cgroup(std::string_view text);

/// A mounted cgroup hierarchy (or a directory standing in for one, with --cgroup-root).
struct Hierarchy {
    std::string path; ///< where it is mounted
    bool v2 = false;
    UniqueFd dirfd; ///< O_PATH fd of its root
    /// A real cgroup filesystem (not a directory standing in for one): its files may be kept
    /// open, as a removed cgroup's files fail on read instead of living on like unlinked files.
    bool kernel = false;
};

/// Which hierarchy serves each controller: pure v1, pure v2 or hybrid.
class Layout {
public:
    /// The host's cgroup mounts, from /proc/self/mountinfo.
    static Result<Layout> discover();
    /// A directory laid out like /sys/fs/cgroup: either a cgroup2 tree (it has
    /// cgroup.controllers), or one subdirectory per v1 hierarchy named after its controllers
    /// ("memory", "cpu,cpuacct", ...), optionally with a cgroup2 tree at "unified".
    static Result<Layout> from_root(const std::string& root);
    /// Builds a layout from parsed mounts (opens each hierarchy's root).
    static Result<Layout> from_mounts(const std::vector<MountEntry>& mounts);

    /// The hierarchy holding @p c's files, or nullptr when no hierarchy provides it.
    [[nodiscard]] const Hierarchy* hierarchy(Controller c) const;
    [[nodiscard]] int hierarchy_index(Controller c) const { return by_controller_[idx(c)]; }
    /// The cgroup2 tree, if any (pressure files, v2 cpu.stat).
    [[nodiscard]] const Hierarchy* unified() const;
    [[nodiscard]] int unified_index() const { return unified_; }
    [[nodiscard]] const std::vector<Hierarchy>& hierarchies() const { return hierarchies_; }
    /// "v1", "v2" or "hybrid".
    [[nodiscard]] std::string_view mode() const;
    /// One line per controller: where its files come from. For the start-up log.
    [[nodiscard]] std::string describe() const;

    /// The path of @p cg that applies to controller @p c's hierarchy.
    [[nodiscard]] const std::optional<std::string>& path_for(const ProcCgroups& cg,
                                                             Controller c) const;

private:
    static std::size_t idx(Controller c) { return static_cast<std::size_t>(c); }
    Status add(std::string path, bool v2, const std::vector<Controller>& controllers);

    std::vector<Hierarchy> hierarchies_;
    std::array<int, kControllerCount> by_controller_{-1, -1, -1, -1, -1, -1};
    int unified_ = -1;
};

} // namespace lensfs::cgroup
