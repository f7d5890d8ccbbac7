#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <sys/types.h>

/// Pure parsers of /proc/<pid> files, for finding a caller's container.
namespace lensfs::host {

/// The parent pid from the "PPid:" line of /proc/<pid>/status; 0 for a namespace's init.
std::optional<pid_t> parse_ppid(std::string_view status_text);

/// Field 22 of /proc/<pid>/stat: the start time in clock ticks after boot. The command name
/// (field 2) may hold spaces and parentheses, so fields are counted from its last ')'.
std::optional<std::uint64_t> parse_starttime_ticks(std::string_view stat_text);

} // namespace lensfs::host
