#pragma once
// What sysinfo(2) answers a container: the figures of its /proc/meminfo, /proc/uptime and
// /proc/loadavg as lensfs renders them, packed the way the kernel packs its own. Pure.

#include <cstdint>
#include <optional>
#include <string_view>
#include <sys/sysinfo.h>

namespace lensfs::seccomp {

/// The figures sysinfo(2) carries, in the units of the /proc files they come from.
struct SysinfoFacts {
    double uptime_s = 0;
    double loads[3] = {0, 0, 0};
    std::uint64_t procs = 0; ///< tasks (threads), the loadavg file's "running/total" total
    std::uint64_t total_kb = 0, free_kb = 0, shared_kb = 0, buffer_kb = 0;
    std::uint64_t swap_total_kb = 0, swap_free_kb = 0;

    bool operator==(const SysinfoFacts&) const = default;
};

/// Reads the figures from the texts of /proc/meminfo, /proc/uptime and /proc/loadavg.
/// nullopt when one of them lacks a figure (MemTotal, MemFree, the uptime, the three loads
/// or the task count); Shmem, Buffers and the swap lines count 0 when missing, as the kernel
/// has them on hosts without the feature.
std::optional<SysinfoFacts> facts_from_proc(std::string_view meminfo, std::string_view uptime,
                                            std::string_view loadavg);

/// The struct as the kernel fills it (kernel/sys.c do_sysinfo): uptime rounded up to whole
/// seconds, loads in 1/65536ths, memory in pages of @p page_size then in bytes (mem_unit 1)
/// when the total of RAM and swap fits an unsigned long in bytes, procs capped at 65535.
struct sysinfo pack_sysinfo(const SysinfoFacts& facts, unsigned long page_size);

} // namespace lensfs::seccomp
