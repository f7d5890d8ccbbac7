#pragma once

// What the keeper process and its server processes tell each other. Pure: encoding and
// decoding only; the processes and descriptors are keeper.cpp's and server.cpp's.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <sys/types.h>

#include "util/result.hpp"

namespace lensfs::daemon {

/// The environment variable through which a keeper hands a server what it keeps. A process
/// started with it set is a server; nothing else sets it.
inline constexpr const char* kHandoffVar = "LENSFS_HANDOFF";

/// What a server gets from its keeper. Descriptors are inherited across exec.
struct Handoff {
    int fuse_fd = -1;    ///< the keeper's FUSE descriptor, to be cloned, never read
    int init_fd = -1;    ///< a memfd with the connection's INIT request
    int keeper_fd = -1;  ///< this server's end of a SOCK_SEQPACKET pair for Messages
    int control_fd = -1; ///< the listening control socket; -1: none (--no-socket)
    int seccomp_fd = -1;   ///< the listening seccomp socket; -1: none (--no-seccomp)
    int in_flight_fd = -1; ///< memfd with seccomp::InFlight, shared with the keeper; -1: none
    /// The server's number: never the same twice while /run/lensfs lasts, so that the file
    /// handles of one server are never taken for another's.
    std::uint64_t generation = 0;
    bool control_now = false; ///< own the control socket at once, not after start-control
    pid_t keeper_pid = 0;
    double keeper_boottime_s = 0; ///< when the keeper started, CLOCK_BOOTTIME
    double keeper_wall_s = 0;     ///< when the keeper started, CLOCK_REALTIME

    bool operator==(const Handoff&) const = default;
};

std::string encode_handoff(const Handoff& h);
/// EINVAL with a message for anything but what encode_handoff() writes.
Result<Handoff> decode_handoff(std::string_view text);

/// One datagram between keeper and server.
enum class Message : std::uint8_t {
    ready,           ///< server: serving the mount
    control_stopped, ///< server: no longer serving the control socket
    upgrade,         ///< server: an operator asked for a live upgrade (lensctl upgrade)
    start_control,   ///< keeper: serve the control socket (reload the registry first)
    stop_control,    ///< keeper: stop serving the control socket, answer control_stopped
    drain,           ///< keeper: finish the requests taken and exit
    reload,          ///< keeper: reload the registry from disk (SIGUSR1)
    status,          ///< keeper: log a status line (SIGUSR2)
};

std::string_view message_name(Message m);
std::optional<Message> parse_message(std::string_view text);

} // namespace lensfs::daemon
