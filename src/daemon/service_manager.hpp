#pragma once

// systemd's service-manager protocols, spoken without libsystemd: sd_notify(3) datagrams
// (READY=1, MAINPID=, STATUS=, FDSTORE=1 with descriptors) and the descriptors a manager
// passes at start (sd_listen_fds(3): LISTEN_PID, LISTEN_FDS, LISTEN_FDNAMES).

#include <map>
#include <span>
#include <string>
#include <string_view>

#include "util/result.hpp"

namespace lensfs::daemon {

/// Whether a service manager listens: $NOTIFY_SOCKET is set.
bool service_managed();

/// Sends @p state ("READY=1\nMAINPID=42") to $NOTIFY_SOCKET, with @p fds attached.
Status service_notify(std::string_view state, std::span<const int> fds = {});

/// The descriptors the manager passed to this process, by name (unnamed ones "unknown"),
/// marked close-on-exec; the LISTEN_* variables are removed so that children do not see
/// them. Empty when none were passed or they were meant for another process.
std::map<std::string, int> take_listen_fds();

} // namespace lensfs::daemon
