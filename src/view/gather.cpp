// Gathers one container's facts for one file and hands them to the pure renderers.

#include <fmt/format.h>

#include "host/host_dir.hpp"
#include "host/proc_files.hpp"
#include "render/render.hpp"
#include "util/clock.hpp"
#include "util/log.hpp"
#include "view/engine.hpp"
#include "view/gather.hpp"
#include "view/render_cache.hpp"
#include "view/served_files.hpp"

namespace lensfs::view {

namespace {

constexpr std::string_view kProcPrefix = "proc/";
constexpr std::string_view kSysCpuPrefix = "sys/devices/system/cpu/";

// Scratch buffers reused by every read on a FUSE worker thread.
struct Scratch {
    std::string a;
    std::string b;
};
Scratch& scratch() {
    thread_local Scratch s;
    return s;
}

void note_fallback(FileCounters& counters, std::string_view file, const Error& error) {
    counters.fallbacks.fetch_add(1, std::memory_order_relaxed);
    static RateLimit limit;
    log_warn_limited(limit, "{}: using host values: {}", file, error.message());
}

CpuSet host_online_cpus() {
    std::string text;
    if (host::read_host_file("sys/devices/system/cpu/online", text)) {
        if (auto set = CpuSet::parse(text); set && !set->empty()) {
            return *set;
        }
    }
    return CpuSet::first(1);
}

} // namespace

void Gather::fallback(const Error& error) {
    note_fallback(counters, path, error);
}

// With swap turned off, a zero swap limit makes meminfo and swaps agree on "none".
void Gather::hide_swap(MemoryStats& mem) const {
    if (!e.options().swap) {
        mem.swap_limit = 0;
        mem.swap_usage = 0;
    }
}

CpuSet Gather::visible() {
    return e.visible_cpus(c);
}

double Gather::uptime_s() const {
    double up = boottime_now() - c.start_boottime_s;
    return up < 0 ? 0 : up;
}

void Gather::host_file(std::string& out) {
    out.clear();
    // Every path of the table is a string literal, so the suffix after "proc/" is terminated.
    Status st = path.starts_with(kProcPrefix)
                    ? e.proc().raw(path.substr(kProcPrefix.size()).data(), out)
                    : host::read_host_file(path, out);
    if (st) {
        return;
    }
    out.clear();
    fallback(st.error());
    if (path.starts_with(kSysCpuPrefix)) {
        // The CPU lists can be rebuilt from what the host says is online.
        render::cpu_list(host_online_cpus().size(), out);
    }
}

void Gather::meminfo(std::string& out) {
    auto host = e.proc().meminfo(scratch().a);
    if (!host) {
        fallback(host.error());
        return host_file(out);
    }
    auto mem = e.reader().memory(c.cgroups, scratch().b);
    if (!mem) {
        fallback(mem.error());
        mem = MemoryStats{};
    }
    hide_swap(*mem);
    render::meminfo(*host, *mem, out);
}

void Gather::cpuinfo(std::string& out) {
    auto host = e.proc().cpuinfo(scratch().a);
    if (!host) {
        fallback(host.error());
        return host_file(out);
    }
    render::cpuinfo(*host, visible(), out);
}

// The container's CPU time, counted from its start: the cgroup's, without what it had used
// before the container could have (CpuBaseline).
Result<CpuUsage> Gather::container_usage(std::size_t cpus) {
    auto usage = e.reader().cpu_usage(c.cgroups, scratch().b);
    if (!usage) {
        return usage;
    }
    CpuBaseline base = e.baseline_of(c, *usage);
    if (usage->total_ns() < base.total_ns()) {
        return usage; // a new cgroup of the same path: all of it is the container's
    }
    return without(*usage, excluded_cpu_ns(base, c.start_boottime_s, cpus));
}

void Gather::stat(std::string& out) {
    CpuSet cpus = visible();
    auto usage = container_usage(cpus.size());
    if (!usage) {
        fallback(usage.error());
    }
    auto host = e.proc().stat(scratch().a);
    if (!host) {
        fallback(host.error());
        return host_file(out);
    }
    std::optional<StatCounters> events;
    if (usage) {
        auto base = e.baseline_of(c, *usage);
        events =
            counters_since_start(host::parse_stat_counters(host->tail), base, c.start_boottime_s);
    }
    render::StatInput in{&cpus,
                         usage ? &*usage : nullptr,
                         uptime_s(),
                         e.ticks_per_second(),
                         events ? &*events : nullptr,
                         {}};
    if (usage) {
        in.keep_idle = [this](std::vector<std::uint64_t>& idle) {
            e.idle_floors().raise(Baselines::key_of(c), idle);
        };
    }
    render::stat(*host, in, out);
}

void Gather::uptime(std::string& out) {
    auto host = e.proc().uptime(scratch().a);
    if (!host) {
        fallback(host.error());
        return host_file(out);
    }
    std::size_t cpus = visible().size();
    render::UptimeInput in{*host, uptime_s(), static_cast<unsigned>(cpus), {}};
    if (auto usage = container_usage(cpus)) {
        in.cpu_usage_s = static_cast<double>(usage->total_ns()) / 1e9;
    } else {
        fallback(usage.error());
    }
    render::uptime(in, out);
}

void Gather::swaps(std::string& out) {
    auto host = e.proc().meminfo(scratch().a);
    auto mem = e.reader().memory(c.cgroups, scratch().b);
    if (!host || !mem) {
        fallback(!host ? host.error() : mem.error());
        return host_file(out);
    }
    hide_swap(*mem);
    render::swaps(host->get("SwapTotal").value_or(0), *mem, out);
}

void Gather::cpu_list(std::string& out) {
    render::cpu_list(visible().size(), out);
}

void Gather::loadavg(std::string& out) {
    auto figures = e.loadavg_sampler().note_read(c.cgroups);
    if (!figures) {
        fallback(figures.error());
        return host_file(out);
    }
    render::loadavg(*figures, out);
}

void Gather::diskstats(std::string& out) {
    auto io = e.reader().block_io(c.cgroups, scratch().b);
    if (!io) {
        fallback(io.error());
        return host_file(out);
    }
    if (Status st = e.proc().raw("diskstats", scratch().a); !st) {
        fallback(st.error());
        return; // no device names: nothing can be shown
    }
    render::diskstats(scratch().a, *io, out);
}

/// The cgroup2 group's pressure file: real on v2 and on hybrid hosts' cgroup2 trees.
void Gather::pressure(const char* file, std::string& out) {
    if (Status st = e.reader().read_unified(c.cgroups, file, out); !st) {
        fallback(st.error());
        host_file(out);
    }
}

/// v1 memory.kmem.slabinfo where the kernel fills it; kernels since 5.9 account slab
/// objects per cgroup without listing them there (the file reads empty), and v2 has no
/// such file, so the host's file is shown instead, as the design document says. It is
/// not counted as a fallback: it is what these kernels can give.
void Gather::slabinfo(std::string& out) {
    if (e.reader().read(cgroup::Controller::memory, c.cgroups, "memory.kmem.slabinfo", out) &&
        !out.empty()) {
        return;
    }
    out.clear();
    Status st = e.proc().raw("slabinfo", out);
    if (!st) {
        out.clear();
        fallback(st.error());
    }
}

CpuSet Engine::visible_cpus(const Container& container) {
    thread_local std::string buf;
    auto& counters = counters_[served_index(*served_file("sys/devices/system/cpu/online"))];
    CpuSet base;
    if (container.is_host()) {
        return host_online_cpus();
    }
    if (auto set = reader_.cpuset(container.cgroups, buf)) {
        base = std::move(*set);
    } else {
        note_fallback(counters, "cpuset", set.error());
        base = host_online_cpus();
    }
    auto limit = reader_.cpu_limit(container.cgroups, buf);
    if (!limit) {
        note_fallback(counters, "cpu quota", limit.error());
        return base;
    }
    return lensfs::visible_cpus(base, *limit, options_.cpu_quota_view);
}

void Engine::render_recent(const ServedFile& file, const Container& container, std::string& out) {
    if (!recent_->enabled()) {
        return render(file, container, out);
    }
    auto now = RenderCache::Clock::now();
    RenderKey key{served_index(file), container};
    std::size_t hash = render_hash(key.file, container);
    if (recent_->find(hash, key, now, out)) {
        counters_[key.file].reads.fetch_add(1, std::memory_order_relaxed);
        return;
    }
    render(file, container, out);
    recent_->store(hash, key, now, out);
}

void Engine::render(const ServedFile& file, const Container& container, std::string& out) {
    out.clear();
    auto& counters = counters_[served_index(file)];
    counters.reads.fetch_add(1, std::memory_order_relaxed);
    Gather g{*this, container, counters, file.path};
    if (container.is_host()) {
        return g.host_file(out);
    }
    file.gather(g, out);
}

} // namespace lensfs::view
