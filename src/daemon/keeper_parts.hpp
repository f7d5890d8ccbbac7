#pragma once
// The keeper's parts, shared by keeper.cpp (the event loop: servers, signals, upgrades) and
// keeper_setup.cpp (start-up: the service manager's store, the mount, the control socket).
// Internal to daemon/; the interface is run_keeper() in daemon/keeper.hpp.

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <poll.h>
#include <string>
#include <string_view>
#include <vector>

#include "control/listener.hpp"
#include "daemon/options.hpp"
#include "daemon/spawn.hpp"
#include "fuse/session.hpp"
#include "seccomp/agent.hpp"
#include "seccomp/in_flight.hpp"
#include "util/clock.hpp"
#include "util/result.hpp"
#include "util/unique_fd.hpp"

namespace lensfs::daemon::keeper_detail {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

constexpr auto kReadyTimeout = 30s;      // a server's start: registry, cgroups, INIT replay
constexpr auto kControlStopTimeout = 5s; // a server finishing its control requests
constexpr auto kDrainTimeout = 15s;      // a server finishing the FUSE requests it took
constexpr auto kQuickExit = 5s;          // a server that dies this soon died of its start
constexpr auto kMaxRespawnDelay = 1000ms;

/// "killed by signal 9 (Killed)" or "exited with status 1".
std::string describe_exit(int status);

// The pid file of LXCFS's -p: written once the keeper serves, removed at exit.
class PidFile {
public:
    PidFile() = default;
    PidFile(const PidFile&) = delete;
    PidFile& operator=(const PidFile&) = delete;
    void write(const std::string& path);
    ~PidFile();

private:
    std::string path_;
};

enum class Upgrade : std::uint8_t { none, stopping_control, starting, draining };

class Keeper {
public:
    Keeper(const Options& o, std::vector<std::string> argv)
        : o_(o), argv_(std::move(argv)), binary_(own_binary_path()) {}
    int run();

private:
    Status setup();
    Status restore(std::map<std::string, int>& stored);
    Status mount();
    Status open_control();
    // keeper_seccomp.cpp: the seccomp socket and the listeners kept across servers.
    Status open_seccomp();
    void restore_seccomp(std::map<std::string, int>& stored);
    void store_seccomp();
    void take_back_from_holder();
    void keep_listeners(std::vector<seccomp::KeptListener> listeners);
    void hand_listeners(const std::optional<ServerChild>& child);
    void let_through_in_flight();
    void watch_listeners(std::vector<pollfd>& fds) const;
    void check_listeners(const std::vector<pollfd>& fds, std::size_t first);
    void leave_listeners_to_holder();
    void start_server(bool control_now);
    void send(const std::optional<ServerChild>& child, Message m);
    void on_signal(int sig);
    void on_message(std::optional<ServerChild>& from, Message m);
    void on_ready(ServerChild& child);
    void on_exit(pid_t pid, int status);
    void on_current_exit(int status);
    void begin_upgrade(std::string_view why);
    void end_upgrade(std::string_view how);
    void check_deadline();
    void read_channel(std::optional<ServerChild>& child);
    void stop_children();
    void finish();
    void log_status();
    int poll_timeout_ms() const;

    const Options& o_;
    std::vector<std::string> argv_;
    std::string binary_;
    UniqueFd signals_;
    UniqueFd ready_; ///< detach()'s report channel, until the first server serves
    std::optional<fuse::Connection> connection_;
    UniqueFd fuse_fd_; ///< the FUSE descriptor when taken from the service manager's store
    UniqueFd init_;    ///< memfd with the INIT request
    std::optional<control::Listener> listener_;
    UniqueFd stored_control_;
    std::optional<control::Listener> seccomp_listener_;
    UniqueFd stored_seccomp_;
    UniqueFd in_flight_fd_; ///< memfd: seccomp::InFlight shared with the servers
    seccomp::InFlight* in_flight_ = nullptr;
    std::map<std::uint64_t, seccomp::KeptListener> listeners_;
    PidFile pidfile_;
    std::optional<ServerChild> current_;
    std::optional<ServerChild> next_;
    std::optional<ServerChild> old_;
    Upgrade upgrade_ = Upgrade::none;
    Clock::time_point deadline_{};
    std::optional<Clock::time_point> respawn_at_;
    unsigned quick_exits_ = 0;
    bool served_ = false;  ///< a server has said ready once
    bool fdstore_ = false; ///< the service manager keeps our descriptors
    bool stopping_ = false;
    int exit_status_ = 0;
    double started_boottime_s_ = boottime_now();
    double started_wall_s_ = wall_now();
};

/// The FUSE descriptor: the mounted connection's, or the one taken from the store.
int fuse_fd_of(const std::optional<fuse::Connection>& c, const UniqueFd& stored);

} // namespace lensfs::daemon::keeper_detail
