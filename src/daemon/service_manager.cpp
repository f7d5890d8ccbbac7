#include "daemon/service_manager.hpp"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <vector>

#include <fmt/format.h>

#include "util/fd_passing.hpp"

#include "util/parse.hpp"
#include "util/unique_fd.hpp"

namespace lensfs::daemon {

namespace {

constexpr int kListenFdsStart = 3;
constexpr std::size_t kMaxFds = 64;

Result<sockaddr_un> notify_address(std::string_view path, socklen_t& len) {
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (path.empty() || path.size() >= sizeof(addr.sun_path) ||
        (path.front() != '/' && path.front() != '@')) {
        return Error{EINVAL, fmt::format("NOTIFY_SOCKET '{}' is not a socket path", path)};
    }
    std::memcpy(addr.sun_path, path.data(), path.size());
    if (path.front() == '@') {
        addr.sun_path[0] = '\0'; // abstract namespace
    }
    len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + path.size());
    return addr;
}

} // namespace

bool service_managed() {
    const char* s = std::getenv("NOTIFY_SOCKET");
    return s != nullptr && *s != '\0';
}

Status service_notify(std::string_view state, std::span<const int> fds) {
    const char* path = std::getenv("NOTIFY_SOCKET");
    if (path == nullptr || *path == '\0') {
        return Ok{};
    }
    socklen_t len = 0;
    auto addr = notify_address(path, len);
    if (!addr) {
        return std::move(addr).error();
    }
    UniqueFd fd(::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    if (!fd) {
        return make_error(errno, "notify socket");
    }
    Status sent =
        send_with_fds(fd.get(), state, fds, reinterpret_cast<const sockaddr*>(&*addr), len);
    if (!sent) {
        return make_error(sent.error().code,
                          fmt::format("notifying the service manager at {}", path));
    }
    return Ok{};
}

std::map<std::string, int> take_listen_fds() {
    std::map<std::string, int> out;
    const char* pid = std::getenv("LISTEN_PID");
    const char* count = std::getenv("LISTEN_FDS");
    const char* names = std::getenv("LISTEN_FDNAMES");
    std::uint64_t n = count ? parse_u64(count).value_or(0) : 0;
    std::uint64_t p = pid ? parse_u64(pid).value_or(0) : 0;
    if (p == static_cast<std::uint64_t>(::getpid()) && n <= kMaxFds) {
        std::string_view rest = names ? names : "";
        for (std::uint64_t i = 0; i < n; ++i) {
            auto [name, tail] = split_first(rest, ':');
            rest = tail;
            int fd = kListenFdsStart + static_cast<int>(i);
            ::fcntl(fd, F_SETFD, FD_CLOEXEC);
            if (!out.emplace(name.empty() ? std::string("unknown") : std::string(name), fd)
                     .second) {
                ::close(fd); // a second descriptor of the same name: not ours to use
            }
        }
    }
    ::unsetenv("LISTEN_PID");
    ::unsetenv("LISTEN_FDS");
    ::unsetenv("LISTEN_FDNAMES");
    return out;
}

} // namespace lensfs::daemon
