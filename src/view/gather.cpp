// Gathers one container's facts for one file and hands them to the pure renderers.
#include <fcntl.h>

#include "render/render.hpp"
#include "util/file.hpp"
#include "util/log.hpp"
#include "view/engine.hpp"

namespace lensfs::view {

namespace {

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
    if (read_file_at(AT_FDCWD, "/sys/devices/system/cpu/online", text)) {
        if (auto set = CpuSet::parse(text); set && !set->empty()) {
            return *set;
        }
    }
    return CpuSet::first(1);
}

} // namespace

/// The per-file gathering steps; a friend of Engine.
struct Gather {
    Engine& e;
    const Container& c;
    FileCounters& counters;
    std::string_view name;

    void fallback(const Error& error) { note_fallback(counters, name, error); }

    // With swap turned off, a zero swap limit makes meminfo and swaps agree on "none".
    void hide_swap(MemoryStats& mem) const {
        if (!e.options_.swap) {
            mem.swap_limit = 0;
            mem.swap_usage = 0;
        }
    }

    void passthrough(std::string& out) {
        if (Status st = e.proc_.raw(name.substr(5).data(), out); !st) {
            out.clear();
            fallback(st.error());
        }
    }

    CpuSet visible() { return e.visible_cpus(c); }

    double uptime() const {
        double up = boottime_now() - c.start_boottime_s;
        return up < 0 ? 0 : up;
    }

    void meminfo(std::string& out) {
        auto host = e.proc_.meminfo(scratch().a);
        if (!host) {
            fallback(host.error());
            return passthrough(out);
        }
        auto mem = e.reader_.memory(c.cgroups, scratch().b);
        if (!mem) {
            fallback(mem.error());
            mem = MemoryStats{};
        }
        hide_swap(*mem);
        render::meminfo(*host, *mem, out);
    }

    void cpuinfo(std::string& out) {
        auto host = e.proc_.cpuinfo(scratch().a);
        if (!host) {
            fallback(host.error());
            return passthrough(out);
        }
        render::cpuinfo(*host, visible(), out);
    }

    void stat(std::string& out) {
        CpuSet cpus = visible();
        auto usage = e.reader_.cpu_usage(c.cgroups, scratch().b);
        if (!usage) {
            fallback(usage.error());
        }
        auto host = e.proc_.stat(scratch().a);
        if (!host) {
            fallback(host.error());
            return passthrough(out);
        }
        render::StatInput in{&cpus, usage ? &*usage : nullptr, uptime(), e.ticks_per_second_};
        render::stat(*host, in, out);
    }

    void uptime_file(std::string& out) {
        auto host = e.proc_.uptime(scratch().a);
        if (!host) {
            fallback(host.error());
            return passthrough(out);
        }
        render::UptimeInput in{*host, uptime(), static_cast<unsigned>(visible().size()), {}};
        if (auto usage = e.reader_.cpu_usage(c.cgroups, scratch().b)) {
            in.cpu_usage_s = static_cast<double>(usage->total_ns()) / 1e9;
        } else {
            fallback(usage.error());
        }
        render::uptime(in, out);
    }

    void swaps(std::string& out) {
        auto host = e.proc_.meminfo(scratch().a);
        auto mem = e.reader_.memory(c.cgroups, scratch().b);
        if (!host || !mem) {
            fallback(!host ? host.error() : mem.error());
            return passthrough(out);
        }
        hide_swap(*mem);
        render::swaps(host->get("SwapTotal").value_or(0), *mem, out);
    }

    void cpu_online(std::string& out) { render::cpu_list(visible().size(), out); }

    void loadavg(std::string& out) {
        auto figures = e.loadavg_.note_read(c.cgroups);
        if (!figures) {
            fallback(figures.error());
            return passthrough(out);
        }
        render::loadavg(*figures, out);
    }

    void diskstats(std::string& out) {
        auto io = e.reader_.block_io(c.cgroups, scratch().b);
        if (!io) {
            fallback(io.error());
            return passthrough(out);
        }
        if (Status st = e.proc_.raw("diskstats", scratch().a); !st) {
            fallback(st.error());
            return; // no device names: nothing can be shown
        }
        render::diskstats(scratch().a, *io, out);
    }

    /// The cgroup2 group's pressure file: real on v2 and on hybrid hosts' cgroup2 trees.
    void pressure(const char* file, std::string& out) {
        if (Status st = e.reader_.read_unified(c.cgroups, file, out); !st) {
            out.clear();
            fallback(st.error());
            passthrough(out);
        }
    }

    /// v1 memory.kmem.slabinfo where the kernel fills it; kernels since 5.9 account slab
    /// objects per cgroup without listing them there (the file reads empty), and v2 has no
    /// such file, so the host's file is shown instead, as the design document says. It is
    /// not counted as a fallback: it is what these kernels can give.
    void slabinfo(std::string& out) {
        if (e.reader_.read(cgroup::Controller::memory, c.cgroups, "memory.kmem.slabinfo", out) &&
            !out.empty()) {
            return;
        }
        out.clear();
        passthrough(out);
    }

    void host_file(FileId file, std::string& out) {
        if (file == FileId::cpu_online) {
            if (!read_file_at(AT_FDCWD, "/sys/devices/system/cpu/online", out)) {
                render::cpu_list(host_online_cpus().size(), out);
            }
            return;
        }
        passthrough(out);
    }
};

CpuSet Engine::visible_cpus(const Container& container) {
    thread_local std::string buf;
    auto& counters = counters_[static_cast<std::size_t>(FileId::cpu_online)];
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

void Engine::render(FileId file, const Container& container, std::string& out) {
    out.clear();
    auto& counters = counters_[static_cast<std::size_t>(file)];
    counters.reads.fetch_add(1, std::memory_order_relaxed);
    Gather g{*this, container, counters, file_path(file)};
    if (container.is_host()) {
        return g.host_file(file, out);
    }
    switch (file) {
    case FileId::meminfo:
        return g.meminfo(out);
    case FileId::cpuinfo:
        return g.cpuinfo(out);
    case FileId::stat:
        return g.stat(out);
    case FileId::uptime:
        return g.uptime_file(out);
    case FileId::swaps:
        return g.swaps(out);
    case FileId::cpu_online:
        return g.cpu_online(out);
    case FileId::loadavg:
        return g.loadavg(out);
    case FileId::diskstats:
        return g.diskstats(out);
    case FileId::pressure_cpu:
        return g.pressure("cpu.pressure", out);
    case FileId::pressure_memory:
        return g.pressure("memory.pressure", out);
    case FileId::pressure_io:
        return g.pressure("io.pressure", out);
    case FileId::slabinfo:
        return g.slabinfo(out);
    }
}

} // namespace lensfs::view
