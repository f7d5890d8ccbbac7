#include "control/peer.hpp"

#include <algorithm>
#include <cerrno>
#include <sys/socket.h>

namespace lensfs::control {

namespace {

// Most processes belong to a handful of groups; the kernel says how many when it is more.
constexpr std::size_t kInitialGroups = 32;

Status read_groups(int fd, std::vector<gid_t>& groups) {
    groups.resize(kInitialGroups);
    for (int attempt = 0; attempt < 2; ++attempt) {
        auto len = static_cast<socklen_t>(groups.size() * sizeof(gid_t));
        if (::getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups.data(), &len) == 0) {
            groups.resize(len / sizeof(gid_t));
            return Ok{};
        }
        if (errno != ERANGE) {
            return make_error(errno, "SO_PEERGROUPS");
        }
        groups.resize(len / sizeof(gid_t) + 1);
    }
    return make_error(ERANGE, "SO_PEERGROUPS");
}

} // namespace

Result<PeerCredentials> peer_credentials(int fd) {
    ucred cred{};
    socklen_t len = sizeof(cred);
    if (::getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0) {
        return make_error(errno, "SO_PEERCRED");
    }
    PeerCredentials peer{cred.pid, cred.uid, cred.gid, {}};
    if (Status st = read_groups(fd, peer.groups); !st) {
        return std::move(st).error();
    }
    return peer;
}

bool peer_allowed(const PeerCredentials& peer, std::optional<gid_t> group) {
    if (peer.uid == 0) {
        return true;
    }
    if (!group) {
        return false;
    }
    return peer.gid == *group ||
           std::find(peer.groups.begin(), peer.groups.end(), *group) != peer.groups.end();
}

} // namespace lensfs::control
