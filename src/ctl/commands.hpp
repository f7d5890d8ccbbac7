#pragma once

#include <optional>
#include <vector>

#include "ctl/options.hpp"
#include "protocol/messages.hpp"

namespace lensfs::ctl {

/// lensctl's exit statuses.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailed = 1;      ///< the daemon refused, or the command failed
inline constexpr int kExitUsage = 2;       ///< wrong command line
inline constexpr int kExitUnreachable = 3; ///< the daemon could not be reached

/// Sends @p body to the daemon named by @p o. On failure prints one line to stderr (and an
/// error object to stdout with --json), sets @p status and returns nothing. With @p quiet
/// nothing is printed.
std::optional<Response> ask(const Options& o, RequestBody body, int& status, bool quiet = false);

/// list, get, register, unregister, status: exit status.
int run_daemon_command(const Options& o);

/// upgrade: exit status.
int run_upgrade(const Options& o);

/// show: exit status.
int run_show(const Options& o);

} // namespace lensfs::ctl
