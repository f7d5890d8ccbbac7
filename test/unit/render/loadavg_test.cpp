// The load average arithmetic against values worked out by hand from the kernel's formula
// (include/linux/sched/loadavg.h): a1 = (a0 * e + n * 2048 * (2048 - e) [+ 2047 when
// rising]) / 2048, with e = 1884, 2014, 2037; shown as (a + 10) >> 11 and
// ((a + 10) & 2047) * 100 >> 11.

#include <catch2/catch.hpp>

#include "model/loadavg.hpp"
#include "render/render.hpp"

using namespace lensfs;
using namespace lensfs::loadavg;

namespace {

std::string shown(const LoadAverages& averages, std::uint32_t running = 0, std::uint32_t total = 0,
                  std::uint32_t last_pid = 0) {
    std::string out;
    render::loadavg({averages, running, total, last_pid}, out);
    return out;
}

} // namespace

TEST_CASE("loadavg: the kernel's constants") {
    CHECK(kFixed1 == 2048);
    CHECK(kExp1 == 1884);
    CHECK(kExp5 == 2014);
    CHECK(kExp15 == 2037);
    CHECK(kSampleSeconds == 5);
}

TEST_CASE("loadavg: one sample of two tasks from zero") {
    // 4096 * 164 + 2047 = 673791, / 2048 = 328; 4096 * 34 + 2047 = 141311 -> 68;
    // 4096 * 11 + 2047 = 47103 -> 22.
    CHECK(calc_load(0, kExp1, 2 * kFixed1) == 328);
    CHECK(calc_load(0, kExp5, 2 * kFixed1) == 68);
    CHECK(calc_load(0, kExp15, 2 * kFixed1) == 22);
    // Second: 328 * 1884 + 4096 * 164 + 2047 = 1291743 -> 630.
    CHECK(calc_load(328, kExp1, 2 * kFixed1) == 630);
    LoadAverages a;
    a.update(2);
    CHECK(a.fixed == std::array<std::uint64_t, 3>{328, 68, 22});
    // (328 + 10) * 100 >> 11 = 16; (68 + 10) * 100 >> 11 = 3; (22 + 10) * 100 >> 11 = 1.
    CHECK(shown(a, 2, 7, 42) == "0.16 0.03 0.01 2/7 42\n");
}

TEST_CASE("loadavg: falling rounds down, and an idle container reaches 0.00") {
    // 4096 * 1884 / 2048 = 3768 exactly: 1.84 (2 e^(-1/12) = 1.8401).
    CHECK(calc_load(4096, kExp1, 0) == 3768);
    CHECK(calc_load(4096, kExp5, 0) == 4028);
    CHECK(calc_load(4096, kExp15, 0) == 4074);
    CHECK(calc_load(1, kExp1, 0) == 0); // 1884 / 2048
    LoadAverages a;
    a.fixed = {4096, 4096, 4096};
    a.update(0);
    CHECK(shown(a) == "1.84 1.97 1.99 0/0 0\n");
    for (int i = 0; i < 2000; ++i) {
        a.update(0);
    }
    CHECK(a.fixed == std::array<std::uint64_t, 3>{0, 0, 0});
}

TEST_CASE("loadavg: a steady load of 2 converges to exactly 2.00") {
    // At 4095: 4095 * 1884 + 4096 * 164 + 2047 = 8388771 -> 4096; at 4096 it stays there.
    CHECK(calc_load(4095, kExp1, 2 * kFixed1) == 4096);
    CHECK(calc_load(4096, kExp1, 2 * kFixed1) == 4096);
    LoadAverages a;
    std::array<std::uint64_t, 3> previous{};
    int reached = 0;
    for (int step = 1; step <= 400; ++step) {
        a.update(2);
        for (std::size_t i = 0; i < 3; ++i) {
            CHECK(a.fixed[i] >= previous[i]); // rises steadily, never past the count
            CHECK(a.fixed[i] <= 4096);
        }
        previous = a.fixed;
        if (reached == 0 && a.fixed[0] == 4096) {
            reached = step;
        }
        if (step == 12) { // one minute: 2 (1 - 1/e) = 1.26
            CHECK(a.fixed == std::array<std::uint64_t, 3>{2595, 750, 261});
            CHECK(shown(a) == "1.27 0.37 0.13 0/0 0\n");
        }
    }
    CHECK(reached == 76);
    CHECK(a.fixed == std::array<std::uint64_t, 3>{4096, 4096, 3703});
    CHECK(shown(a).substr(0, 9) == "2.00 2.00");
}

TEST_CASE("loadavg: fixed_power and missed samples") {
    // 1884^2: (3549456 + 1024) >> 11 = 1733; 1884^3 = (1884 * 1733 + 1024) >> 11 = 1594.
    CHECK(fixed_power(kExp1, kFshift, 0) == 2048);
    CHECK(fixed_power(kExp1, kFshift, 1) == 1884);
    CHECK(fixed_power(kExp1, kFshift, 2) == 1733);
    CHECK(fixed_power(kExp1, kFshift, 3) == 1594);
    CHECK(calc_load_n(777, kExp1, 0, 0) == 777);
    CHECK(calc_load_n(4096, kExp1, 0, 3) == 4096 * 1594 / 2048);
    LoadAverages a;
    a.fixed = {4096, 4096, 4096};
    LoadAverages b = a;
    a.update(3, 1);
    CHECK(a.fixed[0] == calc_load(4096, kExp1, 3 * kFixed1));
    b.update(1, 3);
    CHECK(b.fixed[0] == calc_load(4096, 1594, kFixed1));
    LoadAverages huge;
    huge.update(std::uint64_t{1} << 40); // clamped, no overflow
    CHECK(huge.fixed[0] > 0);
}

TEST_CASE("loadavg: rendering rounds to the nearest hundredth like fs/proc/loadavg.c") {
    LoadAverages a;
    a.fixed = {2037, 2038, 0}; // +10: 2047 -> 0.99, 2048 -> 1.00
    CHECK(shown(a, 1, 83, 4994) == "0.99 1.00 0.00 1/83 4994\n");
    a.fixed = {1000 * kFixed1 + 1024, 204, 20};
    CHECK(shown(a) == "1000.50 0.10 0.01 0/0 0\n");
}
