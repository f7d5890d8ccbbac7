#pragma once

#include <optional>
#include <string>
#include <sys/types.h>
#include <vector>

#include "cgroup/backend.hpp"
#include "cgroup/dir_cache.hpp"
#include "cgroup/layout.hpp"
#include "model/cpu.hpp"
#include "model/io.hpp"
#include "model/memory.hpp"
#include "util/result.hpp"

namespace lensfs::cgroup {

/// Where a cgroup's task list is read: one hierarchy and the cgroup's path in it.
struct TaskSource {
    int hierarchy = -1;
    bool v2 = false;
    std::string path;

    /// Names the cgroup uniquely across hierarchies: "<hierarchy>:<path>".
    [[nodiscard]] std::string key() const;
    bool operator==(const TaskSource&) const = default;
};

/// The threads of a cgroup and of its descendants.
struct TaskList {
    std::vector<pid_t> ids;
    std::size_t skipped = 0; ///< threads beyond the caller's limit, counted but not listed
};

/// Reads a cgroup's accounting from whichever hierarchy holds each controller, through that
/// hierarchy's backend (v1: reader_v1.cpp, cgroup2: reader_v2.cpp). Limits are hierarchical:
/// the smallest on the path from the cgroup to the root. Thread-safe.
/// Each call takes a @p scratch buffer so that the read path reuses memory.
class Reader {
public:
    explicit Reader(const Layout& layout) : layout_(layout), dirs_(layout) {}

    /// Memory limit, usage, swap and memory.stat breakdown. Fails only when usage is
    /// unreadable; parts that could not be read stay unset.
    Result<MemoryStats> memory(const ProcCgroups& cg, std::string& scratch);
    /// The effective cpuset (cpuset.effective_cpus / cpuset.cpus.effective).
    Result<CpuSet> cpuset(const ProcCgroups& cg, std::string& scratch);
    /// The tightest CFS quota on the path (smallest quota/period), nullopt when none.
    Result<std::optional<CpuLimit>> cpu_limit(const ProcCgroups& cg, std::string& scratch);
    /// CPU time used: per CPU on v1 (cpuacct.usage_all), totals on v2 (cpu.stat). On a hybrid
    /// host the cgroup2 tree's cpu.stat stands in when the v1 cpuacct cgroup is the root while
    /// the cgroup2 one is not (the root's figures are the whole host's), and when the v1 files
    /// cannot be read.
    Result<CpuUsage> cpu_usage(const ProcCgroups& cg, std::string& scratch);
    /// I/O per block device, descendants included: v2 io.stat; on v1, per device, the first of
    /// the proportional-weight statistics (CFQ blkio.io_*_recursive, then BFQ blkio.bfq.*) and
    /// the throttle statistics (blkio.throttle.io_service_bytes/io_serviced, _recursive where
    /// the kernel has it) that shows I/O on it. Devices without I/O may be listed.
    Result<std::vector<DeviceIo>> block_io(const ProcCgroups& cg, std::string& scratch);

    /// The hierarchy whose task list stands for the cgroup: the first of the v1 cpuacct, cpu,
    /// pids, memory and cpuset hierarchies that places it below the root, else the cgroup2
    /// tree. ENOENT when the cgroup is the root everywhere (the host).
    [[nodiscard]] Result<TaskSource> task_source(const ProcCgroups& cg) const;
    /// Appends the thread ids of the cgroup at @p src and of all its descendants (v1 "tasks",
    /// v2 "cgroup.threads") to @p out, at most @p limit of them. Descendants that vanish during
    /// the walk are skipped; a missing cgroup itself is an error (ENOENT).
    Status list_tasks(const TaskSource& src, TaskList& out, std::size_t limit,
                      std::string& scratch) const;

    /// Reads @p file of the cgroup in controller @p c's hierarchy, verbatim.
    Status read(Controller c, const ProcCgroups& cg, const char* file, std::string& out);

    /// Closes the cgroup files not read for @p idle_ms or more; returns how many.
    std::size_t evict_idle(std::int64_t idle_ms) { return dirs_.evict_idle(idle_ms); }
    /// How many cgroup files are held open (or remembered as missing).
    [[nodiscard]] std::size_t files_held() { return dirs_.size(); }
    /// Reads @p file of the cgroup in the cgroup2 tree, verbatim (pressure files).
    Status read_unified(const ProcCgroups& cg, const char* file, std::string& out);
    /// Whether the cgroup at @p path exists in any hierarchy.
    bool exists(const std::string& path);
    /// Whether the cgroup @p cg was removed: its task_source() directory is gone (never for
    /// the host's root cgroups).
    bool gone(const ProcCgroups& cg) const;

    [[nodiscard]] const Layout& layout() const { return layout_; }

private:
    Result<Where> locate(Controller c, const ProcCgroups& cg) const;
    /// The cgroup2 tree's cgroup when it is below the root, for hybrid fallbacks.
    [[nodiscard]] std::optional<Where> unified_below_root(const ProcCgroups& cg) const;

    const Layout& layout_;
    DirCache dirs_;
};

} // namespace lensfs::cgroup
