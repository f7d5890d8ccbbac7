#include "daemon/keeper.hpp"
#include "daemon/keeper_parts.hpp"
#include "daemon/listener_channel.hpp"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <optional>
#include <vector>
#include <poll.h>
#include <sys/mman.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "control/listener.hpp"
#include "daemon/background.hpp"
#include "daemon/preflight.hpp"
#include "daemon/registry_wiring.hpp"
#include "daemon/service_manager.hpp"
#include "daemon/spawn.hpp"
#include "daemon/view_of.hpp"
#include "fuse/session.hpp"
#include "util/clock.hpp"
#include "util/file.hpp"
#include "util/log.hpp"

namespace lensfs::daemon {

namespace keeper_detail {

void Keeper::start_server(bool control_now) {
    Handoff h;
    h.fuse_fd = fuse_fd_of(connection_, fuse_fd_);
    h.init_fd = init_.get();
    h.control_fd = listener_ ? listener_->fd.get() : stored_control_.get();
    h.seccomp_fd = seccomp_listener_ ? seccomp_listener_->fd.get() : stored_seccomp_.get();
    h.in_flight_fd = in_flight_fd_.get();
    h.generation = next_generation(o_.state_dir);
    h.control_now = control_now;
    h.keeper_pid = ::getpid();
    h.keeper_boottime_s = started_boottime_s_;
    h.keeper_wall_s = started_wall_s_;
    auto child = spawn_server(binary_, argv_, h);
    if (!child) {
        log_error("keeper: cannot start a server: {}", child.error().message());
        respawn_at_ = Clock::now() + kMaxRespawnDelay;
        return;
    }
    log_info("keeper: started server {} (pid {}) from {}", child->generation, child->pid, binary_);
    (control_now ? current_ : next_) = std::move(*child);
    if (control_now) {
        hand_listeners(current_);
    }
}

void Keeper::send(const std::optional<ServerChild>& child, Message m) {
    if (!child) {
        return;
    }
    std::string_view name = message_name(m);
    if (::send(child->channel.get(), name.data(), name.size(), MSG_NOSIGNAL) < 0) {
        log_warn("keeper: cannot tell server {} '{}': {}", child->generation, name,
                 std::strerror(errno));
    }
}

void Keeper::on_ready(ServerChild& child) {
    child.ready = true;
    if (served_) {
        return;
    }
    served_ = true;
    report_ready(ready_);
    pidfile_.write(o_.pidfile);
    if (service_managed()) {
        if (!fdstore_) {
            std::vector<int> fds = {fuse_fd_of(connection_, fuse_fd_)};
            Status st = service_notify("FDSTORE=1\nFDNAME=fuse", fds);
            fds = {init_.get()};
            st = st ? service_notify("FDSTORE=1\nFDNAME=fuse-init", fds) : st;
            if (listener_) {
                fds = {listener_->fd.get()};
                (void)service_notify("FDSTORE=1\nFDNAME=control", fds);
            }
            fdstore_ = static_cast<bool>(st);
            if (fdstore_) {
                store_seccomp();
            }
            if (!st) {
                log_warn("keeper: the service manager keeps no descriptors ({}): a restart "
                         "will break the containers' files",
                         st.error().message());
            }
        }
        (void)service_notify(
            fmt::format("READY=1\nMAINPID={}\nSTATUS=serving {}", ::getpid(), o_.mountpoint));
    }
}

void Keeper::begin_upgrade(std::string_view why) {
    if (upgrade_ != Upgrade::none || !current_ || !current_->ready || stopping_) {
        log_warn("keeper: {}: not now (an upgrade or a restart is under way)", why);
        return;
    }
    log_info("keeper: {}: upgrading to {}", why, binary_);
    upgrade_ = Upgrade::stopping_control;
    deadline_ = Clock::now() + kControlStopTimeout;
    send(current_, Message::stop_control);
}

void Keeper::end_upgrade(std::string_view how) {
    log_info("keeper: upgrade {}", how);
    upgrade_ = Upgrade::none;
    send(current_, Message::start_control);
    hand_listeners(current_);
    if (current_) {
        current_->control = true;
    }
}

void Keeper::on_message(std::optional<ServerChild>& from, Message m) {
    switch (m) {
    case Message::ready:
        on_ready(*from);
        if (&from == &next_ && upgrade_ == Upgrade::starting) {
            // The new server serves: the old one finishes what it took and goes.
            send(current_, Message::drain);
            old_ = std::move(current_);
            current_ = std::move(next_);
            next_.reset();
            upgrade_ = Upgrade::draining;
            deadline_ = Clock::now() + kDrainTimeout;
        }
        break;
    case Message::control_stopped:
        if (&from == &current_ && upgrade_ == Upgrade::stopping_control) {
            current_->control = false;
            upgrade_ = Upgrade::starting;
            deadline_ = Clock::now() + kReadyTimeout;
            start_server(false);
            if (!next_) {
                end_upgrade("failed: no new server could be started");
            }
        }
        break;
    case Message::upgrade:
        begin_upgrade("lensctl upgrade");
        break;
    default:
        log_warn("keeper: unexpected message '{}'", message_name(m));
    }
}

void Keeper::read_channel(std::optional<ServerChild>& child) {
    ChannelDatagram d;
    if (receive_datagram(child->channel.get(), d, true) <= 0) {
        return; // closed: the exit shows up as SIGCHLD
    }
    if (auto listeners = take_listeners(d)) {
        keep_listeners(std::move(*listeners));
    } else if (auto m = parse_message(d.text)) {
        on_message(child, *m);
    }
}

void Keeper::on_current_exit(int status) {
    auto lived = Clock::now() - current_->started;
    bool was_ready = current_->ready;
    log_warn("keeper: server {} (pid {}) {} after {:.1f} s", current_->generation, current_->pid,
             describe_exit(status), std::chrono::duration<double>(lived).count());
    current_.reset();
    if (!served_ && !was_ready) {
        log_error("keeper: the first server could not start; stopping");
        stopping_ = true;
        exit_status_ = 1;
        return;
    }
    if (upgrade_ != Upgrade::none) {
        if (next_) {
            ::kill(next_->pid, SIGKILL);
        }
        upgrade_ = Upgrade::none;
    }
    quick_exits_ = lived < kQuickExit ? quick_exits_ + 1 : 0;
    auto delay = quick_exits_ <= 1
                     ? 0ms
                     : std::min(kMaxRespawnDelay, 50ms * (1U << std::min(quick_exits_, 5U)));
    respawn_at_ = Clock::now() + delay;
}

void Keeper::on_exit(pid_t pid, int status) {
    for (auto* c : {&current_, &next_, &old_}) {
        if (*c && (*c)->pid == pid && (*c)->control) {
            let_through_in_flight(); // its agent may have died between taking and answering
        }
    }
    if (current_ && current_->pid == pid) {
        if (!stopping_) {
            on_current_exit(status);
        }
        current_.reset();
    } else if (next_ && next_->pid == pid) {
        log_warn("keeper: new server {} (pid {}) {} before serving", next_->generation, pid,
                 describe_exit(status));
        next_.reset();
        if (!stopping_ && upgrade_ == Upgrade::starting) {
            end_upgrade("failed: the old server goes on");
        }
    } else if (old_ && old_->pid == pid) {
        log_info("keeper: server {} (pid {}) {}", old_->generation, pid, describe_exit(status));
        old_.reset();
        if (!stopping_ && upgrade_ == Upgrade::draining) {
            end_upgrade(fmt::format("done: server {} (pid {}) serves", current_->generation,
                                    current_->pid));
        }
    }
}

void Keeper::check_deadline() {
    if (upgrade_ == Upgrade::none || Clock::now() < deadline_) {
        return;
    }
    switch (upgrade_) {
    case Upgrade::stopping_control:
        end_upgrade("abandoned: the server did not stop serving the control socket");
        break;
    case Upgrade::starting:
        if (next_) {
            ::kill(next_->pid, SIGKILL);
        }
        break; // its exit ends the upgrade
    case Upgrade::draining:
        if (old_) {
            log_warn("keeper: server {} did not drain in time: killing it", old_->generation);
            ::kill(old_->pid, SIGKILL);
        }
        break;
    case Upgrade::none:
        break;
    }
    deadline_ = Clock::now() + 1s;
}

void Keeper::log_status() {
    log_info("keeper (pid {}) of {}: server {} (pid {}){}, up {:.0f} s, binary {}", ::getpid(),
             o_.mountpoint, current_ ? current_->generation : 0, current_ ? current_->pid : 0,
             upgrade_ != Upgrade::none ? ", upgrading" : "",
             boottime_now() - started_boottime_s_, binary_);
}

void Keeper::on_signal(int sig) {
    switch (sig) {
    case SIGTERM:
    case SIGINT:
        if (!stopping_) {
            log_info("keeper: {}: stopping", strsignal(sig));
            stopping_ = true;
            stop_children();
        }
        break;
    case SIGHUP:
        begin_upgrade("SIGHUP");
        break;
    case SIGUSR1:
        log_info("keeper: SIGUSR1: the server reloads the registry");
        send(current_, Message::reload);
        break;
    case SIGUSR2:
        log_status();
        send(current_, Message::status);
        break;
    case SIGCHLD: {
        int status = 0;
        pid_t pid = 0;
        while ((pid = ::waitpid(-1, &status, WNOHANG)) > 0) {
            on_exit(pid, status);
        }
        break;
    }
    default:
        break;
    }
}

void Keeper::stop_children() {
    for (auto* c : {&current_, &next_, &old_}) {
        send(*c, Message::drain);
    }
    deadline_ = Clock::now() + kDrainTimeout;
}

int Keeper::poll_timeout_ms() const {
    std::optional<Clock::time_point> when;
    if (respawn_at_) {
        when = respawn_at_;
    }
    if (upgrade_ != Upgrade::none || stopping_) {
        when = when ? std::min(*when, deadline_) : deadline_;
    }
    if (!when) {
        return -1;
    }
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(*when - Clock::now()).count();
    return static_cast<int>(std::clamp<long long>(ms, 0, 1000));
}

void Keeper::finish() {
    if (fdstore_ && exit_status_ == 0) {
        log_info("keeper: leaving the mount of {} and {} seccomp listeners in the service "
                 "manager's descriptor store: the next start takes them over and the "
                 "containers' files keep working",
                 o_.mountpoint, listeners_.size());
        return;
    }
    leave_listeners_to_holder();
    log_info("keeper: unmounting {}", o_.mountpoint);
    fuse::unmount(o_.mountpoint);
    if (listener_) {
        control::remove_socket_file(*listener_);
    }
    if (seccomp_listener_) {
        control::remove_socket_file(*seccomp_listener_);
    }
}

int Keeper::run() {
    sigset_t set;
    sigemptyset(&set);
    for (int sig : {SIGTERM, SIGINT, SIGHUP, SIGUSR1, SIGUSR2, SIGCHLD, SIGPIPE}) {
        sigaddset(&set, sig);
    }
    ::sigprocmask(SIG_BLOCK, &set, nullptr);
    sigdelset(&set, SIGPIPE);
    signals_ = UniqueFd(::signalfd(-1, &set, SFD_CLOEXEC));
    if (Status st = setup(); !st) {
        std::fprintf(stderr, "lensfs: %s\n", st.error().message().c_str());
        return 1;
    }
    log_info("lensfs {} keeper (pid {}) holds {}", LENSFS_VERSION, ::getpid(), o_.mountpoint);
    start_server(true);
    while (!(stopping_ && !current_ && !next_ && !old_)) {
        if (stopping_ && Clock::now() >= deadline_) {
            for (auto* c : {&current_, &next_, &old_}) {
                if (*c) {
                    ::kill((*c)->pid, SIGKILL);
                }
            }
            deadline_ = Clock::now() + 1s;
        }
        if (respawn_at_ && Clock::now() >= *respawn_at_ && !stopping_) {
            respawn_at_.reset();
            start_server(true);
        }
        check_deadline();
        std::vector<pollfd> fds = {
            {signals_.get(), POLLIN, 0}, {-1, POLLIN, 0}, {-1, POLLIN, 0}, {-1, POLLIN, 0}};
        std::optional<ServerChild>* owners[3] = {&current_, &next_, &old_};
        for (int i = 0; i < 3; ++i) {
            fds[i + 1].fd = *owners[i] ? (*owners[i])->channel.get() : -1;
        }
        constexpr std::size_t kFirstListener = 4;
        watch_listeners(fds);
        if (::poll(fds.data(), fds.size(), poll_timeout_ms()) < 0) {
            continue;
        }
        for (int i = 0; i < 3; ++i) {
            if ((fds[i + 1].revents & POLLIN) != 0 && *owners[i]) {
                read_channel(*owners[i]);
            }
        }
        check_listeners(fds, kFirstListener);
        if ((fds[0].revents & POLLIN) != 0) {
            signalfd_siginfo si{};
            if (::read(signals_.get(), &si, sizeof(si)) == sizeof(si)) {
                on_signal(static_cast<int>(si.ssi_signo));
            }
        }
    }
    finish();
    return exit_status_;
}

} // namespace keeper_detail

int run_keeper(const Options& options, std::vector<std::string> argv) {
    keeper_detail::Keeper keeper(options, std::move(argv));
    return keeper.run();
}

} // namespace lensfs::daemon
