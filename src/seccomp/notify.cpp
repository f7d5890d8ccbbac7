#include "seccomp/notify.hpp"

#include <array>
#include <cerrno>
#include <climits>
#include <cstring>
#include <linux/audit.h>
#include <linux/seccomp.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include <fmt/format.h>

namespace lensfs::seccomp {

namespace {

#if defined(__x86_64__)
constexpr std::uint32_t kNativeArch = AUDIT_ARCH_X86_64;
#elif defined(__aarch64__)
constexpr std::uint32_t kNativeArch = AUDIT_ARCH_AARCH64;
#else
constexpr std::uint32_t kNativeArch = 0; // unknown: every call is let through
#endif

Status reply(int listener, std::uint64_t id, std::int64_t value, std::uint32_t flags) {
    seccomp_notif_resp resp{};
    resp.id = id;
    resp.val = value;
    resp.error = 0;
    resp.flags = flags;
    if (::ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, &resp) != 0) {
        return make_error(errno, "answering a seccomp notification");
    }
    return Ok{};
}

} // namespace

bool is_listener(int fd) {
    std::array<char, 64> link{};
    std::string path = fmt::format("/proc/self/fd/{}", fd);
    ssize_t n = ::readlink(path.c_str(), link.data(), link.size() - 1);
    return n > 0 && std::string_view(link.data(), static_cast<std::size_t>(n)) ==
                        "anon_inode:seccomp notify";
}

Result<Notification> receive(int listener) {
    seccomp_notif raw;
    std::memset(&raw, 0, sizeof(raw)); // the kernel refuses a buffer that is not zeroed
    if (::ioctl(listener, SECCOMP_IOCTL_NOTIF_RECV, &raw) != 0) {
        return make_error(errno, "receiving a seccomp notification");
    }
    Notification n;
    n.id = raw.id;
    n.pid = static_cast<pid_t>(raw.pid);
    n.nr = raw.data.nr;
    n.arch = raw.data.arch;
    for (int i = 0; i < 6; ++i) {
        n.args[i] = raw.data.args[i];
    }
    return n;
}

bool still_waiting(int listener, std::uint64_t id) {
    std::uint64_t cookie = id;
    return ::ioctl(listener, SECCOMP_IOCTL_NOTIF_ID_VALID, &cookie) == 0;
}

Status let_through(int listener, std::uint64_t id) {
    return reply(listener, id, 0, SECCOMP_USER_NOTIF_FLAG_CONTINUE);
}

Status answer(int listener, std::uint64_t id, std::int64_t value) {
    return reply(listener, id, value, 0);
}

bool is_native_sysinfo(const Notification& n) {
    return kNativeArch != 0 && n.arch == kNativeArch && n.nr == SYS_sysinfo;
}

Status write_to(pid_t pid, std::uint64_t address, const void* data, std::size_t size) {
    iovec local{const_cast<void*>(data), size};
    iovec remote{reinterpret_cast<void*>(static_cast<std::uintptr_t>(address)), size};
    ssize_t n = ::process_vm_writev(pid, &local, 1, &remote, 1, 0);
    if (n < 0) {
        return make_error(errno, fmt::format("writing into process {}", pid));
    }
    if (static_cast<std::size_t>(n) != size) {
        return Error{EFAULT, fmt::format("writing into process {}: {} of {} bytes", pid, n, size)};
    }
    return Ok{};
}

} // namespace lensfs::seccomp
