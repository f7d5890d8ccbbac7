#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "model/cpu.hpp"
#include "model/memory.hpp"
#include "util/result.hpp"

/// Pure parsers of cgroup v1 and v2 accounting files. No I/O; garbage gives an Error (EINVAL).
namespace lensfs::cgroup {

/// A single unsigned number with an optional trailing newline (v1 memory.limit_in_bytes,
/// memory.usage_in_bytes, v2 memory.current, cpu.cfs_period_us, ...).
Result<std::uint64_t> parse_number(std::string_view text);

/// A v2 limit file such as memory.max or memory.swap.max: a number or "max" (nullopt).
Result<std::optional<std::uint64_t>> parse_max(std::string_view text);

/// A memory limit file: v2 (@p v2) takes a number or "max", v1 a number.
Result<std::optional<std::uint64_t>> parse_limit(std::string_view text, bool v2);

/// v1 cpu.cfs_quota_us (may be -1 for "no quota"): the quota in µs, nullopt for none.
Result<std::optional<std::uint64_t>> parse_cfs_quota(std::string_view text);

/// v2 cpu.max: "QUOTA PERIOD" or "max PERIOD" (nullopt). A missing period means 100000.
Result<std::optional<CpuLimit>> parse_cpu_max(std::string_view text);

/// The limits v1's memory.stat already reduces over the ancestors (hierarchical_*_limit).
struct V1HierarchicalLimits {
    std::optional<std::uint64_t> memory;
    std::optional<std::uint64_t> memsw; ///< memory + swap
};

/// Fills the breakdown fields of @p stats from memory.stat. @p v2 selects the key names
/// (v1 uses the hierarchical total_* keys). Unknown keys are ignored; malformed lines fail.
/// With @p limits, v1's hierarchical limits are stored there.
Status parse_memory_stat(std::string_view text, bool v2, MemoryStats& stats,
                         V1HierarchicalLimits* limits = nullptr);

/// v1 cpuacct.usage_all: a "cpu user system" header, then "N USER_NS SYSTEM_NS" per CPU.
Result<std::vector<CpuUsagePerCpu>> parse_cpuacct_usage_all(std::string_view text);

/// v1 cpuacct.usage_percpu: one total (ns) per CPU, counted as user time.
Result<std::vector<CpuUsagePerCpu>> parse_cpuacct_usage_percpu(std::string_view text);

/// v2 cpu.stat: user_usec and system_usec as totals (ns). Per-CPU figures stay empty.
Result<CpuUsage> parse_cpu_stat(std::string_view text);

/// Sums per-CPU figures into the totals of a CpuUsage.
CpuUsage usage_from_per_cpu(std::vector<CpuUsagePerCpu> per_cpu);

} // namespace lensfs::cgroup
