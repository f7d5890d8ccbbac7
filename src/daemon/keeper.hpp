#pragma once

#include <string>
#include <vector>

#include "daemon/options.hpp"

namespace lensfs::daemon {

/// The keeper: the process `lensfs` runs as. It mounts, answers the connection's INIT, holds
/// the FUSE descriptor and the control socket, and runs server processes that do all the
/// serving (daemon/server.hpp): a new one within a second when one dies, the binary on disk
/// on SIGHUP or `lensctl upgrade` (live upgrade, no request lost). SIGUSR1 and SIGUSR2 go to
/// the server (reload, status). SIGTERM and SIGINT stop the server and unmount, except under
/// systemd with the descriptor in the service manager's store, where the mount is left for
/// the next start to take over. @p argv is the command line, for starting servers.
int run_keeper(const Options& options, std::vector<std::string> argv);

} // namespace lensfs::daemon
