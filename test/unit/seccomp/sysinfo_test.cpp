#include <catch2/catch.hpp>

#include "seccomp/sysinfo.hpp"

using namespace lensfs::seccomp;

namespace {

constexpr const char* kMeminfo = "MemTotal:         262144 kB\n"
                                 "MemFree:          250000 kB\n"
                                 "MemAvailable:     255000 kB\n"
                                 "Buffers:               8 kB\n"
                                 "Cached:             4096 kB\n"
                                 "SwapTotal:         65536 kB\n"
                                 "SwapFree:          65532 kB\n"
                                 "Shmem:               128 kB\n";

} // namespace

TEST_CASE("sysinfo figures come from the container's own /proc texts") {
    auto f = facts_from_proc(kMeminfo, "12.34 20.00\n", "0.52 1.00 2.25 1/17 345\n");
    REQUIRE(f);
    CHECK(f->total_kb == 262144);
    CHECK(f->free_kb == 250000);
    CHECK(f->buffer_kb == 8);
    CHECK(f->shared_kb == 128);
    CHECK(f->swap_total_kb == 65536);
    CHECK(f->swap_free_kb == 65532);
    CHECK(f->uptime_s == Approx(12.34));
    CHECK(f->loads[0] == Approx(0.52));
    CHECK(f->loads[2] == Approx(2.25));
    CHECK(f->procs == 17);
}

TEST_CASE("sysinfo figures: optional lines count 0, required ones refuse") {
    auto f = facts_from_proc("MemTotal: 1024 kB\nMemFree: 512 kB\n", "1.00 1.00\n",
                             "0.00 0.00 0.00 1/1 1\n");
    REQUIRE(f);
    CHECK(f->swap_total_kb == 0);
    CHECK(f->shared_kb == 0);
    CHECK_FALSE(facts_from_proc("MemFree: 512 kB\n", "1.00 1.00\n", "0.00 0.00 0.00 1/1 1\n"));
    CHECK_FALSE(facts_from_proc(kMeminfo, "", "0.00 0.00 0.00 1/1 1\n"));
    CHECK_FALSE(facts_from_proc(kMeminfo, "x 1\n", "0.00 0.00 0.00 1/1 1\n"));
    CHECK_FALSE(facts_from_proc(kMeminfo, "1.0 1.0\n", "0.00 0.00 1/1 1\n"));
    CHECK_FALSE(facts_from_proc(kMeminfo, "1.0 1.0\n", "0.00 0.00 0.00 11 1\n"));
    CHECK_FALSE(facts_from_proc("MemTotal: lots kB\nMemFree: 1 kB\n", "1 1\n",
                                "0.00 0.00 0.00 1/1 1\n"));
}

TEST_CASE("sysinfo is packed as the kernel packs it") {
    auto f = facts_from_proc(kMeminfo, "12.34 20.00\n", "0.52 1.00 2.25 1/17 345\n");
    REQUIRE(f);
    struct sysinfo si = pack_sysinfo(*f, 4096);
    CHECK(si.uptime == 13); // rounded up, as the kernel rounds its nanoseconds
    CHECK(si.loads[0] == 34079); // 0.52 * 65536
    CHECK(si.loads[1] == 65536);
    CHECK(si.loads[2] == 147456);
    CHECK(si.procs == 17);
    if (sizeof(unsigned long) == 8) {
        CHECK(si.mem_unit == 1);
        CHECK(si.totalram == 262144UL * 1024);
        CHECK(si.freeram == 250000UL * 1024);
        CHECK(si.sharedram == 128UL * 1024);
        CHECK(si.bufferram == 8UL * 1024);
        CHECK(si.totalswap == 65536UL * 1024);
        CHECK(si.freeswap == 65532UL * 1024);
    }
    SysinfoFacts whole;
    whole.uptime_s = 7.0;
    whole.procs = 100000;
    whole.total_kb = 4;
    whole.free_kb = 4;
    si = pack_sysinfo(whole, 4096);
    CHECK(si.uptime == 7);
    CHECK(si.procs == 65535);
}

TEST_CASE("sysinfo keeps pages when the bytes would not fit an unsigned long") {
    SysinfoFacts huge;
    huge.total_kb = std::numeric_limits<unsigned long>::max() / 1024 * 2;
    huge.free_kb = 4;
    struct sysinfo si = pack_sysinfo(huge, 4096);
    CHECK(si.mem_unit == 4096);
    CHECK(si.freeram == 1);
}
