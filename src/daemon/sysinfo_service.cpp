#include "daemon/sysinfo_service.hpp"

#include <span>
#include <sys/mman.h>
#include <unistd.h>

#include "daemon/listener_channel.hpp"
#include "seccomp/sysinfo.hpp"
#include "util/log.hpp"

namespace lensfs::daemon {

SysinfoService::SysinfoService(const Options& o, const Handoff& h, view::Engine& engine)
    : o_(o), h_(h), engine_(engine) {
    if (h_.in_flight_fd >= 0) {
        void* mem = ::mmap(nullptr, sizeof(seccomp::InFlight), PROT_READ | PROT_WRITE, MAP_SHARED,
                           h_.in_flight_fd, 0);
        in_flight_ = mem == MAP_FAILED ? nullptr : static_cast<seccomp::InFlight*>(mem);
    }
}

// The agent runs in the server that serves the control socket, and only there: one agent
// takes calls from the listeners at a time.
void SysinfoService::start() {
    if (!o_.seccomp || h_.seccomp_fd < 0 || agent_) {
        return;
    }
    seccomp::AgentConfig config;
    config.answer = [this](pid_t pid) { return answer(pid); };
    config.received = [this](std::uint64_t key, const std::string& id, int fd) {
        ListenerRef ref{key, id, fd};
        if (Status st = send_listeners(h_.keeper_fd, std::span(&ref, 1)); !st) {
            log_warn("seccomp: the keeper keeps no copy of container {}'s listener: {}", id,
                     st.error().message());
        }
    };
    config.in_flight = in_flight_;
    config.key_base = h_.generation << 32;
    agent_ = std::make_unique<seccomp::Agent>(h_.seccomp_fd, std::move(config));
    if (Status st = agent_->start(); !st) {
        log_error("{}", st.error().message());
        agent_.reset();
        return;
    }
    agent_->adopt(std::move(adopted_));
    adopted_.clear();
}

void SysinfoService::stop() {
    if (agent_) {
        agent_->stop();
        agent_.reset();
    }
}

void SysinfoService::adopt(std::vector<seccomp::KeptListener> listeners) {
    if (agent_) {
        agent_->adopt(std::move(listeners));
        return;
    }
    for (auto& l : listeners) {
        adopted_.push_back(std::move(l));
    }
}

void SysinfoService::report(DaemonStatus& s) const {
    s.seccomp_socket = agent_ ? o_.seccomp_socket : std::string();
    if (agent_) {
        const auto& c = agent_->counters();
        s.reads["sysinfo"] = c.answered.load();
        s.errors["sysinfo.let-through"] = c.let_through.load();
        s.errors["seccomp.refused-senders"] = c.senders_refused.load();
    }
}

std::optional<struct sysinfo> SysinfoService::answer(pid_t pid) {
    static const view::ServedFile* const files[3] = {view::served_file("proc/meminfo"),
                                                     view::served_file("proc/uptime"),
                                                     view::served_file("proc/loadavg")};
    static const unsigned long page_size = static_cast<unsigned long>(::sysconf(_SC_PAGESIZE));
    view::Container c = engine_.resolve_pid(pid);
    if (c.is_host()) {
        return std::nullopt; // the kernel's own answer is the host's
    }
    thread_local std::string texts[3];
    for (int i = 0; i < 3; ++i) {
        engine_.render_recent(*files[i], c, texts[i]);
    }
    auto facts = seccomp::facts_from_proc(texts[0], texts[1], texts[2]);
    if (!facts) {
        static RateLimit limit;
        log_warn_limited(limit, "seccomp: no sysinfo(2) figures for pid {}: its files lack one",
                         pid);
        return std::nullopt;
    }
    return seccomp::pack_sysinfo(*facts, page_size);
}

} // namespace lensfs::daemon
