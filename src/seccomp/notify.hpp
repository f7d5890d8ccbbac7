#pragma once
// The kernel's seccomp user-notification interface (seccomp_unotify(2)), one call a function:
// what the agent, the keeper and the holder of a stopped daemon's listeners use.

#include <cstdint>
#include <sys/types.h>

#include "util/result.hpp"

namespace lensfs::seccomp {

/// One system call a container made and waits in: what SECCOMP_IOCTL_NOTIF_RECV returns.
struct Notification {
    std::uint64_t id = 0; ///< the kernel's cookie, valid until answered
    pid_t pid = 0;        ///< the calling thread, in this process's pid namespace (0: not visible)
    int nr = -1;          ///< system call number
    std::uint32_t arch = 0;
    std::uint64_t args[6] = {};
};

/// Whether @p fd is a seccomp listener ("anon_inode:seccomp notify").
bool is_listener(int fd);

/// Takes the next waiting call from @p listener. Blocks when none waits: call it when poll
/// says the listener is readable. ENOENT: the caller went away before it was taken.
Result<Notification> receive(int listener);

/// Whether the call @p id still waits (its thread has not been killed or interrupted): the
/// caller's pid then still names the same thread.
bool still_waiting(int listener, std::uint64_t id);

/// Lets the call through to the kernel, which answers it as if no filter had asked.
Status let_through(int listener, std::uint64_t id);

/// Answers the call: it returns @p value (errno 0).
Status answer(int listener, std::uint64_t id, std::int64_t value);

/// Whether the system call @p n is sysinfo(2) of this build's architecture.
bool is_native_sysinfo(const Notification& n);

/// Copies @p size bytes to @p address in thread @p pid's memory (process_vm_writev).
Status write_to(pid_t pid, std::uint64_t address, const void* data, std::size_t size);

} // namespace lensfs::seccomp
