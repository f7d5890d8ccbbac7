#include "control/listener.hpp"

#include <cerrno>
#include <cstring>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <fmt/format.h>

#include "util/log.hpp"

namespace lensfs::control {

namespace {

constexpr int kBacklog = 128;

Status make_parent_dirs(const std::string& path) {
    for (std::size_t pos = path.find('/', 1); pos != std::string::npos;
         pos = path.find('/', pos + 1)) {
        std::string dir = path.substr(0, pos);
        if (::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) {
            return make_error(errno, fmt::format("cannot create the socket directory {}", dir));
        }
    }
    return Ok{};
}

Result<sockaddr_un> socket_address(const std::string& path) {
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (path.empty() || path.front() != '/') {
        return Error{EINVAL, fmt::format("socket path must be absolute, not '{}'", path)};
    }
    if (path.size() >= sizeof(addr.sun_path)) {
        return Error{ENAMETOOLONG, fmt::format("socket path {} is longer than {} bytes", path,
                                               sizeof(addr.sun_path) - 1)};
    }
    std::memcpy(addr.sun_path, path.data(), path.size());
    return addr;
}

Result<UniqueFd> new_socket() {
    UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (!fd) {
        return make_error(errno, "cannot create a Unix socket");
    }
    return fd;
}

// A socket file left behind by a daemon that died is removed; one that answers belongs to a
// running daemon and is left alone.
Status clear_stale(const std::string& path, const sockaddr_un& addr) {
    struct stat st {};
    if (::lstat(path.c_str(), &st) != 0) {
        return errno == ENOENT ? Status{Ok{}} : make_error(errno, path);
    }
    if (!S_ISSOCK(st.st_mode)) {
        return Error{EEXIST, fmt::format("{} exists and is not a socket; remove it or choose "
                                         "another --socket",
                                         path)};
    }
    auto probe = new_socket();
    if (!probe) {
        return std::move(probe).error();
    }
    // NOLINTNEXTLINE(cppcoreguidelines-pro-type-reinterpret-cast): the sockets API
    if (::connect(probe->get(), reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) == 0 ||
        errno == EAGAIN) {
        return Error{EADDRINUSE, fmt::format("another lensfs daemon is already listening on {} "
                                             "(stop it, or give this one another --socket)",
                                             path)};
    }
    if (errno != ECONNREFUSED && errno != ENOENT) {
        return make_error(errno, fmt::format("cannot tell whether {} is in use", path));
    }
    if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
        return make_error(errno, fmt::format("cannot remove the stale socket {}", path));
    }
    log_info("removed the stale control socket {} of a daemon that is gone", path);
    return Ok{};
}

// The umask makes the file 0600 from the moment it exists; a group widens it afterwards.
// umask is process-wide: this runs at start-up, before any other thread exists.
Status bind_private(int fd, const sockaddr_un& addr, const std::string& path) {
    mode_t old = ::umask(0177);
    // NOLINTNEXTLINE(cppcoreguidelines-pro-type-reinterpret-cast): the sockets API
    int rc = ::bind(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof(addr));
    int err = errno;
    ::umask(old);
    if (rc != 0) {
        return make_error(err, fmt::format("cannot bind the control socket {}", path));
    }
    return Ok{};
}

Status set_access(const std::string& path, std::optional<gid_t> group) {
    if (group && ::chown(path.c_str(), static_cast<uid_t>(-1), *group) != 0) {
        return make_error(errno, fmt::format("cannot give {} to group {}", path, *group));
    }
    if (::chmod(path.c_str(), group ? 0660 : 0600) != 0) {
        return make_error(errno, fmt::format("cannot set the mode of {}", path));
    }
    return Ok{};
}

} // namespace

Result<Listener> open_listener(const ListenerConfig& config) {
    auto addr = socket_address(config.path);
    if (!addr) {
        return std::move(addr).error();
    }
    if (Status st = make_parent_dirs(config.path); !st) {
        return std::move(st).error();
    }
    if (Status st = clear_stale(config.path, *addr); !st) {
        return std::move(st).error();
    }
    auto fd = new_socket();
    if (!fd) {
        return std::move(fd).error();
    }
    Listener listener{std::move(*fd), config.path};
    if (Status st = bind_private(listener.fd.get(), *addr, config.path); !st) {
        return std::move(st).error();
    }
    struct stat st {};
    if (::stat(config.path.c_str(), &st) == 0) {
        listener.dev = st.st_dev;
        listener.ino = st.st_ino;
    }
    Status access = set_access(config.path, config.group);
    if (access && ::listen(listener.fd.get(), kBacklog) != 0) {
        access = make_error(errno, fmt::format("cannot listen on {}", config.path));
    }
    if (!access) {
        remove_socket_file(listener);
        return std::move(access).error();
    }
    return listener;
}

void remove_socket_file(const Listener& listener) noexcept {
    struct stat st {};
    if (listener.path.empty() || ::lstat(listener.path.c_str(), &st) != 0) {
        return;
    }
    if (st.st_dev == listener.dev && st.st_ino == listener.ino) {
        ::unlink(listener.path.c_str());
    }
}

} // namespace lensfs::control
