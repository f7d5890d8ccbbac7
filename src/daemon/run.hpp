#pragma once

#include "daemon/options.hpp"

namespace lensfs::daemon {

/// Checks, wires and serves: the registry, the control socket and the FUSE mount, until
/// SIGTERM or SIGINT. Returns the process exit status; start-up failures are one line on
/// stderr.
int run(const Options& options);

} // namespace lensfs::daemon
