#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <sys/types.h>
#include <vector>

#include "daemon/handoff.hpp"
#include "util/result.hpp"
#include "util/unique_fd.hpp"

namespace lensfs::daemon {

/// A server process as its keeper sees it.
struct ServerChild {
    pid_t pid = 0;
    UniqueFd channel; ///< the keeper's end of the message pair
    std::uint64_t generation = 0;
    std::chrono::steady_clock::time_point started;
    bool ready = false;   ///< said "ready": serves the mount
    bool control = false; ///< serves the control socket
};

/// The path of the running binary, for starting servers: a binary replaced on disk under
/// the same path (a package upgrade) is what the next server runs.
std::string own_binary_path();

/// The next server number: one more than the last, kept in @p state_dir/server-generation
/// so that numbers are not reused while /run lasts (a keeper restarted by systemd continues
/// them). Random when the file cannot be used.
std::uint64_t next_generation(const std::string& state_dir);

/// Starts `@p binary @p argv` as a server with @p handoff (its keeper_fd set to the server's
/// end of a new message pair). If @p binary cannot be executed, the keeper's own image is.
Result<ServerChild> spawn_server(const std::string& binary, const std::vector<std::string>& argv,
                                 Handoff handoff);

} // namespace lensfs::daemon
