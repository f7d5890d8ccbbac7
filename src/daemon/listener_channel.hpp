#pragma once
// Seccomp listeners between a keeper and its servers, over their message pair: a server gives
// the keeper a copy of each listener a runtime sent it, and the keeper hands every listener it
// keeps to the server it asks to serve, so that listeners outlive any one server.
//
// One datagram: "listeners\n" then one line "KEY ID" per descriptor, the descriptors attached
// (SCM_RIGHTS) in the same order. Other datagrams are Messages (handoff.hpp).

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "seccomp/agent.hpp"
#include "util/result.hpp"
#include "util/unique_fd.hpp"

namespace lensfs::daemon {

/// A datagram and the descriptors that came with it.
struct ChannelDatagram {
    std::string text;
    std::vector<UniqueFd> fds;
};

/// Receives one datagram from @p sock (MSG_DONTWAIT when @p nonblocking). 0: the peer
/// closed; -1: nothing (EAGAIN) or an error; otherwise the size of the text.
long receive_datagram(int sock, ChannelDatagram& out, bool nonblocking);

/// Sends @p listeners (key, id and descriptor each; borrowed) in as few datagrams as the
/// kernel's limit of descriptors per message allows.
struct ListenerRef {
    std::uint64_t key;
    std::string_view id;
    int fd;
};
Status send_listeners(int sock, std::span<const ListenerRef> listeners);

/// The listeners of a "listeners" datagram (its descriptors taken); nullopt for any other
/// datagram. Lines that do not match a descriptor are dropped.
std::optional<std::vector<seccomp::KeptListener>> take_listeners(ChannelDatagram& d);

} // namespace lensfs::daemon
