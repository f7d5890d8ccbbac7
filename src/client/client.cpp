#include "client/client.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "protocol/protocol.hpp"

namespace lensfs::client {

namespace {

constexpr std::int64_t kNsPerMs = 1'000'000;
constexpr std::size_t kReadChunk = std::size_t{64} * 1024;
// A full listen backlog makes a Unix connect() fail with EAGAIN instead of waiting; retry
// at this interval until the deadline.
constexpr int kBacklogRetryMs = 5;

std::int64_t monotonic_ns() noexcept {
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

Error errno_error(const char* what) {
    return make_error(errno, what);
}

// Waits until @p fd is ready for @p events. ETIMEDOUT when the deadline passes first.
Status wait_for(int fd, short events, Deadline deadline, const char* what) {
    for (;;) {
        pollfd p{fd, events, 0};
        int n = ::poll(&p, 1, deadline.remaining_ms());
        if (n > 0) {
            return Ok{};
        }
        if (n == 0) {
            return make_error(ETIMEDOUT, what);
        }
        if (errno != EINTR) {
            return errno_error(what);
        }
    }
}

Result<sockaddr_un> socket_address(const std::string& path) {
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (path.empty() || path.size() >= sizeof(addr.sun_path)) {
        return make_error(path.empty() ? EINVAL : ENAMETOOLONG, "socket path");
    }
    std::memcpy(addr.sun_path, path.data(), path.size());
    return addr;
}

// The connect() of a non-blocking socket that did not complete at once.
Status finish_connect(int fd, Deadline deadline) {
    if (Status st = wait_for(fd, POLLOUT, deadline, "connect"); !st) {
        return st;
    }
    int err = 0;
    socklen_t len = sizeof(err);
    if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0) {
        return errno_error("connect");
    }
    return err == 0 ? Status(Ok{}) : Status(make_error(err, "connect"));
}

Status connect_fd(int fd, const sockaddr_un& addr, Deadline deadline) {
    const auto* sa = reinterpret_cast<const sockaddr*>(&addr);
    for (;;) {
        if (::connect(fd, sa, sizeof(addr)) == 0) {
            return Ok{};
        }
        if (errno == EINPROGRESS) {
            return finish_connect(fd, deadline);
        }
        if (errno == EAGAIN) {
            if (deadline.passed()) {
                return make_error(ETIMEDOUT, "connect (the daemon's backlog is full)");
            }
            ::poll(nullptr, 0, std::min(kBacklogRetryMs, deadline.remaining_ms()));
        } else if (errno != EINTR) {
            return errno_error("connect");
        }
    }
}

} // namespace

std::string socket_path(const char* explicit_path) {
    if (explicit_path != nullptr && *explicit_path != '\0') {
        return explicit_path;
    }
    // getenv is safe as long as nobody changes the environment meanwhile (documented).
    const char* env = std::getenv(kSocketEnv); // NOLINT(concurrency-mt-unsafe)
    if (env != nullptr && *env != '\0') {
        return env;
    }
    return std::string(kDefaultSocket);
}

Deadline Deadline::after(int timeout_ms) noexcept {
    std::int64_t ms = timeout_ms > 0 ? timeout_ms : kDefaultTimeoutMs;
    return Deadline(monotonic_ns() + ms * kNsPerMs);
}

int Deadline::remaining_ms() const noexcept {
    std::int64_t left = at_ns_ - monotonic_ns();
    if (left <= 0) {
        return 0;
    }
    // Round up, so that poll() never wakes a little early and spins.
    return static_cast<int>((left + kNsPerMs - 1) / kNsPerMs);
}

int errno_for(ErrorCode code) {
    switch (code) {
    case ErrorCode::not_found:
        return ESRCH;
    case ErrorCode::missing_field:
    case ErrorCode::wrong_type:
    case ErrorCode::invalid_value:
        return EINVAL;
    case ErrorCode::too_large:
        return E2BIG;
    case ErrorCode::permission_denied:
        return EACCES;
    case ErrorCode::busy:
        return EAGAIN;
    case ErrorCode::timeout:
        return ETIMEDOUT;
    case ErrorCode::internal:
        return EIO;
    case ErrorCode::bad_json:
    case ErrorCode::not_object:
    case ErrorCode::unknown_op:
        break;
    }
    return EPROTO;
}

Error to_error(const ProtocolError& error) {
    return Error{errno_for(error.code), error.message};
}

Result<Connection> Connection::connect(const std::string& path, Deadline deadline) {
    auto addr = socket_address(path);
    if (!addr) {
        return std::move(addr).error();
    }
    UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
    if (!fd) {
        return errno_error("socket");
    }
    if (Status st = connect_fd(fd.get(), *addr, deadline); !st) {
        return std::move(st).error();
    }
    return Connection(std::move(fd), path);
}

Status Connection::send_line(std::string_view line, Deadline deadline) {
    while (!line.empty()) {
        // MSG_NOSIGNAL: a daemon that went away must not kill the runtime with SIGPIPE.
        ssize_t n = ::send(fd_.get(), line.data(), line.size(), MSG_NOSIGNAL);
        if (n >= 0) {
            line.remove_prefix(static_cast<std::size_t>(n));
        } else if (errno == EAGAIN) {
            if (Status st = wait_for(fd_.get(), POLLOUT, deadline, "send"); !st) {
                return st;
            }
        } else if (errno != EINTR) {
            return errno_error("send");
        }
    }
    return Ok{};
}

Result<std::string> Connection::read_line(Deadline deadline) {
    for (;;) {
        if (auto nl = pending_.find('\n'); nl != std::string::npos) {
            std::string line = pending_.substr(0, nl);
            pending_.erase(0, nl + 1);
            return line;
        }
        if (pending_.size() > kMaxResponseBytes) {
            return make_error(EMSGSIZE, "response line too long");
        }
        if (Status st = wait_for(fd_.get(), POLLIN, deadline, "waiting for the response"); !st) {
            return std::move(st).error();
        }
        std::size_t old = pending_.size();
        pending_.resize(old + kReadChunk);
        ssize_t n = ::recv(fd_.get(), pending_.data() + old, kReadChunk, 0);
        pending_.resize(old + static_cast<std::size_t>(n > 0 ? n : 0));
        if (n == 0) {
            return make_error(ECONNRESET, "the daemon closed the connection without answering");
        }
        if (n < 0 && errno != EINTR && errno != EAGAIN) {
            return errno_error("receive");
        }
    }
}

Result<Response> Connection::call(Request request, Deadline deadline) {
    std::int64_t seq = next_seq_++;
    request.seq = seq;
    if (Status st = send_line(encode_request(request), deadline); !st) {
        return std::move(st).error();
    }
    auto line = read_line(deadline);
    if (!line) {
        return std::move(line).error();
    }
    auto response = decode_response(*line);
    if (!response) {
        return make_error(EPROTO, "malformed response: " + response.error().message);
    }
    // Errors the daemon sends before it could read a seq (busy, permission_denied, too_large)
    // carry none; anything else must answer this request.
    if (response->seq && *response->seq != seq) {
        return make_error(EPROTO, "the response answers another request");
    }
    return std::move(response).value();
}

Result<Response> call(const std::string& path, const Request& request, int timeout_ms) {
    Deadline deadline = Deadline::after(timeout_ms);
    auto with_path = [&](Error e) {
        e.context = "lensfs at " + path + ": " + e.context;
        return e;
    };
    auto conn = Connection::connect(path, deadline);
    if (!conn) {
        return with_path(std::move(conn).error());
    }
    auto response = conn->call(request, deadline);
    if (!response) {
        return with_path(std::move(response).error());
    }
    return response;
}

} // namespace lensfs::client
