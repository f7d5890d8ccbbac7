// control_probe: a raw client of the lensfs control socket for the integration tests, for the
// cases socat cannot play: a client that stalls mid-line, vanishes, floods the daemon with
// connections, sends over-long lines, or never reads its responses. Plain POSIX sockets.
//
//   control_probe stall SOCKET TEXT         send TEXT (no newline), then wait: prints what
//                                            the daemon sent and "closed after S s"
//   control_probe vanish SOCKET TEXT        send TEXT and close at once
//   control_probe oversize SOCKET BYTES [--no-newline]
//                                            send one ping request padded to BYTES (newline
//                                            included), print the response, then "closed" or
//                                            the response to a following ping
//   control_probe flood SOCKET N            hold N connections (each answers a ping), then
//                                            print the answer of connection N+1 and whether
//                                            it was closed; afterwards one more ping
//   control_probe noread SOCKET             send pings without reading any answer until the
//                                            daemon stops taking them; meanwhile a second
//                                            client's ping must be answered; then wait for
//                                            the daemon to drop the first client
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <poll.h>
#include <string>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <vector>

#include <fmt/format.h>

namespace {

using Clock = std::chrono::steady_clock;

[[noreturn]] void die(const std::string& what) {
    fmt::print(stderr, "control_probe: {}: {}\n", what, std::strerror(errno));
    std::exit(2);
}

double since(Clock::time_point start) {
    return std::chrono::duration<double>(Clock::now() - start).count();
}

int connect_to(const char* path) {
    int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        die("socket");
    }
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", path);
    if (::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) != 0) {
        die(fmt::format("connect {}", path));
    }
    return fd;
}

bool send_all(int fd, const std::string& data) {
    std::size_t done = 0;
    while (done < data.size()) {
        ssize_t n = ::send(fd, data.data() + done, data.size() - done, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return false;
        }
        done += static_cast<std::size_t>(n);
    }
    return true;
}

// Reads one line (without its newline); nullopt-like empty + closed flag on EOF or timeout.
struct LineResult {
    std::string line;
    bool got = false;
    bool closed = false;
};

LineResult read_line(int fd, int timeout_ms) {
    LineResult r;
    auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
    char c = 0;
    for (;;) {
        int left = static_cast<int>(
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count());
        pollfd p{fd, POLLIN, 0};
        if (left <= 0 || ::poll(&p, 1, left) <= 0) {
            return r;
        }
        ssize_t n = ::recv(fd, &c, 1, 0);
        if (n <= 0) {
            r.closed = true;
            return r;
        }
        if (c == '\n') {
            r.got = true;
            return r;
        }
        r.line.push_back(c);
    }
}

// True when the daemon closed its end within @p timeout_ms (any unread data is drained).
bool wait_closed(int fd, int timeout_ms) {
    for (;;) {
        LineResult r = read_line(fd, timeout_ms);
        if (r.closed) {
            return true;
        }
        if (!r.got) {
            return false;
        }
        fmt::print("extra: {}\n", r.line);
    }
}

void print_reply(const char* label, const LineResult& r) {
    if (r.got) {
        fmt::print("{}: {}\n", label, r.line);
    } else {
        fmt::print("{}: {}\n", label, r.closed ? "(closed)" : "(no answer)");
    }
}

int cmd_stall(const char* path, const std::string& text) {
    int fd = connect_to(path);
    auto start = Clock::now();
    if (!send_all(fd, text)) {
        die("send");
    }
    print_reply("reply", read_line(fd, 120'000));
    bool closed = wait_closed(fd, 10'000);
    fmt::print("{} after {:.1f} s\n", closed ? "closed" : "still open", since(start));
    return 0;
}

int cmd_vanish(const char* path, const std::string& text) {
    int fd = connect_to(path);
    send_all(fd, text);
    ::close(fd);
    fmt::print("vanished\n");
    return 0;
}

std::string padded_ping(std::size_t bytes, bool newline) {
    std::string head = R"({"op":"ping","pad":")";
    std::string tail = newline ? "\"}\n" : "\"}";
    std::size_t fixed = head.size() + tail.size();
    return head + std::string(bytes > fixed ? bytes - fixed : 0, 'x') + tail;
}

int cmd_oversize(const char* path, std::size_t bytes, bool newline) {
    int fd = connect_to(path);
    std::string line = padded_ping(bytes, newline);
    fmt::print("sent {} bytes\n", line.size());
    send_all(fd, line); // the daemon may close before taking it all
    print_reply("reply", read_line(fd, 10'000));
    if (send_all(fd, "{\"op\":\"ping\",\"seq\":2}\n")) {
        LineResult r = read_line(fd, 5'000);
        if (r.got) {
            print_reply("next", r);
            return 0;
        }
    }
    fmt::print("next: (closed)\n");
    return 0;
}

bool ping(int fd, std::string& reply) {
    if (!send_all(fd, "{\"op\":\"ping\"}\n")) {
        return false;
    }
    LineResult r = read_line(fd, 5'000);
    reply = r.line;
    return r.got;
}

int cmd_flood(const char* path, int count) {
    std::vector<int> held;
    int answered = 0;
    std::string reply;
    for (int i = 0; i < count; ++i) {
        held.push_back(connect_to(path));
        answered += ping(held.back(), reply) && reply == R"({"ok":true})" ? 1 : 0;
    }
    fmt::print("held {} connections, {} answered ping\n", count, answered);
    int extra = connect_to(path);
    print_reply("extra", read_line(extra, 5'000));
    fmt::print("extra {}\n", wait_closed(extra, 5'000) ? "closed" : "still open");
    ::close(extra);
    for (int fd : held) {
        ::close(fd);
    }
    // The daemon notices the closed connections asynchronously: retry briefly.
    for (int attempt = 0; attempt < 50; ++attempt) {
        int fd = connect_to(path);
        bool ok = ping(fd, reply) && reply == R"({"ok":true})";
        ::close(fd);
        if (ok) {
            fmt::print("after: ping ok\n");
            return 0;
        }
        ::usleep(100'000);
    }
    fmt::print("after: ping failed ({})\n", reply);
    return 0;
}

// Sends pings without reading until no more is taken for 300 ms; returns the bytes sent.
std::size_t stuff(int fd) {
    std::string batch;
    for (int i = 0; i < 4096; ++i) {
        batch += "{\"op\":\"ping\"}\n";
    }
    std::size_t sent = 0;
    auto last_progress = Clock::now();
    while (since(last_progress) < 0.3 && sent < (std::size_t{256} << 20)) {
        ssize_t n = ::send(fd, batch.data(), batch.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
        if (n > 0) {
            sent += static_cast<std::size_t>(n);
            last_progress = Clock::now();
        } else if (n < 0 && errno != EAGAIN && errno != EINTR) {
            break;
        } else {
            ::usleep(10'000);
        }
    }
    return sent;
}

int cmd_noread(const char* path) {
    int stuck = connect_to(path);
    auto start = Clock::now();
    std::size_t sent = stuff(stuck);
    fmt::print("the daemon stopped taking requests after {} MiB\n", sent >> 20);
    int other = connect_to(path);
    auto t = Clock::now();
    std::string reply;
    bool ok = ping(other, reply);
    fmt::print("other client: {} in {:.3f} s\n", ok ? reply : "(no answer)", since(t));
    ::close(other);
    // Closed by the daemon: POLLRDHUP while our receive queue is still full.
    pollfd p{stuck, POLLRDHUP, 0};
    int rc = ::poll(&p, 1, 60'000);
    fmt::print("stuck client: {} after {:.1f} s\n",
               rc > 0 && (p.revents & (POLLRDHUP | POLLHUP)) ? "dropped" : "not dropped",
               since(start));
    ::close(stuck);
    return 0;
}

} // namespace

int main(int argc, char** argv) {
    std::string cmd = argc > 2 ? argv[1] : "";
    if (cmd == "stall" && argc == 4) {
        return cmd_stall(argv[2], argv[3]);
    }
    if (cmd == "vanish" && argc == 4) {
        return cmd_vanish(argv[2], argv[3]);
    }
    if (cmd == "oversize" && (argc == 4 || argc == 5)) {
        return cmd_oversize(argv[2], std::strtoull(argv[3], nullptr, 10), argc == 4);
    }
    if (cmd == "flood" && argc == 4) {
        return cmd_flood(argv[2], std::atoi(argv[3]));
    }
    if (cmd == "noread" && argc == 3) {
        return cmd_noread(argv[2]);
    }
    fmt::print(stderr, "usage: control_probe stall|vanish|oversize|flood|noread SOCKET ...\n");
    return 2;
}
