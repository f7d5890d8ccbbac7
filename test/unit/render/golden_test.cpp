// Golden cases: test/data/golden/<case>/input describes the host files and the container's
// facts; the other files in the folder are the expected renderings. Each rendering is also
// parsed back and checked against the invariants the design promises.

#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <vector>

#include "golden.hpp"
#include "host/proc_files.hpp"
#include "render/render.hpp"
#include "util/parse.hpp"

using namespace lensfs;

namespace {

struct Case {
    std::string dir;
    HostMeminfo meminfo;
    HostStat stat;
    HostCpuinfo cpuinfo;
    HostUptime uptime;
    MemoryStats mem;
    CpuSet visible;
    std::optional<CpuUsage> usage;
    double uptime_s = 0;
    unsigned ticks = 100;
};

using MemField = std::optional<std::uint64_t> MemoryStats::*;

MemField mem_field(std::string_view name) {
    static const std::pair<std::string_view, MemField> kFields[] = {
        {"limit", &MemoryStats::limit},
        {"usage", &MemoryStats::usage},
        {"swap_limit", &MemoryStats::swap_limit},
        {"swap_usage", &MemoryStats::swap_usage},
        {"file", &MemoryStats::file},
        {"anon", &MemoryStats::anon},
        {"active_anon", &MemoryStats::active_anon},
        {"inactive_anon", &MemoryStats::inactive_anon},
        {"active_file", &MemoryStats::active_file},
        {"inactive_file", &MemoryStats::inactive_file},
        {"unevictable", &MemoryStats::unevictable},
        {"shmem", &MemoryStats::shmem},
        {"mapped", &MemoryStats::mapped},
        {"dirty", &MemoryStats::dirty},
        {"writeback", &MemoryStats::writeback},
        {"slab", &MemoryStats::slab},
        {"slab_reclaimable", &MemoryStats::slab_reclaimable},
        {"slab_unreclaimable", &MemoryStats::slab_unreclaimable},
    };
    for (const auto& [key, field] : kFields) {
        if (key == name) {
            return field;
        }
    }
    FAIL("unknown memory field " << name);
    return nullptr;
}

std::uint64_t number(std::string_view word) {
    auto value = parse_u64(word);
    INFO("number: " << word);
    REQUIRE(value);
    return *value;
}

void apply(Case& c, std::string_view key, std::string_view rest, std::string host_files[4]) {
    static const char* const kHostKeys[] = {"host.meminfo", "host.stat", "host.cpuinfo",
                                            "host.uptime"};
    for (int i = 0; i < 4; ++i) {
        if (key == kHostKeys[i]) {
            host_files[i] = std::string(trim(rest));
            return;
        }
    }
    if (key.substr(0, 4) == "mem.") {
        c.mem.*mem_field(key.substr(4)) = number(trim(rest));
    } else if (key == "visible") {
        auto set = CpuSet::parse(rest);
        REQUIRE(set);
        c.visible = *set;
    } else if (key == "uptime_s") {
        c.uptime_s = std::stod(std::string(trim(rest)));
    } else if (key == "ticks") {
        c.ticks = static_cast<unsigned>(number(trim(rest)));
    } else if (key == "usage.user_ns" || key == "usage.system_ns") {
        auto& usage = c.usage ? *c.usage : c.usage.emplace();
        (key == "usage.user_ns" ? usage.user_ns : usage.system_ns) = number(trim(rest));
    } else if (key == "usage.cpu") {
        auto& usage = c.usage ? *c.usage : c.usage.emplace();
        CpuUsagePerCpu entry;
        entry.cpu = static_cast<unsigned>(number(next_word(rest)));
        entry.user_ns = number(next_word(rest));
        entry.system_ns = number(next_word(rest));
        usage.per_cpu.push_back(entry);
    } else {
        FAIL("unknown key " << key);
    }
}

Case load_case(const std::string& name) {
    Case c;
    c.dir = std::string(LENSFS_TEST_DATA) + "/golden/" + name;
    std::string host_files[4] = {"meminfo", "stat", "cpuinfo", "uptime"};
    std::string input = test_data("golden/" + name + "/input");
    for_each_line(input, [&](std::string_view line) {
        std::string_view rest = line;
        std::string_view key = next_word(rest);
        if (!key.empty() && key.front() != '#') {
            apply(c, key, rest, host_files);
        }
    });
    if (c.usage && !c.usage->per_cpu.empty()) {
        for (const auto& entry : c.usage->per_cpu) { // v1 totals are the per-CPU sums
            c.usage->user_ns += entry.user_ns;
            c.usage->system_ns += entry.system_ns;
        }
    }
    auto meminfo = host::parse_meminfo(test_data("host/" + host_files[0]));
    auto stat = host::parse_stat(test_data("host/" + host_files[1]));
    auto cpuinfo = host::parse_cpuinfo(test_data("host/" + host_files[2]));
    auto uptime = host::parse_uptime(test_data("host/" + host_files[3]));
    REQUIRE((meminfo && stat && cpuinfo && uptime));
    c.meminfo = *meminfo;
    c.stat = *stat;
    c.cpuinfo = *cpuinfo;
    c.uptime = *uptime;
    return c;
}

std::vector<std::string> case_names() {
    std::vector<std::string> names;
    for (const auto& entry :
         std::filesystem::directory_iterator(std::string(LENSFS_TEST_DATA) + "/golden")) {
        if (entry.is_directory()) {
            names.push_back(entry.path().filename().string());
        }
    }
    std::sort(names.begin(), names.end());
    return names;
}

} // namespace

// ---- invariants ---------------------------------------------------------------------------

namespace {

void check_meminfo(const Case& c, const std::string& text) {
    auto parsed = host::parse_meminfo(text);
    REQUIRE(parsed);
    REQUIRE(parsed->entries.size() == c.meminfo.entries.size());
    for (std::size_t i = 0; i < parsed->entries.size(); ++i) {
        CHECK(parsed->entries[i].name == c.meminfo.entries[i].name);
    }
    std::uint64_t total = *parsed->get("MemTotal");
    CHECK(total >= 1);
    CHECK(total <= *c.meminfo.get("MemTotal"));
    if (!c.mem.usage) {
        return;
    }
    const std::string_view kNotBoundByMemTotal[] = {"VmallocTotal", "Hugepagesize", "SwapTotal",
                                                    "SwapFree",     "CommitLimit",  "Committed_AS"};
    for (const auto& entry : parsed->entries) {
        bool exempt = std::find(std::begin(kNotBoundByMemTotal), std::end(kNotBoundByMemTotal),
                                entry.name) != std::end(kNotBoundByMemTotal);
        if (entry.kb && !exempt) {
            INFO(entry.name);
            CHECK(entry.value <= total);
        }
    }
    CHECK(*parsed->get("MemFree") <= *parsed->get("MemAvailable"));
    CHECK(*parsed->get("SwapFree") <= *parsed->get("SwapTotal"));
    CHECK(*parsed->get("SwapTotal") <= *c.meminfo.get("SwapTotal"));
}

void check_stat(const Case& c, const std::string& text) {
    auto parsed = host::parse_stat(text);
    REQUIRE(parsed);
    CHECK(parsed->tail == c.stat.tail);
    CpuTimes sum;
    for (std::size_t i = 0; i < parsed->per_cpu.size(); ++i) {
        const CpuTimes& t = parsed->per_cpu[i].second;
        CHECK(parsed->per_cpu[i].first == i);
        sum.user += t.user;
        sum.nice += t.nice;
        sum.system += t.system;
        sum.idle += t.idle;
        sum.iowait += t.iowait;
        sum.irq += t.irq;
        sum.softirq += t.softirq;
        sum.steal += t.steal;
        sum.guest += t.guest;
        sum.guest_nice += t.guest_nice;
        if (c.usage) {
            auto elapsed = static_cast<std::uint64_t>(c.uptime_s * c.ticks);
            CHECK(t.user + t.system + t.idle == elapsed); // busy never exceeds elapsed
        }
    }
    CHECK(parsed->total == sum);
}

void check_other(const Case& c, const std::string& cpuinfo, const std::string& uptime,
                 const std::string& swaps, const std::string& online) {
    auto info = host::parse_cpuinfo(cpuinfo);
    REQUIRE(info);
    for (std::size_t i = 0; i < info->blocks.size(); ++i) {
        CHECK(info->blocks[i].processor == i);
    }
    std::size_t present = 0;
    for (const auto& block : c.cpuinfo.blocks) {
        present += c.visible.contains(block.processor) ? 1 : 0;
    }
    // No visible CPU known to the host: the host's file rather than an empty one.
    CHECK(info->blocks.size() == (present > 0 ? present : c.cpuinfo.blocks.size()));
    auto up = host::parse_uptime(uptime);
    REQUIRE(up);
    CHECK(up->idle <= up->uptime * std::max<std::size_t>(c.visible.size(), 1) + 0.01);
    CHECK(swaps.rfind("Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n", 0) == 0);
    auto set = CpuSet::parse(online);
    REQUIRE(set);
    CHECK(set->size() == std::max<std::size_t>(c.visible.size(), 1));
}

} // namespace

TEST_CASE("golden renderings") {
    auto names = case_names();
    REQUIRE(names.size() >= 10);
    for (const std::string& name : names) {
        INFO("case " << name);
        Case c = load_case(name);
        std::string meminfo, cpuinfo, stat, uptime, swaps, online;
        render::meminfo(c.meminfo, c.mem, meminfo);
        render::cpuinfo(c.cpuinfo, c.visible, cpuinfo);
        const CpuUsage* usage = c.usage ? &*c.usage : nullptr;
        render::stat(c.stat, {&c.visible, usage, c.uptime_s, c.ticks}, stat);
        std::optional<double> usage_s;
        if (c.usage) {
            usage_s = static_cast<double>(c.usage->total_ns()) / 1e9;
        }
        render::uptime({c.uptime, c.uptime_s, static_cast<unsigned>(c.visible.size()), usage_s},
                       uptime);
        render::swaps(c.meminfo.get("SwapTotal").value_or(0), c.mem, swaps);
        render::cpu_list(c.visible.size(), online);

        check_golden(c.dir + "/meminfo", meminfo);
        check_golden(c.dir + "/cpuinfo", cpuinfo);
        check_golden(c.dir + "/stat", stat);
        check_golden(c.dir + "/uptime", uptime);
        check_golden(c.dir + "/swaps", swaps);
        check_golden(c.dir + "/cpu_online", online);
        check_meminfo(c, meminfo);
        check_stat(c, stat);
        check_other(c, cpuinfo, uptime, swaps, online);
    }
}
