#pragma once
// The seccomp notify agent: answers sysinfo(2) for containers whose runtime sent it a seccomp
// listener (OCI linux.seccomp.listenerPath, a rule SCMP_ACT_NOTIFY for sysinfo). One thread
// with its own epoll: it accepts runtimes on the seccomp socket (root only), keeps their
// listeners until the container's last process is gone, and answers each call with the
// figures of the caller's own /proc files, or lets it through to the kernel when it cannot.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <sys/sysinfo.h>
#include <sys/types.h>
#include <thread>
#include <vector>

#include "seccomp/in_flight.hpp"
#include "util/result.hpp"
#include "util/unique_fd.hpp"

namespace lensfs::seccomp {

/// A listener and the container it came with.
struct KeptListener {
    std::uint64_t key = 0; ///< unique while the keeper lives: server number << 32 | count
    std::string id;        ///< container id from the runtime's state
    UniqueFd fd;
};

struct AgentConfig {
    /// The answer for a call by thread @p pid (host pid namespace); nullopt lets it through.
    std::function<std::optional<struct sysinfo>(pid_t pid)> answer;
    /// A runtime sent a new listener (called on the agent's thread): the daemon gives the
    /// keeper a copy. The agent keeps its own @p fd.
    std::function<void(std::uint64_t key, const std::string& id, int fd)> received;
    InFlight* in_flight = nullptr; ///< shared with the keeper; null: not shared
    std::uint64_t key_base = 0; ///< new keys: key_base + 1, + 2, ... (key_base at least 2^32)
    /// Calls taken together are answered within this; the rest are let through.
    std::chrono::milliseconds budget{100};
    /// How long a runtime may take to send its message once connected.
    std::chrono::milliseconds sender_timeout{1000};
};

struct AgentCounters {
    std::atomic<std::uint64_t> answered{0};
    std::atomic<std::uint64_t> let_through{0}; ///< calls the kernel answered
    std::atomic<std::uint64_t> listeners_received{0};
    std::atomic<std::uint64_t> senders_refused{0};
    std::atomic<std::uint64_t> listeners_gone{0};
};

class Agent {
public:
    /// @p socket: the listening seccomp socket (borrowed; -1: only adopted listeners).
    Agent(int socket, AgentConfig config);
    Agent(const Agent&) = delete;
    Agent& operator=(const Agent&) = delete;
    ~Agent();

    Status start();
    /// Answers or lets through every call taken, closes its listeners (the keeper keeps
    /// copies) and joins the thread.
    void stop();

    /// Serves @p listeners too (from the keeper). Thread-safe; keys already served are closed.
    void adopt(std::vector<KeptListener> listeners);

    [[nodiscard]] const AgentCounters& counters() const { return counters_; }
    [[nodiscard]] std::size_t listener_count() const { return count_.load(); }

private:
    struct Taken;
    void run();
    void accept_senders();
    void take_sender(UniqueFd conn);
    void add(KeptListener l, bool from_runtime);
    void drop(std::uint64_t key, const char* why);
    void adopt_pending();
    void serve(const std::vector<Taken>& taken);
    bool answer_one(int fd, const struct Notification& n);

    int socket_;
    AgentConfig config_;
    UniqueFd epoll_;
    UniqueFd wake_;
    std::thread thread_;
    std::atomic<bool> stopping_{false};
    std::mutex mu_;
    std::vector<KeptListener> pending_;
    std::map<std::uint64_t, KeptListener> listeners_; ///< the agent thread's alone
    std::uint64_t next_key_ = 0;
    std::atomic<std::size_t> count_{0};
    AgentCounters counters_;
};

} // namespace lensfs::seccomp
