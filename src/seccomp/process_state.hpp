#pragma once
// What an OCI runtime sends with a seccomp listener (the runtime spec's "container process
// state", runc 1.1 and later): the container's state and which of the passed descriptors is
// the listener. Pure: decoding only.

#include <cstddef>
#include <string>
#include <string_view>
#include <sys/types.h>

#include "util/result.hpp"

namespace lensfs::seccomp {

struct ProcessState {
    std::string id; ///< the container's id, checked like the registry checks ids
    pid_t pid = 0;  ///< the container process the listener belongs to
    std::size_t listener_index = 0; ///< position of "seccompFd" among the passed descriptors
    std::size_t fd_count = 0;       ///< descriptors the message says it carries
};

/// Largest message accepted.
inline constexpr std::size_t kMaxStateBytes = 256 * 1024;

/// Decodes the JSON @p text. EINVAL with a one-line reason for anything else: not JSON, too
/// deep or too big, no "seccompFd" in "fds", a missing or invalid id or pid.
Result<ProcessState> decode_process_state(std::string_view text);

} // namespace lensfs::seccomp
