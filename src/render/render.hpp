#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/cpu.hpp"
#include "model/host.hpp"
#include "model/io.hpp"
#include "model/loadavg.hpp"
#include "model/memory.hpp"

/// Pure renderers: (host facts, container facts, now) -> the text of one virtual file.
/// They do no I/O and cannot fail: a container value that is missing falls back to the host's.
/// Each appends to @p out (callers clear it), so a buffer can be reused across reads.
namespace lensfs::render {

/// /proc/meminfo. MemTotal = min(host, limit); MemFree = MemTotal - usage; breakdown from
/// memory.stat; no field underflows, none exceeds MemTotal (SwapTotal for swap fields).
/// With no readable usage the host's file is reproduced unchanged.
void meminfo(const HostMeminfo& host, const MemoryStats& mem, std::string& out);

/// /proc/cpuinfo: the host blocks of the @p visible CPUs, renumbered from 0.
void cpuinfo(const HostCpuinfo& host, const CpuSet& visible, std::string& out);

/// What /proc/stat needs beyond the host's file.
struct StatInput {
    const CpuSet* visible = nullptr; ///< host CPU numbers the container sees
    const CpuUsage* usage = nullptr; ///< the cgroup's CPU time; nullptr when unreadable
    double container_uptime_s = 0;   ///< elapsed time since the container started
    unsigned ticks_per_second = 100; ///< USER_HZ
    /// The event counts since the container's start (intr, ctxt, processes, softirq);
    /// nullptr: the host's, as they are.
    const StatCounters* counters = nullptr;
    /// Called with each visible CPU's idle ticks before they are written; may raise them
    /// (IdleFloors keeps them from going back between reads). Empty: written as computed.
    std::function<void(std::vector<std::uint64_t>&)> keep_idle;
};

/// /proc/stat: one "cpuN" line per visible CPU renumbered from 0, user/system from the cgroup,
/// idle = elapsed - busy; the aggregate line is the sum; the other lines are the host's, but
/// for the event counters when StatInput::counters is set: "ctxt" and "processes" show them,
/// "intr" and "softirq" their totals and each column scaled by the same factor.
void stat(const HostStat& host, const StatInput& in, std::string& out);

/// What /proc/uptime needs.
struct UptimeInput {
    HostUptime host;
    double container_uptime_s = 0; ///< now - container start (CLOCK_BOOTTIME)
    unsigned visible_cpus = 1;
    std::optional<double> cpu_usage_s; ///< the cgroup's CPU time; nullopt when unreadable
};

/// /proc/uptime: "uptime idle"; idle = uptime * cpus - usage, clamped to [0, uptime * cpus].
void uptime(const UptimeInput& in, std::string& out);

/// /proc/swaps: the header, plus one line for the container's swap when it has any.
/// @p host_swap_total_kb is the host's SwapTotal.
void swaps(std::uint64_t host_swap_total_kb, const MemoryStats& mem, std::string& out);

/// /proc/loadavg: "A1 A5 A15 RUNNING/TOTAL LAST_PID", the averages rounded to two decimals
/// from the kernel's fixed point exactly as fs/proc/loadavg.c does.
void loadavg(const LoadavgFigures& figures, std::string& out);

/// /proc/diskstats: one line per device of @p host_diskstats (the host's file, whose names,
/// order and field count it keeps), with the cgroup's figures (sectors are 512 bytes; fields
/// the cgroup does not account are 0), all 0 for a device the cgroup did no I/O on. Devices
/// the host's file does not list are left out.
void diskstats(std::string_view host_diskstats, const std::vector<DeviceIo>& io, std::string& out);

/// A CPU list file such as /sys/devices/system/cpu/online: "0-(n-1)\n" for n visible CPUs.
void cpu_list(std::size_t visible_count, std::string& out);

} // namespace lensfs::render
