#pragma once

#include <string_view>

#include "model/host.hpp"
#include "util/result.hpp"

/// Pure parsers of the host's own /proc files. They accept what the kernel prints and return
/// an Error (EINVAL, with the offending line in the context) for anything else; they never
/// throw on bad input.
namespace lensfs::host {

/// /proc/meminfo: "Name:  value[ kB]" lines, kept in order. Requires a MemTotal line.
Result<HostMeminfo> parse_meminfo(std::string_view text);

/// /proc/stat: the aggregate "cpu" line, then the "cpuN" lines; the rest is kept verbatim in
/// HostStat::tail. A cpu line may have fewer than ten figures (older kernels: missing ones
/// are 0) but at least four; figures beyond the tenth are ignored.
Result<HostStat> parse_stat(std::string_view text);

/// The event counters of /proc/stat's lines after the cpu lines (HostStat::tail): the first
/// figure of "intr" and "softirq", "ctxt" and "processes". A missing line counts 0.
StatCounters parse_stat_counters(std::string_view tail);

/// /proc/cpuinfo: one block per "processor : N" line. A block runs to the next processor line;
/// the last one runs to its first blank line, and what follows is the trailer. A file with no
/// processor line at its start (s390, old ARM) is kept whole in the trailer, with no blocks.
Result<HostCpuinfo> parse_cpuinfo(std::string_view text);

/// /proc/uptime: two non-negative decimals, "uptime idle".
Result<HostUptime> parse_uptime(std::string_view text);

} // namespace lensfs::host
