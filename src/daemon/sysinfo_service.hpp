#pragma once
// A server's part of the sysinfo(2) agent: the agent itself while the server serves the
// control socket, the answers (the caller's own rendered files), the listeners the keeper
// hands over, and the counters for `lensctl status`.

#include <memory>
#include <optional>
#include <sys/sysinfo.h>
#include <sys/types.h>
#include <vector>

#include "daemon/handoff.hpp"
#include "daemon/options.hpp"
#include "protocol/messages.hpp"
#include "seccomp/agent.hpp"
#include "view/engine.hpp"

namespace lensfs::daemon {

class SysinfoService {
public:
    SysinfoService(const Options& o, const Handoff& h, view::Engine& engine);

    /// Starts the agent (when configured) with every listener handed over so far.
    void start();
    /// Answers what the agent took and stops it; the keeper keeps the listeners.
    void stop();
    /// Listeners from the keeper: served now, or kept until start().
    void adopt(std::vector<seccomp::KeptListener> listeners);
    /// The seccomp socket and the agent's counters, while it runs.
    void report(DaemonStatus& s) const;

private:
    std::optional<struct sysinfo> answer(pid_t pid);

    const Options& o_;
    const Handoff& h_;
    view::Engine& engine_;
    seccomp::InFlight* in_flight_ = nullptr; ///< shared with the keeper
    std::unique_ptr<seccomp::Agent> agent_;
    std::vector<seccomp::KeptListener> adopted_; ///< until the agent runs
};

} // namespace lensfs::daemon
