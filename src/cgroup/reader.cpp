#include "cgroup/reader.hpp"

#include <fmt/format.h>

#include "cgroup/parse.hpp"

namespace lensfs::cgroup {

Result<Where> Reader::locate(Controller c, const ProcCgroups& cg) const {
    const Hierarchy* h = layout_.hierarchy(c);
    if (!h) {
        return Error{ENOENT,
                     fmt::format("no hierarchy provides the {} controller", controller_name(c))};
    }
    const auto& path = layout_.path_for(cg, c);
    if (!path) {
        return Error{ENOENT, fmt::format("process has no {} cgroup", controller_name(c))};
    }
    return Where{layout_.hierarchy_index(c), h->v2, *path};
}

Result<MemoryStats> Reader::memory(const ProcCgroups& cg, std::string& scratch) {
    auto where = locate(Controller::memory, cg);
    if (!where) {
        return std::move(where).error();
    }
    MemoryStats stats;
    if (Status st = backend_of(*where).memory(dirs_, *where, stats, scratch); !st) {
        return std::move(st).error();
    }
    return stats;
}

Result<CpuSet> Reader::cpuset(const ProcCgroups& cg, std::string& scratch) {
    auto where = locate(Controller::cpuset, cg);
    if (!where) {
        return std::move(where).error();
    }
    const char* file = backend_of(*where).cpuset_file();
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
    const Backend& backend = backend_of(*where);
    std::optional<CpuLimit> best;
    Status status = Ok{};
    walk_up(where->path, [&](std::string_view level) {
        if (!status) {
            return;
        }
        auto limit = backend.cpu_limit_at(dirs_, where->hierarchy, level, scratch);
        if (!limit) {
            status = std::move(limit).error();
        } else if (*limit && (!best || tighter(**limit, *best))) {
            best = *limit;
        }
    });
    if (!status) {
        return std::move(status).error();
    }
    return best;
}

std::optional<Where> Reader::unified_below_root(const ProcCgroups& cg) const {
    if (layout_.unified_index() < 0 || !cg.unified || *cg.unified == "/") {
        return std::nullopt;
    }
    return Where{layout_.unified_index(), true, *cg.unified};
}

Result<CpuUsage> Reader::cpu_usage(const ProcCgroups& cg, std::string& scratch) {
    auto where = locate(Controller::cpuacct, cg);
    if (where && where->v2) {
        return backend_v2().cpu_usage(dirs_, *where, scratch);
    }
    // Hybrid hosts: the root's figures are the whole host's, so a cgroup2 group below the
    // root is the better account; so it is when the v1 files cannot be read.
    std::optional<Where> unified = unified_below_root(cg);
    if (where && !(where->path == "/" && unified)) {
        auto usage = backend_v1().cpu_usage(dirs_, *where, scratch);
        if (usage || !unified) {
            return usage;
        }
    }
    if (!unified) {
        return std::move(where).error();
    }
    return backend_v2().cpu_usage(dirs_, *unified, scratch);
}

Result<std::vector<DeviceIo>> Reader::block_io(const ProcCgroups& cg, std::string& scratch) {
    auto where = locate(Controller::blkio, cg);
    if (!where) {
        return std::move(where).error();
    }
    std::vector<DeviceIo> devices;
    if (Status st = backend_of(*where).block_io(dirs_, *where, devices, scratch); !st) {
        return std::move(st).error();
    }
    return devices;
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
