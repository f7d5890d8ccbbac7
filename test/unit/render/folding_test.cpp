// The quota folding arithmetic of /proc/stat over a grid of cases: k visible CPUs out of 4
// with per-CPU usage on all 4. Whatever the split, the visible CPUs carry all of the cgroup's
// time unless that exceeds elapsed time on every one of them, and no CPU is busier than the
// elapsed time.

#include <catch2/catch.hpp>

#include "golden.hpp"
#include "host/proc_files.hpp"
#include "render/render.hpp"

using namespace lensfs;

namespace {

constexpr std::uint64_t kTick = 10'000'000; // ns per tick at 100 Hz

HostStat host_stat() {
    auto stat = host::parse_stat(test_data("host/variants/stat-4cpu"));
    REQUIRE(stat);
    return *stat;
}

} // namespace

TEST_CASE("folding keeps the total and caps every CPU at elapsed time") {
    HostStat host = host_stat();
    const std::uint64_t loads[][4] = {
        {0, 0, 0, 0},       {100, 0, 0, 0},     {0, 0, 0, 900}, {250, 250, 250, 250},
        {1000, 10, 10, 10}, {999, 998, 997, 3}, {1, 2, 3, 4},   {5000, 5000, 0, 0},
    };
    for (std::size_t k = 1; k <= 4; ++k) {
        CpuSet visible = CpuSet::first(static_cast<unsigned>(k));
        for (const auto& load : loads) {
            for (double uptime_s : {0.0, 3.0, 10.0, 25.0, 100.0}) {
                CpuUsage usage;
                std::uint64_t user_ticks = 0;
                std::uint64_t system_ticks = 0;
                for (unsigned cpu = 0; cpu < 4; ++cpu) {
                    // Two thirds user, one third system, in whole ticks.
                    std::uint64_t user = load[cpu] * 2 / 3;
                    std::uint64_t system = load[cpu] - user;
                    usage.per_cpu.push_back({cpu, user * kTick, system * kTick});
                    user_ticks += user;
                    system_ticks += system;
                }
                std::string out;
                render::stat(host, {&visible, &usage, uptime_s, 100}, out);
                auto back = host::parse_stat(out);
                REQUIRE(back);
                INFO("k=" << k << " load=" << load[0] << "," << load[1] << "," << load[2] << ","
                          << load[3] << " uptime=" << uptime_s);
                REQUIRE(back->per_cpu.size() == k);
                auto elapsed = static_cast<std::uint64_t>(uptime_s * 100);
                for (const auto& [n, t] : back->per_cpu) {
                    CHECK(t.user + t.system <= elapsed);
                    CHECK(t.user + t.system + t.idle == elapsed);
                }
                CHECK(back->total.user + back->total.system ==
                      std::min(user_ticks + system_ticks, k * elapsed));
                CHECK(back->total.user <= user_ticks);
                CHECK(back->total.system <= system_ticks);
            }
        }
    }
}
