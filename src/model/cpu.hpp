#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lensfs {

/// Highest CPU number accepted from any input; larger numbers are treated as garbage.
inline constexpr unsigned kMaxCpuId = 8191;

/// A sorted set of CPU numbers, as in cpuset.cpus ("0-3,8,10-11").
class CpuSet {
public:
    CpuSet() = default;
    explicit CpuSet(std::vector<unsigned> cpus); ///< sorts and removes duplicates

    /// Parses the kernel's list format. Empty text gives an empty set; garbage gives nullopt.
    static std::optional<CpuSet> parse(std::string_view text);
    /// A set of @p count CPUs numbered 0..count-1.
    static CpuSet first(unsigned count);
    /// Parses the kernel's mask format: hex digits in comma-separated groups of 32 bits, most
    /// significant first ("ff,ffffffff"). Garbage gives nullopt.
    static std::optional<CpuSet> parse_mask(std::string_view text);

    /// The kernel's list format, ranges collapsed ("0-3,8"); empty string for an empty set.
    [[nodiscard]] std::string format() const;
    /// The kernel's mask format for a system of @p nbits CPUs (bits at or above it dropped):
    /// ceil(nbits / 4) hex digits, a comma between groups of 32 bits.
    [[nodiscard]] std::string format_mask(std::size_t nbits) const;
    /// The members of this set that are in @p visible, each renamed to its position there:
    /// how a container that sees @p visible as CPUs 0..n-1 names them.
    [[nodiscard]] CpuSet renumbered(const CpuSet& visible) const;
    [[nodiscard]] bool contains(unsigned cpu) const;
    [[nodiscard]] std::size_t size() const { return cpus_.size(); }
    [[nodiscard]] bool empty() const { return cpus_.empty(); }
    [[nodiscard]] const std::vector<unsigned>& cpus() const { return cpus_; }
    /// The set cut to its @p count lowest CPUs.
    [[nodiscard]] CpuSet truncated(std::size_t count) const;

    bool operator==(const CpuSet&) const = default;

private:
    std::vector<unsigned> cpus_;
};

/// A CFS bandwidth limit: @p quota_us of CPU time per @p period_us.
struct CpuLimit {
    std::uint64_t quota_us = 0;
    std::uint64_t period_us = 100'000;
};

/// ceil(quota / period), at least 1.
unsigned cpus_for_limit(const CpuLimit& limit);

/// The CPUs a container sees: its effective cpuset, cut to ceil(quota/period) CPUs when a quota
/// applies and @p quota_view is on. Never empty when @p cpuset is not empty.
CpuSet visible_cpus(const CpuSet& cpuset, const std::optional<CpuLimit>& limit, bool quota_view);

/// CPU time consumed by one host CPU on behalf of a cgroup, in nanoseconds.
struct CpuUsagePerCpu {
    unsigned cpu = 0;
    std::uint64_t user_ns = 0;
    std::uint64_t system_ns = 0;
};

/// A cgroup's CPU accounting. v1 (cpuacct.usage_all) gives per-CPU figures; v2 (cpu.stat)
/// gives totals only.
struct CpuUsage {
    std::vector<CpuUsagePerCpu> per_cpu;
    std::uint64_t user_ns = 0;   ///< total over all CPUs
    std::uint64_t system_ns = 0; ///< total over all CPUs

    [[nodiscard]] std::uint64_t total_ns() const { return user_ns + system_ns; }
};

/// The host's /proc/stat counters of events since boot.
struct StatCounters {
    std::uint64_t intr = 0;      ///< interrupts ("intr" total)
    std::uint64_t ctxt = 0;      ///< context switches
    std::uint64_t processes = 0; ///< forks
    std::uint64_t softirq = 0;   ///< softirqs ("softirq" total)

    bool operator==(const StatCounters&) const = default;
};

/// Where a container's CPU time and event counts start from: the cgroup's CPU time and the
/// host's counters when lensfs first saw the container (its registration, or its first read).
/// A cgroup may have used CPU before the container started (a reused cgroup, a pod sandbox,
/// processes that ran before the container's init): that time is not the container's.
struct CpuBaseline {
    double at_boottime_s = 0; ///< CLOCK_BOOTTIME seconds when taken
    std::uint64_t user_ns = 0;
    std::uint64_t system_ns = 0;
    StatCounters host;

    [[nodiscard]] std::uint64_t total_ns() const { return user_ns + system_ns; }
    bool operator==(const CpuBaseline&) const = default;
};

/// The CPU time of the cgroup that is not the container's: what it had used at the baseline
/// beyond what @p cpus CPUs could have done between the container's start and the baseline.
/// Time used after the baseline is always the container's.
std::uint64_t excluded_cpu_ns(const CpuBaseline& base, double start_boottime_s, std::size_t cpus);

/// @p usage less @p excluded nanoseconds, taken from every figure (per CPU, user and system)
/// in proportion to it, so that the figures keep their shape and never go below zero.
CpuUsage without(const CpuUsage& usage, std::uint64_t excluded);

/// The host's events since the container's start: those since the baseline, plus, for the
/// time between the start and the baseline, the host's average rate up to the baseline.
StatCounters counters_since_start(const StatCounters& now, const CpuBaseline& base,
                                  double start_boottime_s);

/// One "cpu" line of /proc/stat, in USER_HZ ticks.
struct CpuTimes {
    std::uint64_t user = 0;
    std::uint64_t nice = 0;
    std::uint64_t system = 0;
    std::uint64_t idle = 0;
    std::uint64_t iowait = 0;
    std::uint64_t irq = 0;
    std::uint64_t softirq = 0;
    std::uint64_t steal = 0;
    std::uint64_t guest = 0;
    std::uint64_t guest_nice = 0;

    bool operator==(const CpuTimes&) const = default;
};

} // namespace lensfs
