#include "control/server.hpp"

#include <csignal>
#include <exception>
#include <pthread.h>
#include <thread>
#include <vector>

#include "control/asio.hpp"
#include "control/connection.hpp"
#include "control/peer.hpp"
#include "protocol/protocol.hpp"
#include "util/boundary.hpp"
#include "util/log.hpp"

namespace lensfs::control {

namespace {

// After a failed accept (out of file descriptors, say), wait before the next one instead of
// spinning on the error.
constexpr std::chrono::milliseconds kAcceptRetry{100};

struct PeriodicTask {
    std::chrono::milliseconds period;
    std::function<void()> run;
};

// Answers a refused connection with one line, without waiting for a client that may never
// read it, and closes it.
void reject(Socket& socket, const ProtocolError& error) {
    IoError ignored;
    socket.non_blocking(true, ignored);
    std::string line = encode_error(error);
    socket.write_some(asio::buffer(line), ignored);
    socket.shutdown(Socket::shutdown_both, ignored);
    socket.close(ignored);
}

std::string who(const PeerCredentials& peer) {
    return fmt::format("uid {} gid {} pid {}", peer.uid, peer.gid, peer.pid);
}

} // namespace

struct ControlServer::Impl {
    Impl(Listener l, Services& s, ServerConfig c)
        : listener(std::move(l)),
          config(c), context{s, counters}, limits{c.idle_timeout, c.high_water} {}

    void accept_next();
    void on_accept(const IoError& ec, Socket socket);
    void admit(Socket socket);
    void schedule(std::size_t task);
    void run_loop() noexcept;
    void shutdown() noexcept;

    Listener listener;
    ServerConfig config;
    ControlCounters counters;
    HandlerContext context;
    ConnectionLimits limits;
    std::size_t live = 0; ///< open connections; outlives io (connections die with it)
    std::vector<PeriodicTask> tasks;
    std::unique_ptr<asio::io_context> io;
    std::unique_ptr<Acceptor> acceptor;
    std::unique_ptr<asio::steady_timer> retry;
    std::vector<std::unique_ptr<asio::steady_timer>> task_timers;
    std::thread thread;
};

void ControlServer::Impl::accept_next() {
    acceptor->async_accept(
        [this](const IoError& ec, Socket socket) { on_accept(ec, std::move(socket)); });
}

void ControlServer::Impl::on_accept(const IoError& ec, Socket socket) {
    if (ec == asio::error::operation_aborted) {
        return;
    }
    if (ec) {
        static RateLimit limit;
        log_warn_limited(limit, "control: accept failed: {}", ec.message());
        retry->expires_after(kAcceptRetry);
        retry->async_wait([this](const IoError& e) {
            if (!e) {
                accept_next();
            }
        });
        return;
    }
    at_boundary([&] { admit(std::move(socket)); },
                [&](const Error& e) {
                    counters.internal.fetch_add(1, std::memory_order_relaxed);
                    log_error("control: cannot serve a new connection: {}", e.context);
                });
    accept_next();
}

void ControlServer::Impl::admit(Socket socket) {
    auto peer = peer_credentials(socket.native_handle());
    if (!peer || !peer_allowed(*peer, config.group)) {
        static RateLimit limit;
        log_warn_limited(limit, "control: refused a connection from {}",
                         peer ? who(*peer) : peer.error().message());
        counters.rejected.fetch_add(1, std::memory_order_relaxed);
        reject(socket, {ErrorCode::permission_denied,
                        config.group ? "only root and members of the socket's group may use it"
                                     : "only root may use this socket",
                        {}});
        return;
    }
    if (live >= config.max_connections) {
        static RateLimit limit;
        log_warn_limited(limit, "control: refused a connection from {}: {} connections open",
                         who(*peer), live);
        counters.rejected.fetch_add(1, std::memory_order_relaxed);
        reject(socket, {ErrorCode::busy,
                        fmt::format("too many connections (at most {})", config.max_connections),
                        {}});
        return;
    }
    log_debug("control: connection from {}", who(*peer));
    std::make_shared<Connection>(std::move(socket), context, limits, live)->start();
}

void ControlServer::Impl::schedule(std::size_t task) {
    asio::steady_timer& timer = *task_timers[task];
    timer.expires_after(tasks[task].period);
    timer.async_wait([this, task](const IoError& ec) {
        if (ec) {
            return;
        }
        at_boundary(
            [&] { tasks[task].run(); },
            [](const Error& e) { log_error("control: periodic task failed: {}", e.context); });
        schedule(task);
    });
}

// Handlers catch their own exceptions; this is the last line, so that one escaping
// exception does not end the control thread (and with it the process).
void ControlServer::Impl::run_loop() noexcept {
    bool stopped = false;
    while (!stopped) {
        stopped = at_boundary(
            [&] {
                io->run();
                return true;
            },
            [&](const Error& e) {
                counters.internal.fetch_add(1, std::memory_order_relaxed);
                log_error("control: unexpected failure: {}", e.context);
                return false;
            });
    }
}

void ControlServer::Impl::shutdown() noexcept {
    if (io) {
        io->stop();
    }
    if (thread.joinable()) {
        thread.join();
    }
    // Asio objects go before their io_context; destroying it frees the connections its
    // pending operations still hold, which closes their sockets.
    task_timers.clear();
    retry.reset();
    acceptor.reset();
    io.reset();
    remove_socket_file(listener);
    listener.path.clear();
}

ControlServer::ControlServer(Listener listener, Services& services, ServerConfig config)
    : impl_(std::make_unique<Impl>(std::move(listener), services, config)) {}

ControlServer::~ControlServer() {
    stop();
}

void ControlServer::every(std::chrono::milliseconds period, std::function<void()> task) {
    impl_->tasks.push_back({period, std::move(task)});
}

Status ControlServer::start() {
    Impl& s = *impl_;
    try {
        s.io = std::make_unique<asio::io_context>(1);
        s.retry = std::make_unique<asio::steady_timer>(*s.io);
        for (std::size_t i = 0; i < s.tasks.size(); ++i) {
            s.task_timers.push_back(std::make_unique<asio::steady_timer>(*s.io));
            s.schedule(i);
        }
        // Without a socket (--no-socket) the loop still runs the periodic tasks.
        if (s.listener.fd) {
            s.acceptor = std::make_unique<Acceptor>(*s.io);
            s.acceptor->assign(asio::local::stream_protocol(), s.listener.fd.release());
            s.accept_next();
        }
    } catch (const std::exception& e) {
        return Error{EIO, fmt::format("cannot start the control server: {}", e.what())};
    }
    sigset_t all{};
    sigset_t old{};
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, &old);
    try {
        s.thread = std::thread([&s] { s.run_loop(); });
    } catch (const std::system_error& e) {
        pthread_sigmask(SIG_SETMASK, &old, nullptr);
        return Error{e.code().value(), "cannot start the control thread"};
    }
    pthread_sigmask(SIG_SETMASK, &old, nullptr);
    if (s.acceptor) {
        log_info("control socket {} ({})", s.listener.path,
                 s.config.group ? fmt::format("root and group {}", *s.config.group) : "root only");
    }
    return Ok{};
}

void ControlServer::stop() noexcept {
    if (impl_) {
        impl_->shutdown();
    }
}

const ControlCounters& ControlServer::counters() const {
    return impl_->counters;
}

} // namespace lensfs::control
