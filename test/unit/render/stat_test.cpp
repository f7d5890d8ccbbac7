#include <catch2/catch.hpp>

#include "golden.hpp"
#include "host/proc_files.hpp"
#include "render/render.hpp"

using namespace lensfs;

namespace {

constexpr std::uint64_t kSecond = 1'000'000'000;

HostStat host_stat(const std::string& name = "variants/stat-4cpu") {
    auto stat = host::parse_stat(test_data("host/" + name));
    REQUIRE(stat);
    return *stat;
}

HostStat render_stat(const HostStat& host, const CpuSet& visible, const CpuUsage* usage,
                     double uptime_s) {
    std::string out;
    render::stat(host, {&visible, usage, uptime_s, 100}, out);
    auto back = host::parse_stat(out);
    REQUIRE(back);
    return *back;
}

std::uint64_t busy(const CpuTimes& t) {
    return t.user + t.system;
}

} // namespace

TEST_CASE("stat: v1 per-CPU usage stays on its CPU, renumbered") {
    CpuUsage usage;
    usage.per_cpu = {{1, 30 * kSecond, 10 * kSecond}, {3, 5 * kSecond, 1 * kSecond}};
    auto out = render_stat(host_stat(), CpuSet({1, 3}), &usage, 100);
    REQUIRE(out.per_cpu.size() == 2);
    CHECK(out.per_cpu[0].first == 0);
    CHECK(out.per_cpu[0].second == CpuTimes{3000, 0, 1000, 6000, 0, 0, 0, 0, 0, 0});
    CHECK(out.per_cpu[1].second == CpuTimes{500, 0, 100, 9400, 0, 0, 0, 0, 0, 0});
    CHECK(out.total == CpuTimes{3500, 0, 1100, 15400, 0, 0, 0, 0, 0, 0});
}

TEST_CASE("stat: v2 totals spread evenly, remainder on the lower CPUs") {
    CpuUsage usage;
    usage.user_ns = 1001 * kSecond / 100; // 1001 ticks
    usage.system_ns = 2 * kSecond / 100;  // 2 ticks
    auto out = render_stat(host_stat(), CpuSet({0, 1, 2}), &usage, 10);
    REQUIRE(out.per_cpu.size() == 3);
    CHECK(out.per_cpu[0].second.user == 334);
    CHECK(out.per_cpu[1].second.user == 334);
    CHECK(out.per_cpu[2].second.user == 333);
    CHECK(out.per_cpu[0].second.system == 1);
    CHECK(out.per_cpu[2].second.system == 0);
    CHECK(out.total.user == 1001);
    CHECK(out.total.idle == 3000 - 1003);
}

TEST_CASE("stat: usage of CPUs cut by the quota folds onto the visible ones") {
    CpuUsage usage;
    for (unsigned cpu = 0; cpu < 4; ++cpu) {
        usage.per_cpu.push_back({cpu, 4 * kSecond, 1 * kSecond}); // 500 ticks busy each
    }
    SECTION("all of it fits") {
        auto out = render_stat(host_stat(), CpuSet({0}), &usage, 30); // 3000 ticks elapsed
        REQUIRE(out.per_cpu.size() == 1);
        CHECK(busy(out.total) == 2000);
        CHECK(out.total.idle == 1000);
    }
    SECTION("more than elapsed on every CPU: busy stops at elapsed") {
        auto out = render_stat(host_stat(), CpuSet({0, 1}), &usage, 5); // 500 ticks
        for (const auto& [cpu, t] : out.per_cpu) {
            CHECK(busy(t) == 500);
            CHECK(t.idle == 0);
        }
    }
    SECTION("a CPU over the elapsed time passes its excess on") {
        usage.per_cpu = {{0, 12 * kSecond, 0}, {1, kSecond, 0}, {2, kSecond, 0}, {3, kSecond, 0}};
        auto out = render_stat(host_stat(), CpuSet({0, 1}), &usage, 10); // 1000 ticks
        CHECK(busy(out.per_cpu[0].second) == 1000);
        CHECK(busy(out.per_cpu[1].second) == 500); // its own 100, CPU 0's 200, CPUs 2-3's 200
        CHECK(busy(out.total) == 1500);
    }
}

TEST_CASE("stat: busy figures never go down as usage grows (v2 spread)") {
    HostStat host = host_stat();
    CpuSet visible({0, 1, 2, 3});
    std::vector<CpuTimes> previous(4);
    for (std::uint64_t ticks = 0; ticks < 50; ++ticks) {
        CpuUsage usage;
        usage.user_ns = ticks * kSecond / 100;
        auto out = render_stat(host, visible, &usage, 100);
        for (std::size_t i = 0; i < 4; ++i) {
            CHECK(out.per_cpu[i].second.user >= previous[i].user);
            previous[i] = out.per_cpu[i].second;
        }
    }
}

TEST_CASE("stat: no usage gives the host's lines of the visible CPUs") {
    HostStat host = host_stat();
    auto out = render_stat(host, CpuSet({2, 3}), nullptr, 100);
    REQUIRE(out.per_cpu.size() == 2);
    CHECK(out.per_cpu[0].second == host.per_cpu[2].second);
    CHECK(out.per_cpu[1].second == host.per_cpu[3].second);
    CHECK(out.total.user == host.per_cpu[2].second.user + host.per_cpu[3].second.user);
    CHECK(out.tail == host.tail);
}

TEST_CASE("stat: odd inputs do not break the file") {
    HostStat host = host_stat();
    CpuUsage usage;
    usage.user_ns = 5 * kSecond;
    std::string out;
    SECTION("no visible set: the host's CPUs") {
        render::stat(host, {nullptr, &usage, 10, 100}, out);
        CHECK(host::parse_stat(out)->per_cpu.size() == 4);
    }
    SECTION("negative or NaN uptime: zero elapsed") {
        CpuSet one({0});
        render::stat(host, {&one, &usage, -5, 100}, out);
        CHECK(out.rfind("cpu  0 0 0 0 0 0 0 0 0 0\ncpu0 0 0 0 0", 0) == 0);
        out.clear();
        render::stat(host, {&one, &usage, std::nan(""), 100}, out);
        CHECK(out.rfind("cpu  0 0 0 0 0 0 0 0 0 0\n", 0) == 0);
    }
    SECTION("ticks_per_second 0 means USER_HZ") {
        CpuSet one({0});
        render::stat(host, {&one, &usage, 10, 0}, out);
        CHECK(out.rfind("cpu  500 0 0 500 ", 0) == 0);
    }
    SECTION("a host without cpuN lines keeps its aggregate") {
        HostStat bare;
        bare.total.user = 7;
        bare.tail = "btime 1\n";
        CpuSet one({0});
        render::stat(bare, {&one, &usage, 10, 100}, out);
        CHECK(out == "cpu  7 0 0 0 0 0 0 0 0 0\nbtime 1\n");
    }
    SECTION("huge counters do not overflow the conversion") {
        usage.user_ns = 18'000'000'000'000'000'000u; // ~570 years
        CpuSet one({0});
        render::stat(host, {&one, &usage, 1e12, 100}, out);
        CHECK(host::parse_stat(out)->total.user == 1'800'000'000'000u);
    }
}

TEST_CASE("stat: event counters since the container's start replace the host's") {
    auto host = host::parse_stat("cpu  1 0 1 8 0 0 0 0 0 0\ncpu0 1 0 1 8 0 0 0 0 0 0\n"
                                 "intr 1000 600 400\nctxt 5000\nbtime 1700000000\n"
                                 "processes 300\nprocs_running 1\nprocs_blocked 0\n"
                                 "softirq 200 100 100\n");
    REQUIRE(host);
    StatCounters shown{100, 50, 3, 20};
    CpuUsage usage;
    render::StatInput in{nullptr, &usage, 10.0, 100, &shown};
    std::string out;
    render::stat(*host, in, out);
    CHECK(out.find("\nintr 100 60 40\n") != std::string::npos);
    CHECK(out.find("\nctxt 50\n") != std::string::npos);
    CHECK(out.find("\nbtime 1700000000\n") != std::string::npos); // the host's, as it is
    CHECK(out.find("\nprocesses 3\n") != std::string::npos);
    CHECK(out.find("\nsoftirq 20 10 10\n") != std::string::npos);
    CHECK(out.back() == '\n');
}

TEST_CASE("stat: keep_idle sees each CPU's idle and what it returns is written") {
    CpuUsage usage;
    usage.per_cpu = {{1, 30 * kSecond, 10 * kSecond}, {3, 5 * kSecond, 1 * kSecond}};
    CpuSet visible({1, 3});
    std::vector<std::uint64_t> seen;
    render::StatInput in{&visible, &usage, 100, 100, nullptr, {}};
    in.keep_idle = [&](std::vector<std::uint64_t>& idle) {
        seen = idle;
        idle[1] += 7;
    };
    std::string out;
    render::stat(host_stat(), in, out);
    auto back = host::parse_stat(out);
    REQUIRE(back);
    CHECK(seen == std::vector<std::uint64_t>{6000, 9400});
    REQUIRE(back->per_cpu.size() == 2);
    CHECK(back->per_cpu[0].second.idle == 6000);
    CHECK(back->per_cpu[1].second.idle == 9407);
    CHECK(back->total.idle == 15407);
}
