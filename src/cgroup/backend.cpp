#include "cgroup/backend.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "cgroup/parse.hpp"

namespace lensfs::cgroup {

Result<std::optional<std::uint64_t>> min_limit_on_path(DirCache& dirs, const Where& w,
                                                       const char* file, std::string& scratch) {
    std::optional<std::uint64_t> limit;
    Status status = Ok{};
    walk_up(w.path, [&](std::string_view level) {
        if (!status || !dirs.read(w.hierarchy, level, file, scratch)) {
            return; // a level without the file (the v2 root) sets no limit
        }
        auto value = parse_limit(scratch, w.v2);
        if (!value) {
            status = Error{EINVAL, fmt::format("{}{}: {}", level, file, value.error().context)};
            return;
        }
        if (*value) {
            limit = limit ? std::min(*limit, **value) : **value;
        }
    });
    if (!status) {
        return std::move(status).error();
    }
    return limit;
}

Status read_usage_and_stat(DirCache& dirs, const Where& w, const char* usage_file,
                           MemoryStats& stats, V1HierarchicalLimits* v1_limits,
                           std::string& scratch) {
    if (Status st = dirs.read(w.hierarchy, w.path, usage_file, scratch); !st) {
        return st;
    }
    auto usage = parse_number(scratch);
    if (!usage) {
        return std::move(usage).error();
    }
    stats.usage = *usage;
    if (dirs.read(w.hierarchy, w.path, "memory.stat", scratch)) {
        return parse_memory_stat(scratch, w.v2, stats, v1_limits);
    }
    return Ok{};
}

} // namespace lensfs::cgroup
