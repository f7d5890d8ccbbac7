#pragma once
// Descriptors passed over Unix sockets (SCM_RIGHTS): the one place that builds and reads the
// control messages, for the service manager's notify socket, the keeper's channel and the
// seccomp socket.

#include <span>
#include <string_view>
#include <sys/socket.h>
#include <vector>

#include "util/result.hpp"
#include "util/unique_fd.hpp"

namespace lensfs {

/// Sends @p text with @p fds (borrowed, may be empty) in one message on @p sock, to @p to
/// when given (a datagram socket's address). EINVAL context: "sending descriptors".
Status send_with_fds(int sock, std::string_view text, std::span<const int> fds,
                     const sockaddr* to = nullptr, socklen_t to_len = 0);

/// Takes the descriptors of every SCM_RIGHTS control message of a received @p msg into
/// @p out, which owns them from then on.
void take_passed_fds(msghdr& msg, std::vector<UniqueFd>& out);

} // namespace lensfs
