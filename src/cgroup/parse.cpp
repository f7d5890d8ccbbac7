#include "cgroup/parse.hpp"

#include <fmt/format.h>

#include "util/parse.hpp"

namespace lensfs::cgroup {

namespace {

Error invalid(std::string_view what, std::string_view text) {
    constexpr std::size_t kShown = 40;
    auto shown = text.substr(0, kShown);
    return Error{EINVAL, fmt::format("{}: unexpected content '{}'", what, shown)};
}

// A file holding one value: surrounding whitespace allowed, nothing else.
std::string_view single_value(std::string_view text) {
    return trim(text);
}

} // namespace

Result<std::uint64_t> parse_number(std::string_view text) {
    auto value = parse_u64(single_value(text));
    if (!value) {
        return invalid("number", text);
    }
    return *value;
}

Result<std::optional<std::uint64_t>> parse_max(std::string_view text) {
    auto word = single_value(text);
    if (word == "max") {
        return std::optional<std::uint64_t>{};
    }
    auto value = parse_u64(word);
    if (!value) {
        return invalid("limit", text);
    }
    return std::optional<std::uint64_t>{*value};
}

Result<std::optional<std::uint64_t>> parse_limit(std::string_view text, bool v2) {
    if (v2) {
        return parse_max(text);
    }
    auto value = parse_number(text);
    if (!value) {
        return std::move(value).error();
    }
    return std::optional<std::uint64_t>{*value};
}

Result<std::optional<std::uint64_t>> parse_cfs_quota(std::string_view text) {
    auto value = parse_i64(single_value(text));
    if (!value || *value < -1) {
        return invalid("cpu.cfs_quota_us", text);
    }
    if (*value < 0) {
        return std::optional<std::uint64_t>{};
    }
    return std::optional<std::uint64_t>{static_cast<std::uint64_t>(*value)};
}

Result<std::optional<CpuLimit>> parse_cpu_max(std::string_view text) {
    std::string_view rest = single_value(text);
    std::string_view quota = next_word(rest);
    std::string_view period = next_word(rest);
    if (quota.empty() || !trim(rest).empty()) {
        return invalid("cpu.max", text);
    }
    CpuLimit limit;
    if (!period.empty()) {
        auto p = parse_u64(period);
        if (!p || *p == 0) {
            return invalid("cpu.max", text);
        }
        limit.period_us = *p;
    }
    if (quota == "max") {
        return std::optional<CpuLimit>{};
    }
    auto q = parse_u64(quota);
    if (!q) {
        return invalid("cpu.max", text);
    }
    limit.quota_us = *q;
    return std::optional<CpuLimit>{limit};
}

namespace {

using Field = std::optional<std::uint64_t> MemoryStats::*;

struct StatKey {
    std::string_view v1;
    std::string_view v2;
    Field field;
};

constexpr StatKey kStatKeys[] = {
    {"total_cache", "file", &MemoryStats::file},
    {"total_rss", "anon", &MemoryStats::anon},
    {"total_active_anon", "active_anon", &MemoryStats::active_anon},
    {"total_inactive_anon", "inactive_anon", &MemoryStats::inactive_anon},
    {"total_active_file", "active_file", &MemoryStats::active_file},
    {"total_inactive_file", "inactive_file", &MemoryStats::inactive_file},
    {"total_unevictable", "unevictable", &MemoryStats::unevictable},
    {"total_shmem", "shmem", &MemoryStats::shmem},
    {"total_mapped_file", "file_mapped", &MemoryStats::mapped},
    {"total_dirty", "file_dirty", &MemoryStats::dirty},
    {"total_writeback", "file_writeback", &MemoryStats::writeback},
    {"", "slab", &MemoryStats::slab},
    {"", "slab_reclaimable", &MemoryStats::slab_reclaimable},
    {"", "slab_unreclaimable", &MemoryStats::slab_unreclaimable},
};

Field field_for(std::string_view key, bool v2) {
    for (const auto& k : kStatKeys) {
        if (key == (v2 ? k.v2 : k.v1) && !key.empty()) {
            return k.field;
        }
    }
    return nullptr;
}

} // namespace

Status parse_memory_stat(std::string_view text, bool v2, MemoryStats& stats,
                         V1HierarchicalLimits* limits) {
    Status status = Ok{};
    for_each_line(text, [&](std::string_view line) {
        if (!status || trim(line).empty()) {
            return;
        }
        std::string_view key;
        std::uint64_t value = 0;
        if (!parse_key_u64(line, key, value)) {
            status = invalid("memory.stat", line);
            return;
        }
        if (Field field = field_for(key, v2)) {
            stats.*field = value;
        } else if (limits != nullptr && !v2 && key == "hierarchical_memory_limit") {
            limits->memory = value;
        } else if (limits != nullptr && !v2 && key == "hierarchical_memsw_limit") {
            limits->memsw = value;
        }
    });
    return status;
}

Result<std::vector<CpuUsagePerCpu>> parse_cpuacct_usage_all(std::string_view text) {
    std::vector<CpuUsagePerCpu> out;
    bool header = true;
    Status status = Ok{};
    for_each_line(text, [&](std::string_view line) {
        if (!status || trim(line).empty()) {
            return;
        }
        std::string_view rest = line;
        std::string_view cpu = next_word(rest);
        if (header && cpu == "cpu") {
            header = false;
            return;
        }
        auto id = parse_u64(cpu);
        auto user = parse_u64(next_word(rest));
        auto system = parse_u64(next_word(rest));
        if (!id || !user || !system || *id > kMaxCpuId || !trim(rest).empty()) {
            status = invalid("cpuacct.usage_all", line);
            return;
        }
        out.push_back({static_cast<unsigned>(*id), *user, *system});
    });
    if (!status) {
        return std::move(status).error();
    }
    return out;
}

Result<std::vector<CpuUsagePerCpu>> parse_cpuacct_usage_percpu(std::string_view text) {
    std::vector<CpuUsagePerCpu> out;
    std::string_view rest = text;
    for (std::string_view word = next_word(rest); !word.empty(); word = next_word(rest)) {
        auto value = parse_u64(word);
        if (!value || out.size() > kMaxCpuId) {
            return invalid("cpuacct.usage_percpu", text);
        }
        out.push_back({static_cast<unsigned>(out.size()), *value, 0});
    }
    return out;
}

Result<CpuUsage> parse_cpu_stat(std::string_view text) {
    CpuUsage usage;
    bool have_user = false;
    bool have_system = false;
    Status status = Ok{};
    for_each_line(text, [&](std::string_view line) {
        std::string_view key;
        std::uint64_t value = 0;
        if (!status || trim(line).empty()) {
            return;
        }
        if (!parse_key_u64(line, key, value)) {
            status = invalid("cpu.stat", line);
        } else if (key == "user_usec") {
            usage.user_ns = value * 1000;
            have_user = true;
        } else if (key == "system_usec") {
            usage.system_ns = value * 1000;
            have_system = true;
        }
    });
    if (!status) {
        return std::move(status).error();
    }
    if (!have_user || !have_system) {
        return Error{EINVAL, "cpu.stat: user_usec or system_usec missing"};
    }
    return usage;
}

CpuUsage usage_from_per_cpu(std::vector<CpuUsagePerCpu> per_cpu) {
    CpuUsage usage;
    for (const auto& cpu : per_cpu) {
        usage.user_ns += cpu.user_ns;
        usage.system_ns += cpu.system_ns;
    }
    usage.per_cpu = std::move(per_cpu);
    return usage;
}

} // namespace lensfs::cgroup
