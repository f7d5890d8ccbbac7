#include "cgroup/reader.hpp"

#include <fmt/format.h>

#include "cgroup/parse.hpp"

namespace lensfs::cgroup {

namespace {

// Calls fn(path) for @p path and each ancestor, leaf first, ending with "/".
template <typename Fn>
void walk_up(std::string_view path, Fn&& fn) {
    for (;;) {
        fn(path);
        if (path.size() <= 1) {
            return;
        }
        auto slash = path.rfind('/');
        path = slash == 0 ? std::string_view("/") : path.substr(0, slash);
    }
}

std::optional<std::uint64_t> smaller(std::optional<std::uint64_t> a,
                                     std::optional<std::uint64_t> b) {
    if (!a) {
        return b;
    }
    if (!b) {
        return a;
    }
    return std::min(*a, *b);
}

} // namespace

Result<Reader::Where> Reader::locate(Controller c, const ProcCgroups& cg) const {
    const Hierarchy* h = layout_.hierarchy(c);
    if (!h) {
        return Error{ENOENT, fmt::format("no hierarchy provides the {} controller",
                                         controller_name(c))};
    }
    const auto& path = layout_.path_for(cg, c);
    if (!path) {
        return Error{ENOENT, fmt::format("process has no {} cgroup", controller_name(c))};
    }
    return Where{layout_.hierarchy_index(c), h->v2, *path};
}

Result<std::optional<std::uint64_t>> Reader::min_limit_on_path(const Where& w, const char* file,
                                                               std::string& scratch) {
    std::optional<std::uint64_t> limit;
    Status status = Ok{};
    walk_up(w.path, [&](std::string_view level) {
        if (!status || !dirs_.read(w.hierarchy, level, file, scratch)) {
            return; // a level without the file (the v2 root) sets no limit
        }
        auto value = parse_limit(scratch, w.v2);
        if (!value) {
            status = Error{EINVAL, fmt::format("{}{}: {}", level, file, value.error().context)};
            return;
        }
        limit = smaller(limit, *value);
    });
    if (!status) {
        return std::move(status).error();
    }
    return limit;
}

Status Reader::memory_swap(const Where& w, std::optional<std::uint64_t> v1_memsw_limit,
                           MemoryStats& stats, std::string& scratch) {
    if (w.v2) {
        auto limit = min_limit_on_path(w, "memory.swap.max", scratch);
        if (!limit) {
            return std::move(limit).error();
        }
        stats.swap_limit = *limit;
        if (dirs_.read(w.hierarchy, w.path, "memory.swap.current", scratch)) {
            if (auto used = parse_number(scratch)) {
                stats.swap_usage = *used;
            }
        }
        return Ok{};
    }
    // v1 accounts memory + swap together; swap alone is the difference.
    std::optional<std::uint64_t> memsw = v1_memsw_limit;
    if (!memsw) {
        auto walked = min_limit_on_path(w, "memory.memsw.limit_in_bytes", scratch);
        if (!walked) {
            return std::move(walked).error();
        }
        memsw = *walked;
    }
    if (memsw && stats.limit && *memsw >= *stats.limit) {
        stats.swap_limit = *memsw - *stats.limit;
    }
    if (dirs_.read(w.hierarchy, w.path, "memory.memsw.usage_in_bytes", scratch) && stats.usage) {
        if (auto both = parse_number(scratch)) {
            stats.swap_usage = *both > *stats.usage ? *both - *stats.usage : 0;
        }
    }
    return Ok{};
}

Result<MemoryStats> Reader::memory(const ProcCgroups& cg, std::string& scratch) {
    auto where = locate(Controller::memory, cg);
    if (!where) {
        return std::move(where).error();
    }
    const Where& w = *where;
    MemoryStats stats;
    if (Status st = dirs_.read(w.hierarchy, w.path,
                               w.v2 ? "memory.current" : "memory.usage_in_bytes", scratch);
        !st) {
        return std::move(st).error();
    }
    auto usage = parse_number(scratch);
    if (!usage) {
        return std::move(usage).error();
    }
    stats.usage = *usage;
    V1HierarchicalLimits v1_limits;
    if (dirs_.read(w.hierarchy, w.path, "memory.stat", scratch)) {
        if (Status st = parse_memory_stat(scratch, w.v2, stats, &v1_limits); !st) {
            return std::move(st).error();
        }
    }
    if (v1_limits.memory) {
        // v1 did the walk to the root already.
        stats.limit = v1_limits.memory;
    } else {
        auto limit = min_limit_on_path(w, w.v2 ? "memory.max" : "memory.limit_in_bytes", scratch);
        if (!limit) {
            return std::move(limit).error();
        }
        stats.limit = *limit;
    }
    // Swap accounting is optional (no swap, or swapaccount=0): its absence is not an error.
    [[maybe_unused]] Status swap = memory_swap(w, v1_limits.memsw, stats, scratch);
    return stats;
}

Result<CpuSet> Reader::cpuset(const ProcCgroups& cg, std::string& scratch) {
    auto where = locate(Controller::cpuset, cg);
    if (!where) {
        return std::move(where).error();
    }
    const char* file = where->v2 ? "cpuset.cpus.effective" : "cpuset.effective_cpus";
    if (Status st = dirs_.read(where->hierarchy, where->path, file, scratch); !st) {
        return std::move(st).error();
    }
    auto set = CpuSet::parse(scratch);
    if (!set || set->empty()) {
        return Error{EINVAL, fmt::format("{}: unexpected content '{}'", file,
                                         std::string_view(scratch).substr(0, 40))};
    }
    return *set;
}

namespace {

// Compares quota/period ratios; long double keeps 64-bit values exact enough for ordering.
bool tighter(const CpuLimit& a, const CpuLimit& b) {
    return static_cast<long double>(a.quota_us) * b.period_us <
           static_cast<long double>(b.quota_us) * a.period_us;
}

} // namespace

Result<std::optional<CpuLimit>> Reader::cpu_limit(const ProcCgroups& cg, std::string& scratch) {
    auto where = locate(Controller::cpu, cg);
    if (!where) {
        return std::move(where).error();
    }
    const Where& w = *where;
    std::optional<CpuLimit> best;
    Status status = Ok{};
    walk_up(w.path, [&](std::string_view level) {
        if (!status) {
            return;
        }
        std::optional<CpuLimit> limit;
        if (w.v2) {
            if (!dirs_.read(w.hierarchy, level, "cpu.max", scratch)) {
                return;
            }
            auto parsed = parse_cpu_max(scratch);
            if (!parsed) {
                status = std::move(parsed).error();
                return;
            }
            limit = *parsed;
        } else {
            if (!dirs_.read(w.hierarchy, level, "cpu.cfs_quota_us", scratch)) {
                return;
            }
            auto quota = parse_cfs_quota(scratch);
            if (!quota) {
                status = std::move(quota).error();
                return;
            }
            if (!*quota || !dirs_.read(w.hierarchy, level, "cpu.cfs_period_us", scratch)) {
                return;
            }
            auto period = parse_number(scratch);
            if (!period || *period == 0) {
                status = Error{EINVAL, fmt::format("{}/cpu.cfs_period_us: not a period", level)};
                return;
            }
            limit = CpuLimit{**quota, *period};
        }
        if (limit && (!best || tighter(*limit, *best))) {
            best = limit;
        }
    });
    if (!status) {
        return std::move(status).error();
    }
    return best;
}

std::optional<Reader::Where> Reader::unified_below_root(const ProcCgroups& cg) const {
    if (layout_.unified_index() < 0 || !cg.unified || *cg.unified == "/") {
        return std::nullopt;
    }
    return Where{layout_.unified_index(), true, *cg.unified};
}

Result<CpuUsage> Reader::v1_cpu_usage(const Where& w, std::string& scratch) {
    Result<std::vector<CpuUsagePerCpu>> per_cpu = Error{ENOENT, "cpuacct.usage_all"};
    if (dirs_.read(w.hierarchy, w.path, "cpuacct.usage_all", scratch)) {
        per_cpu = parse_cpuacct_usage_all(scratch);
    } else if (Status st = dirs_.read(w.hierarchy, w.path, "cpuacct.usage_percpu", scratch);
               st) {
        per_cpu = parse_cpuacct_usage_percpu(scratch);
    } else {
        return std::move(st).error();
    }
    if (!per_cpu) {
        return std::move(per_cpu).error();
    }
    return usage_from_per_cpu(std::move(*per_cpu));
}

Result<CpuUsage> Reader::v2_cpu_usage(const Where& w, std::string& scratch) {
    // cpu.stat is in every cgroup2 group, with or without the cpu controller.
    if (Status st = dirs_.read(w.hierarchy, w.path, "cpu.stat", scratch); !st) {
        return std::move(st).error();
    }
    return parse_cpu_stat(scratch);
}

Result<CpuUsage> Reader::cpu_usage(const ProcCgroups& cg, std::string& scratch) {
    auto where = locate(Controller::cpuacct, cg);
    if (where && where->v2) {
        return v2_cpu_usage(*where, scratch);
    }
    // Hybrid hosts: the root's figures are the whole host's, so a cgroup2 group below the
    // root is the better account; so it is when the v1 files cannot be read.
    std::optional<Where> unified = unified_below_root(cg);
    if (where && !(where->path == "/" && unified)) {
        auto usage = v1_cpu_usage(*where, scratch);
        if (usage || !unified) {
            return usage;
        }
    }
    if (!unified) {
        return std::move(where).error();
    }
    return v2_cpu_usage(*unified, scratch);
}

Status Reader::read(Controller c, const ProcCgroups& cg, const char* file, std::string& out) {
    auto where = locate(c, cg);
    if (!where) {
        return std::move(where).error();
    }
    return dirs_.read(where->hierarchy, where->path, file, out);
}

Status Reader::read_unified(const ProcCgroups& cg, const char* file, std::string& out) {
    if (layout_.unified_index() < 0 || !cg.unified) {
        return Error{ENOENT, "no cgroup2 hierarchy"};
    }
    return dirs_.read(layout_.unified_index(), *cg.unified, file, out);
}

bool Reader::exists(const std::string& path) {
    for (std::size_t i = 0; i < layout_.hierarchies().size(); ++i) {
        if (dirs_.exists(static_cast<int>(i), path)) {
            return true;
        }
    }
    return false;
}

} // namespace lensfs::cgroup
