#pragma once

#include <optional>
#include <string>

#include "cgroup/dir_cache.hpp"
#include "cgroup/layout.hpp"
#include "model/cpu.hpp"
#include "model/memory.hpp"
#include "util/result.hpp"

namespace lensfs::cgroup {

/// Reads a cgroup's accounting from whichever hierarchy holds each controller. Limits are
/// hierarchical: the smallest on the path from the cgroup to the root. Thread-safe.
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
    /// CPU time used: per CPU on v1 (cpuacct.usage_all), totals on v2 (cpu.stat).
    Result<CpuUsage> cpu_usage(const ProcCgroups& cg, std::string& scratch);

    /// Reads @p file of the cgroup in controller @p c's hierarchy, verbatim.
    Status read(Controller c, const ProcCgroups& cg, const char* file, std::string& out);
    /// Reads @p file of the cgroup in the cgroup2 tree, verbatim (pressure files).
    Status read_unified(const ProcCgroups& cg, const char* file, std::string& out);
    /// Whether the cgroup at @p path exists in any hierarchy.
    bool exists(const std::string& path);

    [[nodiscard]] const Layout& layout() const { return layout_; }

private:
    struct Where {
        int hierarchy = -1;
        bool v2 = false;
        std::string_view path;
    };
    Result<Where> locate(Controller c, const ProcCgroups& cg) const;
    Result<std::optional<std::uint64_t>> min_limit_on_path(const Where& w, const char* file,
                                                           std::string& scratch);
    Status memory_swap(const Where& w, std::optional<std::uint64_t> v1_memsw_limit,
                       MemoryStats& stats, std::string& scratch);

    const Layout& layout_;
    DirCache dirs_;
};

} // namespace lensfs::cgroup
