#pragma once

// What lensctl prints: tables for people, JSON for scripts. Pure functions of their inputs
// (and of the local time zone, for wall-clock times).

#include <string>
#include <string_view>
#include <vector>

#include "protocol/messages.hpp"
#include "model/entry.hpp"

namespace lensfs::ctl {

/// "45s", "3m07s", "2h05m", "4d03h"; negative durations print as "0s".
std::string format_duration(double seconds);
/// Local time "YYYY-MM-DD HH:MM:SS" of @p wall_s seconds since the epoch.
std::string format_wall(double wall_s);

/// One row per container: ID, PID, STARTED, UPTIME, CGROUP. @p now_boottime_s is the current
/// CLOCK_BOOTTIME, to compute uptimes.
std::string containers_table(const std::vector<Entry>& entries, double now_boottime_s);
/// "key: value" lines for one container, annotations included.
std::string container_details(const Entry& entry, double now_boottime_s);
/// The daemon's status for people.
std::string status_text(const DaemonStatus& status, double now_boottime_s);

/// JSON documents, each ending in a newline. The container and status objects have the
/// protocol's shape (see lensfs-protocol(7)).
std::string container_json(const Entry& entry);
std::string containers_json(const std::vector<Entry>& entries);
std::string status_json(const DaemonStatus& status);
std::string error_json(std::string_view code, std::string_view message);

} // namespace lensfs::ctl
