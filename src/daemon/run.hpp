#pragma once

#include <string>
#include <vector>

#include "daemon/options.hpp"

namespace lensfs::daemon {

/// Runs lensfs: as the keeper (daemon/keeper.hpp), or as a server when a keeper started this
/// process (daemon/server.hpp). @p argv is the command line, which servers are started with.
/// Returns the process exit status; start-up failures are one line on stderr.
int run(const Options& options, std::vector<std::string> argv);

} // namespace lensfs::daemon
