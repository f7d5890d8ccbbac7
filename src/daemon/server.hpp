#pragma once

#include "daemon/handoff.hpp"
#include "daemon/options.hpp"

namespace lensfs::daemon {

/// A server process: serves the keeper's FUSE connection and, when the keeper says so, the
/// control socket, until the keeper tells it to drain, it gets SIGTERM or SIGINT, the keeper
/// dies, or the mount is gone. Never mounts or unmounts. Returns the exit status.
int run_server(const Options& options, const Handoff& handoff);

} // namespace lensfs::daemon
