#include "view/engine.hpp"

#include <ctime>
#include <unistd.h>

#include "host/proc_files.hpp"
#include "util/clock.hpp"
#include "util/log.hpp"
#include "view/render_cache.hpp"

namespace lensfs::view {

namespace {

constexpr std::string_view kInitScope = "/init.scope";

// systemd inside a container moves its own init to <container>/init.scope.
void drop_init_scope(std::optional<std::string>& path) {
    if (!path || !path->ends_with(kInitScope)) {
        return;
    }
    std::string_view parent(*path);
    parent.remove_suffix(kInitScope.size());
    path = parent.empty() ? std::string("/") : std::string(parent);
}

bool within(std::string_view path, std::string_view root) {
    if (root == "/") {
        return true;
    }
    return path.substr(0, root.size()) == root &&
           (path.size() == root.size() || path[root.size()] == '/');
}

} // namespace

std::string_view source_name(Source s) {
    switch (s) {
    case Source::host:
        return "host";
    case Source::registry:
        return "registry";
    case Source::pid_namespace:
        return "pid-namespace";
    case Source::own_cgroup:
        return "own-cgroup";
    }
    return "?";
}

Engine::Engine(cgroup::Layout layout, host::HostProc proc, Options options)
    : layout_(std::move(layout)), proc_(std::move(proc)), options_(options), reader_(layout_),
      recent_(std::make_unique<RenderCache>(options.render_window)),
      pid_views_(std::make_unique<PidViews>(options.render_window)) {
    self_pidns_ = proc_.pidns_inode(::getpid()).value_or(0);
    ticks_per_second_ = host::clock_ticks_per_second();
}

Engine::~Engine() = default;

bool Engine::at_root(const cgroup::ProcCgroups& cg) const {
    for (auto c : {cgroup::Controller::memory, cgroup::Controller::cpu, cgroup::Controller::cpuacct,
                   cgroup::Controller::cpuset}) {
        const auto& path = layout_.path_for(cg, c);
        if (path && *path != "/") {
            return false;
        }
    }
    return true;
}

std::optional<Container> Engine::from_registry(const cgroup::ProcCgroups& cg) {
    if (!lookup_) {
        return std::nullopt;
    }
    std::optional<ContainerRecord> record;
    if (cg.unified) {
        record = lookup_(*cg.unified);
    }
    for (std::size_t i = 0; !record && i < cg.v1.size(); ++i) {
        if (cg.v1[i]) {
            record = lookup_(*cg.v1[i]);
        }
    }
    if (!record) {
        return std::nullopt;
    }
    Container c{Source::registry, cg, record->start_boottime_s, record->id, record->cpu_baseline};
    // The registered cgroup is the boundary in every hierarchy the reader is inside of it.
    auto clamp = [&](std::optional<std::string>& path) {
        if (path && within(*path, record->cgroup)) {
            path = record->cgroup;
        }
    };
    clamp(c.cgroups.unified);
    for (auto& path : c.cgroups.v1) {
        clamp(path);
    }
    return c;
}

std::optional<Container> Engine::from_pid_namespace(pid_t pid, std::uint64_t pidns) {
    if (pidns == self_pidns_) {
        return std::nullopt;
    }
    auto init = ns_cache_.find(proc_, pidns, pid);
    if (!init) {
        return std::nullopt;
    }
    Container c{Source::pid_namespace,
                init->cgroups,
                static_cast<double>(init->start_ticks) / ticks_per_second_,
                {}};
    drop_init_scope(c.cgroups.unified);
    for (auto& path : c.cgroups.v1) {
        drop_init_scope(path);
    }
    return c;
}

Container Engine::resolve_pid(pid_t pid) {
    if (pid <= 0) {
        return Container{};
    }
    if (!pid_views_->enabled()) {
        return find_pid_container(pid);
    }
    auto now = PidViews::Clock::now();
    auto hash = static_cast<std::size_t>(pid);
    Container c;
    if (!pid_views_->find(hash, pid, now, c)) {
        c = find_pid_container(pid);
        pid_views_->store(hash, pid, now, c);
    }
    return c;
}

Container Engine::find_pid_container(pid_t pid) {
    thread_local std::string text;
    auto pidns = pid_cache_.read(proc_, pid, text);
    auto cg = pidns ? cgroup::parse_proc_cgroup(text) : Result<cgroup::ProcCgroups>(pidns.error());
    if (!cg) {
        static RateLimit limit;
        log_warn_limited(limit, "pid {}: cannot tell its cgroup ({}); serving the host view", pid,
                         cg.error().message());
        return Container{};
    }
    if (auto c = from_registry(*cg)) {
        return std::move(*c);
    }
    if (auto c = from_pid_namespace(pid, *pidns)) {
        return std::move(*c);
    }
    if (at_root(*cg)) {
        return Container{};
    }
    return Container{Source::own_cgroup, std::move(*cg), 0, {}};
}

namespace {

CpuBaseline baseline_from(const CpuUsage& usage, const host::HostProc& proc) {
    thread_local std::string scratch;
    CpuBaseline base{boottime_now(), usage.user_ns, usage.system_ns, {}};
    if (auto host = proc.stat(scratch)) {
        base.host = host::parse_stat_counters(host->tail);
    }
    return base;
}

} // namespace

CpuBaseline Engine::baseline_of(const Container& container, const CpuUsage& usage) {
    if (container.cpu_baseline) {
        return *container.cpu_baseline;
    }
    if (auto kept = baselines_.find(container)) {
        return *kept;
    }
    return baselines_.keep(container, baseline_from(usage, proc_));
}

std::optional<CpuBaseline> Engine::baseline_now(const std::string& path) {
    thread_local std::string scratch;
    auto usage = reader_.cpu_usage(cgroup::same_path_everywhere(path), scratch);
    if (!usage) {
        return std::nullopt;
    }
    return baseline_from(*usage, proc_);
}

Container Engine::resolve_cgroup(const std::string& path, double start_boottime_s) {
    Container c{Source::own_cgroup, cgroup::same_path_everywhere(path), start_boottime_s, {}};
    if (auto registered = from_registry(c.cgroups)) {
        return std::move(*registered);
    }
    return c;
}

Engine::Evicted Engine::evict_idle(std::chrono::milliseconds idle) {
    Evicted e;
    e.files = reader_.evict_idle(idle.count());
    e.pids = pid_cache_.evict_idle(idle.count());
    e.namespaces = ns_cache_.evict_idle(idle.count());
    e.idle = idle_floors_.evict_idle(idle.count());
    e.baselines =
        baselines_.forget_if([this](const cgroup::ProcCgroups& cg) { return reader_.gone(cg); });
    auto now = std::chrono::steady_clock::now();
    recent_->forget_stale(now);
    pid_views_->forget_stale(now);
    e.files_held = reader_.files_held();
    e.pids_held = pid_cache_.size();
    e.namespaces_held = ns_cache_.size();
    return e;
}

} // namespace lensfs::view
