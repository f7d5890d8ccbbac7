#include "daemon/server.hpp"

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <malloc.h>
#include <memory>
#include <optional>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "client/client.hpp"
#include "control/server.hpp"
#include "daemon/listener_channel.hpp"
#include "daemon/registry_wiring.hpp"
#include "daemon/sysinfo_service.hpp"
#include "daemon/view_of.hpp"
#include "fuse/session.hpp"
#include "registry/registry.hpp"
#include "util/clock.hpp"
#include "util/file.hpp"
#include "util/log.hpp"
#include "util/parse.hpp"
#include "view/engine.hpp"

namespace lensfs::daemon {

namespace {

constexpr std::chrono::seconds kPruneInterval{60};
constexpr const char* kLogLevelFile = "log-level";

constexpr std::pair<std::string_view, LogLevel> kLevels[] = {
    {"debug", LogLevel::debug},
    {"info", LogLevel::info},
    {"warning", LogLevel::warning},
    {"error", LogLevel::error},
};

const std::pair<std::string_view, LogLevel>* find_level(std::string_view word) {
    for (const auto& entry : kLevels) {
        if (entry.first == word) {
            return &entry;
        }
    }
    return nullptr;
}

Result<cgroup::Layout> load_layout(const Options& o) {
    return o.cgroup_root.empty() ? cgroup::Layout::discover()
                                 : cgroup::Layout::from_root(o.cgroup_root);
}

Result<std::string> read_init(int fd) {
    std::string out;
    if (Status st = pread_all(fd, "the saved INIT request", out); !st) {
        return std::move(st).error();
    }
    return out;
}

// Everything one server process runs: the engine and registry, the FUSE workers, and the
// control server while it owns the control socket.
class ServerProcess {
public:
    ServerProcess(const Options& o, const Handoff& h, cgroup::Layout layout, host::HostProc proc)
        : o_(o), h_(h), engine_(std::move(layout), std::move(proc),
                                view::Options{o.cpu_quota_view, o.swap,
                                              std::chrono::milliseconds(o.render_window_ms)}),
          registry_(o.state_dir), cx_(engine_, static_cast<std::uint32_t>(h.generation)) {}

    Status start();
    int loop(int signals);

private:
    void start_control();
    void stop_control();
    void on_keeper_datagram(ChannelDatagram& d);
    void send(Message m);
    void on_message(Message m);
    void log_status();
    void save_loadavg();
    void reload();
    std::string_view apply_log_level();
    void restore_loadavg();
    [[nodiscard]] std::string state_file(const char* name) const {
        return o_.state_dir + "/" + name;
    }

    const Options& o_;
    Handoff h_;
    view::Engine engine_;
    Registry registry_;
    fuse::Context cx_;
    std::unique_ptr<fuse::Server> fuse_;
    std::unique_ptr<control::Services> services_;
    std::unique_ptr<control::ControlServer> control_;
    SysinfoService sysinfo_{o_, h_, engine_}; ///< its agent runs while control_ does
    double started_boottime_s_ = boottime_now();
    bool done_ = false;
    bool first_control_ = true; ///< the registry start() loaded is current
};

Status ServerProcess::start() {
    apply_log_level();
    load_registry(registry_);
    engine_.set_lookup([this](std::string_view cg) { return registry_.longest_containing(cg); });
    cx_.containers = containers_of(registry_);
    cx_.resolve = view_of_resolver(o_.view_of, engine_, registry_, o_.control_socket,
                                   o_.socket_given ? o_.socket : client::socket_path(nullptr));
    cx_.host.persist_numbers(mount_state_file(o_, "host-entries"));
    restore_loadavg(); // before the first read: a baseline taken now would hide the saved one
    auto init = read_init(h_.init_fd);
    if (!init) {
        return std::move(init).error();
    }
    auto server = fuse::Server::take_over(cx_, h_.fuse_fd, *init, o_.threads, o_.fuse_debug);
    if (!server) {
        return std::move(server).error();
    }
    fuse_ = std::move(*server);
    log_info("server {} (pid {}) serves {} with {} workers (FUSE protocol {})", h_.generation,
             ::getpid(), o_.mountpoint, o_.threads, fuse_->protocol());
    send(Message::ready);
    if (h_.control_now) {
        start_control();
    }
    return Ok{};
}

void ServerProcess::send(Message m) {
    std::string_view name = message_name(m);
    if (::send(h_.keeper_fd, name.data(), name.size(), MSG_NOSIGNAL) < 0) {
        log_warn("server: cannot tell the keeper '{}': {}", name, std::strerror(errno));
    }
}

void ServerProcess::start_control() {
    if (control_) {
        return;
    }
    if (!first_control_) {
        load_registry(registry_); // the previous server may have changed it
    }
    first_control_ = false;
    // A debugging mount without a control socket reads the service's registry and never
    // writes it.
    if (o_.control_socket) {
        prune_registry(registry_, engine_);
    }
    services_ = std::make_unique<control::Services>(control::Services{
        registry_, engine_.layout(), engine_.proc(), h_.keeper_boottime_s, h_.keeper_wall_s,
        [this](DaemonStatus& s) {
            report_engine_counters(engine_, s);
            s.keeper_pid = h_.keeper_pid;
            s.generation = h_.generation;
            s.open_files = cx_.handles.in_use();
            s.mount = o_.mountpoint;
            sysinfo_.report(s);
        },
        [this]() -> Status {
            send(Message::upgrade);
            return Ok{};
        },
        [this](const std::string& path) { return engine_.baseline_now(path); }});
    control::ServerConfig config;
    config.group = resolve_group(o_.socket_group).value_or(std::nullopt);
    config.idle_timeout = std::chrono::seconds(o_.idle_timeout_s);
    control::Listener listener;
    if (h_.control_fd >= 0) {
        listener.fd = UniqueFd(::fcntl(h_.control_fd, F_DUPFD_CLOEXEC, 0));
        listener.path = o_.socket; // dev/ino stay 0: the keeper owns the socket file
    }
    control_ = std::make_unique<control::ControlServer>(std::move(listener), *services_, config);
    if (o_.control_socket) {
        control_->every(kPruneInterval, [this] { prune_registry(registry_, engine_); });
    }
    control_->every(view::Engine::kEvictInterval, [this] {
        auto e = engine_.evict_idle();
        std::size_t chunks = cx_.handles.shrink();
        if (e.files + e.pids + e.namespaces + e.idle + e.baselines + chunks > 0) {
            log_debug("let go of {} cgroup files, {} processes, {} pid namespaces and {} idle "
                      "records not used for {} s ({}, {} and {} held), of {} baselines of "
                      "removed cgroups and of {} chunks of {} file handles",
                      e.files, e.pids, e.namespaces, e.idle, view::Engine::kEvictIdle.count(),
                      e.files_held, e.pids_held, e.namespaces_held, e.baselines, chunks,
                      fuse::HandleTable::kChunkSize);
        }
        // Freed memory goes back to the system rather than staying in the allocator's
        // arenas, so the daemon's RSS follows what it holds.
        ::malloc_trim(0);
    });
    control_->every(view::Engine::kLoadavgInterval, [this] {
        engine_.sample_loadavg();
        save_loadavg();
    });
    if (Status st = control_->start(); !st) {
        log_error("{}", st.error().message());
        control_.reset();
        return;
    }
    sysinfo_.start();
}

void ServerProcess::on_keeper_datagram(ChannelDatagram& d) {
    if (auto listeners = take_listeners(d)) {
        sysinfo_.adopt(std::move(*listeners));
    } else if (auto m = parse_message(d.text)) {
        on_message(*m);
    }
}

void ServerProcess::stop_control() {
    sysinfo_.stop();
    if (control_) {
        control_->stop();
        control_.reset();
        save_loadavg();
    }
}

// What the next server needs besides the registry: load averages and the CPU baselines of
// unregistered containers, each in a file of this mount.
void ServerProcess::save_loadavg() {
    Status st =
        write_file_atomic(mount_state_file(o_, "loadavg"), engine_.loadavg_sampler().save());
    if (st) {
        st = write_file_atomic(mount_state_file(o_, "baselines"), engine_.baselines().save());
    }
    if (!st) {
        static RateLimit limit;
        log_warn_limited(limit, "cannot save the load averages and baselines: {}",
                         st.error().message());
    }
}

void ServerProcess::restore_loadavg() {
    std::size_t averages = 0;
    std::size_t baselines = 0;
    if (auto text = read_file(mount_state_file(o_, "loadavg"))) {
        averages = engine_.loadavg_sampler().restore(*text);
    }
    if (auto text = read_file(mount_state_file(o_, "baselines"))) {
        baselines = engine_.baselines().restore(*text);
    }
    if (averages + baselines > 0) {
        log_info("carried over: load averages of {} containers, CPU baselines of {}", averages,
                 baselines);
    }
}

// SIGUSR1: the registry from disk, and the log level from <state-dir>/log-level (debug,
// info, warning or error; without the file, the command line's).
void ServerProcess::reload() {
    load_registry(registry_);
    log_info("reloaded: {} containers registered, log level {}", registry_.size(),
             apply_log_level());
}

std::string_view ServerProcess::apply_log_level() {
    const auto* level = find_level(o_.debug ? "debug" : "info");
    if (auto text = read_file(state_file(kLogLevelFile), 64)) {
        std::string_view word = trim(*text);
        if (const auto* chosen = find_level(word)) {
            level = chosen;
        } else {
            log_warn("{}: '{}' is not debug, info, warning or error", state_file(kLogLevelFile),
                     word);
        }
    }
    log_configure(level->second, o_.foreground ? LogSink::stderr_stream : LogSink::syslog);
    return level->first;
}

void ServerProcess::log_status() {
    log_info("server {} (pid {}, keeper {}): {} containers registered, {} open files, control "
             "socket {}, up {:.0f} s",
             h_.generation, ::getpid(), h_.keeper_pid, registry_.size(), cx_.handles.in_use(),
             control_ ? "served" : "not served",
             boottime_now() - started_boottime_s_);
}

void ServerProcess::on_message(Message m) {
    switch (m) {
    case Message::start_control:
        start_control();
        break;
    case Message::stop_control:
        stop_control();
        send(Message::control_stopped);
        break;
    case Message::drain:
        done_ = true;
        break;
    case Message::reload:
        reload();
        break;
    case Message::status:
        log_status();
        break;
    default:
        log_warn("server: unexpected message '{}' from the keeper", message_name(m));
    }
}

int ServerProcess::loop(int signals) {
    while (!done_) {
        pollfd fds[3] = {
            {signals, POLLIN, 0}, {h_.keeper_fd, POLLIN, 0}, {fuse_->gone_fd(), POLLIN, 0}};
        if (::poll(fds, 3, -1) < 0) {
            continue;
        }
        if ((fds[0].revents & POLLIN) != 0) {
            signalfd_siginfo si{};
            if (::read(signals, &si, sizeof(si)) == sizeof(si)) {
                int sig = static_cast<int>(si.ssi_signo);
                if (sig == SIGTERM || sig == SIGINT) {
                    done_ = true;
                } else if (sig == SIGUSR1) {
                    on_message(Message::reload);
                } else if (sig == SIGUSR2) {
                    on_message(Message::status);
                }
            }
        }
        if ((fds[1].revents & (POLLIN | POLLHUP)) != 0) {
            ChannelDatagram d;
            if (receive_datagram(h_.keeper_fd, d, false) <= 0) {
                log_warn("server: the keeper is gone; draining");
                done_ = true;
            } else {
                on_keeper_datagram(d);
            }
        }
        if ((fds[2].revents & POLLIN) != 0) {
            log_info("server: the mount is gone");
            done_ = true;
        }
    }
    stop_control();
    fuse_->drain();
    log_info("server {} (pid {}) stopped", h_.generation, ::getpid());
    return 0;
}

// Signals are read from a signalfd in the main loop; every thread started later inherits
// the mask and never takes them.
UniqueFd block_signals() {
    sigset_t set;
    sigemptyset(&set);
    for (int sig : {SIGTERM, SIGINT, SIGHUP, SIGUSR1, SIGUSR2, SIGPIPE}) {
        sigaddset(&set, sig);
    }
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
    sigdelset(&set, SIGPIPE);
    return UniqueFd(::signalfd(-1, &set, SFD_CLOEXEC));
}

} // namespace

int run_server(const Options& o, const Handoff& h) {
    UniqueFd signals = block_signals();
    // A server outlives no keeper: without one nobody would start the next server.
    ::prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (::getppid() != h.keeper_pid) {
        log_error("server: the keeper (pid {}) is gone", h.keeper_pid);
        return 1;
    }
    auto layout = load_layout(o);
    if (!layout) {
        log_error("cannot find cgroups: {}", layout.error().message());
        return 1;
    }
    auto proc = host::HostProc::open("/proc");
    if (!proc) {
        log_error("{}", proc.error().message());
        return 1;
    }
    auto process = std::make_unique<ServerProcess>(o, h, std::move(*layout), std::move(*proc));
    if (Status st = process->start(); !st) {
        log_error("server: {}", st.error().message());
        return 1;
    }
    return process->loop(signals.get());
}

} // namespace lensfs::daemon
