// The keeper's part of the seccomp agent: it owns the seccomp socket, keeps a copy of every
// listener a runtime sent to one of its servers and hands them all to the server it asks to
// serve, lets through the calls a dead server took and never answered, and when it stops,
// leaves the listeners to a holder process that lets every call through to the kernel until
// the containers end or the next keeper takes them back.
#include <cerrno>
#include <csignal>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <new>
#include <set>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <fmt/format.h>

#include "daemon/keeper_parts.hpp"
#include "daemon/listener_channel.hpp"
#include "daemon/service_manager.hpp"
#include "seccomp/notify.hpp"
#include "util/file.hpp"
#include "util/log.hpp"
#include "util/parse.hpp"

namespace lensfs::daemon::keeper_detail {

namespace {

constexpr const char* kHolderFile = "seccomp-holder";
constexpr const char* kHolderName = "lensfs-holder";
constexpr std::string_view kStoreName = "seccomp-listener-";

// The holder: lets every call through until each container's last process is gone, or until
// SIGUSR1 (a new keeper took the listeners) or SIGTERM. Runs in a child of the keeper, after
// fork, single-threaded.
[[noreturn]] void run_holder(const std::vector<int>& listeners, const std::string& file) {
    ::setsid();
    ::prctl(PR_SET_NAME, kHolderName);
    int devnull = ::open("/dev/null", O_RDWR | O_CLOEXEC);
    for (int std_fd = 0; std_fd < 3; ++std_fd) {
        ::dup2(devnull, std_fd); // a terminal or a test's pipe must not wait for the holder
    }
    std::set<int> keep(listeners.begin(), listeners.end());
    keep.insert({0, 1, 2});
    if (DIR* d = ::opendir("/proc/self/fd")) {
        std::vector<int> extra;
        while (dirent* e = ::readdir(d)) {
            auto n = parse_u64(e->d_name);
            if (n && keep.count(static_cast<int>(*n)) == 0 && static_cast<int>(*n) != ::dirfd(d)) {
                extra.push_back(static_cast<int>(*n));
            }
        }
        ::closedir(d);
        for (int fd : extra) {
            ::close(fd);
        }
    }
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    ::sigprocmask(SIG_SETMASK, &set, nullptr);
    int signals = ::signalfd(-1, &set, SFD_CLOEXEC);
    std::vector<int> open(listeners);
    while (!open.empty()) {
        std::vector<pollfd> fds{{signals, POLLIN, 0}};
        for (int fd : open) {
            fds.push_back({fd, POLLIN, 0});
        }
        if (::poll(fds.data(), fds.size(), -1) < 0) {
            continue;
        }
        if ((fds[0].revents & POLLIN) != 0) {
            break; // between calls: none is left taken and unanswered
        }
        std::vector<int> still;
        for (std::size_t i = 1; i < fds.size(); ++i) {
            if ((fds[i].revents & POLLIN) != 0) {
                if (auto n = seccomp::receive(fds[i].fd)) {
                    (void)seccomp::let_through(fds[i].fd, n->id);
                }
                still.push_back(fds[i].fd);
            } else if ((fds[i].revents & (POLLHUP | POLLERR | POLLNVAL)) != 0) {
                ::close(fds[i].fd);
            } else {
                still.push_back(fds[i].fd);
            }
        }
        open.swap(still);
    }
    if (open.empty()) {
        // Nothing left to take back: the file would only mislead the next keeper.
        if (auto text = read_file(file, 64); text && text->starts_with(fmt::format("{}\n", ::getpid()))) {
            ::unlink(file.c_str());
        }
    }
    ::_exit(0);
}

int pidfd_open(pid_t pid) {
    return static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
}

int pidfd_getfd(int pidfd, int fd) {
    return static_cast<int>(::syscall(SYS_pidfd_getfd, pidfd, fd, 0));
}

} // namespace

Status Keeper::open_seccomp() {
    if (!o_.seccomp) {
        return Ok{};
    }
    in_flight_fd_ = UniqueFd(::memfd_create("lensfs-in-flight", MFD_CLOEXEC));
    if (!in_flight_fd_ || ::ftruncate(in_flight_fd_.get(), sizeof(seccomp::InFlight)) != 0) {
        return make_error(errno, "seccomp: the shared table of calls in flight");
    }
    void* mem = ::mmap(nullptr, sizeof(seccomp::InFlight), PROT_READ | PROT_WRITE, MAP_SHARED,
                       in_flight_fd_.get(), 0);
    if (mem == MAP_FAILED) {
        return make_error(errno, "seccomp: mapping the table of calls in flight");
    }
    in_flight_ = new (mem) seccomp::InFlight();
    if (!stored_seccomp_) {
        auto listener = control::open_listener({o_.seccomp_socket, std::nullopt});
        if (!listener) {
            return Error{listener.error().code,
                         fmt::format("seccomp socket: {} (--no-seccomp runs without one)",
                                     listener.error().message())};
        }
        seccomp_listener_ = std::move(*listener);
    }
    int fd = seccomp_listener_ ? seccomp_listener_->fd.get() : stored_seccomp_.get();
    ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK); // the agent accepts until EAGAIN
    take_back_from_holder();
    return Ok{};
}

void Keeper::take_back_from_holder() {
    std::string file = o_.state_dir + "/" + kHolderFile;
    auto text = read_file(file, 1 << 20);
    if (!text) {
        return;
    }
    ::unlink(file.c_str());
    std::string_view rest = *text;
    auto [first, lines] = split_first(rest, '\n');
    auto pid = parse_u64(first);
    std::string comm;
    if (pid && *pid > 1 && *pid < 4194305) {
        comm = read_file(fmt::format("/proc/{}/comm", *pid), 64).value_or("");
    }
    if (trim(comm) != kHolderName) {
        log_info("keeper: {} names no running holder of seccomp listeners; ignored", file);
        return;
    }
    UniqueFd pidfd(pidfd_open(static_cast<pid_t>(*pid)));
    std::size_t taken = 0;
    while (pidfd && !lines.empty()) {
        auto [line, next] = split_first(lines, '\n');
        lines = next;
        auto [fd_text, key_and_id] = split_first(line, ' ');
        auto [key_text, id] = split_first(key_and_id, ' ');
        auto fd = parse_u64(fd_text);
        auto key = parse_u64(key_text);
        if (!fd || !key || *key < 2 || id.empty() || *fd > 1'000'000) {
            continue;
        }
        UniqueFd copy(pidfd_getfd(pidfd.get(), static_cast<int>(*fd)));
        if (copy && seccomp::is_listener(copy.get())) {
            listeners_.emplace(*key, seccomp::KeptListener{*key, std::string(id), std::move(copy)});
            ++taken;
        }
    }
    ::kill(static_cast<pid_t>(*pid), SIGUSR1);
    log_info("keeper: took {} seccomp listeners back from the holder (pid {}); their "
             "containers' sysinfo(2) calls are answered again",
             taken, *pid);
}

void Keeper::restore_seccomp(std::map<std::string, int>& stored) {
    if (auto it = stored.find("seccomp-socket"); it != stored.end()) {
        stored_seccomp_ = UniqueFd(it->second);
    }
    std::size_t taken = 0;
    for (const auto& [name, fd] : stored) {
        if (!name.starts_with(kStoreName)) {
            continue;
        }
        UniqueFd owned(fd);
        auto [key_text, id] = split_first(std::string_view(name).substr(kStoreName.size()), '-');
        auto key = parse_u64(key_text);
        if (key && *key > 1 && !id.empty() && seccomp::is_listener(owned.get())) {
            listeners_.emplace(*key, seccomp::KeptListener{*key, std::string(id), std::move(owned)});
            ++taken;
        }
    }
    if (taken > 0) {
        log_info("keeper: took {} seccomp listeners from the service manager's store", taken);
    }
}

// Under a service manager: the seccomp socket and every listener go to its descriptor store,
// so that a restart (stop and start of the unit) keeps them; it drops a listener by itself
// when the container's last process is gone.
void Keeper::store_seccomp() {
    if (seccomp_listener_) {
        std::vector<int> fds = {seccomp_listener_->fd.get()};
        (void)service_notify("FDSTORE=1\nFDNAME=seccomp-socket", fds);
    }
    for (const auto& [key, l] : listeners_) {
        std::vector<int> fds = {l.fd.get()};
        (void)service_notify(fmt::format("FDSTORE=1\nFDNAME={}{}-{}", kStoreName, key, l.id), fds);
    }
}

void Keeper::keep_listeners(std::vector<seccomp::KeptListener> listeners) {
    for (auto& l : listeners) {
        if (listeners_.count(l.key) != 0) {
            continue;
        }
        if (fdstore_) {
            std::vector<int> fds = {l.fd.get()};
            (void)service_notify(fmt::format("FDSTORE=1\nFDNAME={}{}-{}", kStoreName, l.key, l.id),
                                 fds);
        }
        log_debug("keeper: keeps the seccomp listener of container {}", l.id);
        std::uint64_t key = l.key;
        listeners_.emplace(key, std::move(l));
    }
}

void Keeper::hand_listeners(const std::optional<ServerChild>& child) {
    if (!child || listeners_.empty()) {
        return;
    }
    std::vector<ListenerRef> refs;
    refs.reserve(listeners_.size());
    for (const auto& [key, l] : listeners_) {
        refs.push_back(ListenerRef{key, l.id, l.fd.get()});
    }
    if (Status st = send_listeners(child->channel.get(), refs); !st) {
        log_warn("keeper: cannot hand the seccomp listeners to server {}: {}", child->generation,
                 st.error().message());
    }
}

void Keeper::let_through_in_flight() {
    if (in_flight_ == nullptr) {
        return;
    }
    std::size_t released = 0;
    for (auto& slot : in_flight_->slots) {
        std::uint64_t key = slot.key.load(std::memory_order_acquire);
        if (key == 0) {
            continue;
        }
        std::uint64_t id = slot.id.load(std::memory_order_relaxed);
        if (auto it = listeners_.find(key); it != listeners_.end()) {
            released += seccomp::let_through(it->second.fd.get(), id) ? 1 : 0;
        }
        slot.key.store(0, std::memory_order_release);
    }
    if (released > 0) {
        log_warn("keeper: let {} sysinfo(2) calls the dead server had taken through to the "
                 "kernel",
                 released);
    }
}

void Keeper::watch_listeners(std::vector<pollfd>& fds) const {
    for (const auto& [key, l] : listeners_) {
        fds.push_back({l.fd.get(), 0, 0}); // hang-ups only: the servers take the calls
    }
}

void Keeper::check_listeners(const std::vector<pollfd>& fds, std::size_t first) {
    std::set<int> gone;
    for (std::size_t i = first; i < fds.size(); ++i) {
        if ((fds[i].revents & (POLLHUP | POLLERR | POLLNVAL)) != 0) {
            gone.insert(fds[i].fd);
        }
    }
    for (auto it = listeners_.begin(); it != listeners_.end() && !gone.empty();) {
        if (gone.count(it->second.fd.get()) != 0) {
            log_debug("keeper: container {} ended; its seccomp listener is closed", it->second.id);
            it = listeners_.erase(it);
        } else {
            ++it;
        }
    }
}

void Keeper::leave_listeners_to_holder() {
    if (listeners_.empty()) {
        return;
    }
    std::string file = o_.state_dir + "/" + kHolderFile;
    std::vector<int> fds;
    std::string text;
    for (const auto& [key, l] : listeners_) {
        fds.push_back(l.fd.get());
        text += fmt::format("{} {} {}\n", l.fd.get(), key, l.id);
    }
    pid_t pid = ::fork();
    if (pid < 0) {
        log_warn("keeper: cannot start a holder for {} seccomp listeners ({}): their containers' "
                 "sysinfo(2) calls now fail with ENOSYS",
                 fds.size(), std::strerror(errno));
        return;
    }
    if (pid == 0) {
        run_holder(fds, file);
    }
    if (Status st = write_file_atomic(file, fmt::format("{}\n{}", pid, text), 0600); !st) {
        log_warn("keeper: {}: the next start cannot take the listeners back", st.error().message());
    }
    log_info("keeper: {} containers' seccomp listeners stay with a holder (pid {}), which lets "
             "their sysinfo(2) calls through to the kernel until they end or lensfs starts again",
             fds.size(), pid);
}

} // namespace lensfs::daemon::keeper_detail
