#pragma once

#include <optional>
#include <sys/types.h>
#include <vector>

#include "util/result.hpp"

namespace lensfs::control {

/// Who is on the other end of a Unix socket, as the kernel recorded it at connect().
struct PeerCredentials {
    pid_t pid = 0;
    uid_t uid = static_cast<uid_t>(-1);
    gid_t gid = static_cast<gid_t>(-1);
    std::vector<gid_t> groups; ///< supplementary groups
};

/// SO_PEERCRED and SO_PEERGROUPS of the connected socket @p fd.
Result<PeerCredentials> peer_credentials(int fd);

/// Root may always use the socket; with @p group, so may every member of that group
/// (primary or supplementary).
bool peer_allowed(const PeerCredentials& peer, std::optional<gid_t> group);

} // namespace lensfs::control
