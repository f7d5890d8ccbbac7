#pragma once

#include <optional>
#include <string>
#include <sys/types.h>

#include "util/result.hpp"
#include "util/unique_fd.hpp"

namespace lensfs::control {

/// Where and for whom the control socket is created.
struct ListenerConfig {
    std::string path;           ///< socket file, e.g. /run/lensfs/lensfs.sock
    std::optional<gid_t> group; ///< also allow this group: mode 0660 and owned by it
};

/// A bound, listening Unix stream socket and the identity of its file, so that only this
/// socket file is removed at exit (never a successor's).
struct Listener {
    UniqueFd fd;
    std::string path;
    dev_t dev = 0;
    ino_t ino = 0;
};

/// Creates the socket file: its parent directory (mode 0755) when missing, a stale socket
/// file removed when nothing answers on it, then bind with mode 0600 (0660 and the group's
/// ownership with a group), listen. Fails with EADDRINUSE when another daemon answers on
/// the path, and with a one-line message for every other failure.
Result<Listener> open_listener(const ListenerConfig& config);

/// Removes the socket file of @p listener, if it is still the one it created.
void remove_socket_file(const Listener& listener) noexcept;

} // namespace lensfs::control
