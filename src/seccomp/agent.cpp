#include "seccomp/agent.hpp"

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fmt/format.h>

#include "seccomp/notify.hpp"
#include "seccomp/process_state.hpp"
#include "util/fd_passing.hpp"
#include "util/log.hpp"

namespace lensfs::seccomp {

namespace {

using Clock = std::chrono::steady_clock;

constexpr std::uint64_t kSocketKey = 0;
constexpr std::uint64_t kWakeKey = 1;
constexpr std::uint64_t kLowestKeyBase = 1ULL << 32; // far from the two keys above
constexpr std::size_t kMaxFdsPerMessage = 8;

RateLimit g_peer_refusals;              // anyone who can connect: at most one line in 10 s
RateLimit g_refusals{100};              // root senders: every refusal, unless a flood

bool process_alive(pid_t pid) {
    return ::kill(pid, 0) == 0 || errno == EPERM;
}

// Reads a runtime's message and the descriptors that came with it, until the runtime
// closes the connection, the message is too big or the deadline passes.
Status read_sender(int conn, Clock::time_point deadline, std::string& text,
                   std::vector<UniqueFd>& fds) {
    char buf[16384];
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int) * kMaxFdsPerMessage)];
    for (;;) {
        iovec iov{buf, sizeof(buf)};
        msghdr msg{};
        msg.msg_iov = &iov;
        msg.msg_iovlen = 1;
        msg.msg_control = control;
        msg.msg_controllen = sizeof(control);
        ssize_t n = ::recvmsg(conn, &msg, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
        if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
            auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline -
                                                                              Clock::now());
            if (left.count() <= 0) {
                return Error{ETIMEDOUT, "the sender sent no complete message in time"};
            }
            pollfd p{conn, POLLIN, 0};
            ::poll(&p, 1, static_cast<int>(left.count()));
            continue;
        }
        if (n < 0) {
            return make_error(errno, "reading the sender's message");
        }
        take_passed_fds(msg, fds);
        if ((msg.msg_flags & MSG_CTRUNC) != 0) {
            return Error{EINVAL, "the sender passed more descriptors than a runtime does"};
        }
        if (n == 0) {
            return Ok{};
        }
        text.append(buf, static_cast<std::size_t>(n));
        if (text.size() > kMaxStateBytes) {
            return Error{E2BIG, "the sender's message is too big"};
        }
        // A runtime need not close the connection (runc exec keeps it open while its
        // process starts): one whole document with its descriptor is the message.
        if (!fds.empty() && decode_process_state(text)) {
            return Ok{};
        }
    }
}

} // namespace

struct Agent::Taken {
    std::uint64_t key;
    int fd;
    Notification n;
};

Agent::Agent(int socket, AgentConfig config) : socket_(socket), config_(std::move(config)) {
    next_key_ = std::max(config_.key_base, kLowestKeyBase);
}

Agent::~Agent() {
    stop();
}

Status Agent::start() {
    epoll_ = UniqueFd(::epoll_create1(EPOLL_CLOEXEC));
    wake_ = UniqueFd(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
    if (!epoll_ || !wake_) {
        return make_error(errno, "seccomp agent: epoll");
    }
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u64 = kWakeKey;
    ::epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, wake_.get(), &ev);
    if (socket_ >= 0) {
        ev.data.u64 = kSocketKey;
        if (::epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, socket_, &ev) != 0) {
            return make_error(errno, "seccomp agent: watching the seccomp socket");
        }
    }
    stopping_ = false;
    thread_ = std::thread([this] { run(); });
    return Ok{};
}

void Agent::stop() {
    if (!thread_.joinable()) {
        return;
    }
    stopping_ = true;
    std::uint64_t one = 1;
    (void)::write(wake_.get(), &one, sizeof(one));
    thread_.join();
    listeners_.clear();
    count_ = 0;
}

void Agent::adopt(std::vector<KeptListener> listeners) {
    {
        std::lock_guard lock(mu_);
        for (auto& l : listeners) {
            pending_.push_back(std::move(l));
        }
    }
    std::uint64_t one = 1;
    (void)::write(wake_.get(), &one, sizeof(one));
}

void Agent::adopt_pending() {
    std::vector<KeptListener> batch;
    {
        std::lock_guard lock(mu_);
        batch.swap(pending_);
    }
    for (auto& l : batch) {
        if (listeners_.count(l.key) == 0) {
            add(std::move(l), false);
        }
    }
}

void Agent::add(KeptListener l, bool from_runtime) {
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u64 = l.key;
    if (::epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, l.fd.get(), &ev) != 0) {
        log_warn("seccomp: cannot watch the listener of container {}: {}", l.id,
                 std::strerror(errno));
        return;
    }
    if (from_runtime && config_.received) {
        config_.received(l.key, l.id, l.fd.get());
    }
    std::uint64_t key = l.key;
    listeners_.emplace(key, std::move(l));
    count_ = listeners_.size();
}

void Agent::drop(std::uint64_t key, const char* why) {
    auto it = listeners_.find(key);
    if (it == listeners_.end()) {
        return;
    }
    log_debug("seccomp: container {}: {}; its listener is closed", it->second.id, why);
    ::epoll_ctl(epoll_.get(), EPOLL_CTL_DEL, it->second.fd.get(), nullptr);
    listeners_.erase(it);
    count_ = listeners_.size();
    ++counters_.listeners_gone;
}

void Agent::accept_senders() {
    for (;;) {
        UniqueFd conn(::accept4(socket_, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK));
        if (!conn) {
            return; // EAGAIN: nobody else waits (the socket is non-blocking)
        }
        take_sender(std::move(conn));
    }
}

void Agent::take_sender(UniqueFd conn) {
    ucred peer{};
    socklen_t len = sizeof(peer);
    if (::getsockopt(conn.get(), SOL_SOCKET, SO_PEERCRED, &peer, &len) != 0 || peer.uid != 0) {
        ++counters_.senders_refused;
        log_warn_limited(g_peer_refusals,
                         "seccomp: refused a sender (pid {}, uid {}): only root may send "
                         "listeners",
                         peer.pid, peer.uid);
        return;
    }
    std::string text;
    std::vector<UniqueFd> fds;
    Status st = read_sender(conn.get(), Clock::now() + config_.sender_timeout, text, fds);
    Result<ProcessState> state = st ? decode_process_state(text) : Result<ProcessState>(st.error());
    const auto refuse = [&](const std::string& why) {
        ++counters_.senders_refused;
        log_warn_limited(g_refusals, "seccomp: refused a listener from pid {}: {}", peer.pid, why);
    };
    if (!state) {
        refuse(state.error().message());
        return;
    }
    if (state->listener_index >= fds.size()) {
        refuse(fmt::format("container {}: the message carries {} descriptors, no listener",
                           state->id, fds.size()));
        return;
    }
    UniqueFd listener = std::move(fds[state->listener_index]);
    if (!is_listener(listener.get())) {
        refuse(fmt::format("container {}: the descriptor is not a seccomp listener", state->id));
        return;
    }
    if (!process_alive(state->pid)) {
        refuse(fmt::format("container {}: its process {} is gone", state->id, state->pid));
        return;
    }
    ++counters_.listeners_received;
    log_info("seccomp: container {} (pid {}): answering its sysinfo(2) calls", state->id,
             state->pid);
    add(KeptListener{++next_key_, state->id, std::move(listener)}, true);
}

bool Agent::answer_one(int fd, const Notification& n) {
    if (!is_native_sysinfo(n) || n.pid <= 0 || !config_.answer) {
        return false;
    }
    std::optional<struct sysinfo> si = config_.answer(n.pid);
    // The caller must still wait before its memory is written: its pid then names it.
    if (!si || !still_waiting(fd, n.id) ||
        !write_to(n.pid, n.args[0], &*si, sizeof(*si))) {
        return false; // a bad address: the kernel answers EFAULT itself
    }
    return static_cast<bool>(answer(fd, n.id, 0));
}

void Agent::serve(const std::vector<Taken>& taken) {
    auto deadline = Clock::now() + config_.budget;
    for (std::size_t i = 0; i < taken.size(); ++i) {
        const Taken& t = taken[i];
        bool done = Clock::now() < deadline && answer_one(t.fd, t.n);
        if (!done) {
            (void)let_through(t.fd, t.n.id); // ENOENT: the caller is gone
        }
        if (config_.in_flight != nullptr) {
            config_.in_flight->clear(i);
        }
        ++(done ? counters_.answered : counters_.let_through);
    }
}

void Agent::run() {
    std::vector<epoll_event> events(64);
    std::vector<Taken> taken;
    taken.reserve(InFlight::kSlots);
    while (!stopping_) {
        int n = ::epoll_wait(epoll_.get(), events.data(), static_cast<int>(events.size()), -1);
        if (n < 0) {
            continue;
        }
        taken.clear();
        for (int i = 0; i < n; ++i) {
            std::uint64_t key = events[i].data.u64;
            if (key == kWakeKey) {
                std::uint64_t count = 0;
                (void)::read(wake_.get(), &count, sizeof(count));
                adopt_pending();
                continue;
            }
            if (key == kSocketKey) {
                accept_senders();
                continue;
            }
            auto it = listeners_.find(key);
            if (it == listeners_.end()) {
                continue;
            }
            bool readable = (events[i].events & EPOLLIN) != 0;
            bool hung_up = (events[i].events & (EPOLLHUP | EPOLLERR)) != 0;
            if (readable && taken.size() < InFlight::kSlots) {
                // Level-triggered: calls left waiting (more than kSlots) come back next round.
                auto note = receive(it->second.fd.get());
                if (note) {
                    if (config_.in_flight != nullptr) {
                        config_.in_flight->mark(taken.size(), key, note->id);
                    }
                    taken.push_back(Taken{key, it->second.fd.get(), *note});
                } else if (hung_up) {
                    drop(key, "its last process is gone");
                }
            } else if (hung_up && !readable) {
                drop(key, "its last process is gone");
            }
        }
        serve(taken);
    }
}

} // namespace lensfs::seccomp
