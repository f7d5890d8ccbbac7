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
        render::swaps(host->get("SwapTotal").value_or(0), *mem, out);
    }

    void cpu_online(std::string& out) { render::cpu_list(visible().size(), out); }
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
    if (container.is_host() || file == FileId::loadavg || file == FileId::diskstats) {
        if (file == FileId::cpu_online) {
            if (!read_file_at(AT_FDCWD, "/sys/devices/system/cpu/online", out)) {
                render::cpu_list(host_online_cpus().size(), out);
            }
            return;
        }
        return g.passthrough(out);
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
    case FileId::diskstats:
        return g.passthrough(out);
    }
}

} // namespace lensfs::view
