#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/cpu.hpp"

namespace lensfs {

/// One line of /proc/meminfo: "Name:   value[ kB]".
struct MeminfoEntry {
    std::string name; ///< without the colon
    std::uint64_t value = 0;
    bool kb = true; ///< whether the line carries the " kB" unit
};

/// The host's /proc/meminfo, in the kernel's order.
struct HostMeminfo {
    std::vector<MeminfoEntry> entries;

    /// The value of @p name, if present.
    [[nodiscard]] std::optional<std::uint64_t> get(std::string_view name) const;
};

/// The host's /proc/stat.
struct HostStat {
    CpuTimes total;                                   ///< the aggregate "cpu" line
    std::vector<std::pair<unsigned, CpuTimes>> per_cpu; ///< "cpuN" lines, in order
    std::string tail; ///< every line after the cpu lines (intr, ctxt, btime, ...), verbatim
};

/// One processor block of /proc/cpuinfo.
struct CpuinfoBlock {
    unsigned processor = 0; ///< the number on the block's "processor" line
    std::string body;       ///< the block's other lines, verbatim, including the blank line after
};

/// The host's /proc/cpuinfo.
struct HostCpuinfo {
    std::vector<CpuinfoBlock> blocks;
    std::string trailer; ///< text after the last block (some architectures add a summary)
};

/// The host's /proc/uptime.
struct HostUptime {
    double uptime = 0;
    double idle = 0;
};

} // namespace lensfs
