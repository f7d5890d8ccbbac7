#include <catch2/catch.hpp>

#include "cgroup/parse.hpp"

using namespace lensfs;
using namespace lensfs::cgroup;

TEST_CASE("limit files: numbers, max, garbage") {
    CHECK(*parse_number("268435456\n") == 268435456u);
    CHECK_FALSE(parse_number(""));
    CHECK_FALSE(parse_number("12 34"));
    CHECK(parse_number("x").error().code == EINVAL);
    CHECK(*parse_max("max\n") == std::nullopt);
    CHECK(**parse_max("1024\n") == 1024u);
    CHECK_FALSE(parse_max("maximum"));
    CHECK(**parse_limit("9223372036854771712\n", false) == 9223372036854771712u);
    CHECK_FALSE(parse_limit("max", false));
}

TEST_CASE("cfs quota and cpu.max") {
    CHECK(*parse_cfs_quota("-1\n") == std::nullopt);
    CHECK(**parse_cfs_quota("50000\n") == 50000u);
    CHECK_FALSE(parse_cfs_quota("-2"));
    CHECK_FALSE(parse_cfs_quota("fifty"));

    auto limited = parse_cpu_max("150000 100000\n");
    REQUIRE(limited);
    REQUIRE(*limited);
    CHECK((*limited)->quota_us == 150000u);
    CHECK((*limited)->period_us == 100000u);
    CHECK(*parse_cpu_max("max 100000\n") == std::nullopt);
    CHECK((*parse_cpu_max("20000"))->period_us == 100000u);
    CHECK_FALSE(parse_cpu_max(""));
    CHECK_FALSE(parse_cpu_max("1 2 3"));
    CHECK_FALSE(parse_cpu_max("1 0"));
    CHECK_FALSE(parse_cpu_max("-5 100000"));
}

TEST_CASE("memory.stat v1 uses the hierarchical total_ keys") {
    MemoryStats s;
    REQUIRE(parse_memory_stat("cache 1\ntotal_cache 10\nrss 2\ntotal_rss 20\n"
                              "total_inactive_file 30\nunknown_key 5\n",
                              false, s));
    CHECK(s.file == 10u);
    CHECK(s.anon == 20u);
    CHECK(s.inactive_file == 30u);
    CHECK_FALSE(s.slab);
}

TEST_CASE("memory.stat v2 keys") {
    MemoryStats s;
    REQUIRE(parse_memory_stat("anon 1\nfile 2\nfile_mapped 3\nslab_reclaimable 4\n"
                              "slab_unreclaimable 5\nslab 9\nshmem 6\n",
                              true, s));
    CHECK(s.anon == 1u);
    CHECK(s.file == 2u);
    CHECK(s.mapped == 3u);
    CHECK(s.slab_reclaimable == 4u);
    CHECK(s.slab == 9u);
    CHECK(s.shmem == 6u);
}

TEST_CASE("memory.stat garbage is an error") {
    MemoryStats s;
    CHECK_FALSE(parse_memory_stat("anon twelve\n", true, s));
    CHECK_FALSE(parse_memory_stat("anon 1 2\n", true, s));
    CHECK(parse_memory_stat("", true, s)); // empty: nothing known, not an error
}

TEST_CASE("cpuacct.usage_all") {
    auto usage = parse_cpuacct_usage_all("cpu user system\n0 10 20\n1 30 40\n");
    REQUIRE(usage);
    REQUIRE(usage->size() == 2);
    CHECK((*usage)[1].cpu == 1u);
    CHECK((*usage)[1].user_ns == 30u);
    CHECK((*usage)[1].system_ns == 40u);
    auto total = usage_from_per_cpu(*usage);
    CHECK(total.user_ns == 40u);
    CHECK(total.system_ns == 60u);
    CHECK_FALSE(parse_cpuacct_usage_all("cpu user system\n0 10\n"));
    CHECK_FALSE(parse_cpuacct_usage_all("cpu user system\nx 1 2\n"));
    CHECK_FALSE(parse_cpuacct_usage_all("99999 1 2\n"));
}

TEST_CASE("cpuacct.usage_percpu") {
    auto usage = parse_cpuacct_usage_percpu("100 200 \n");
    REQUIRE(usage);
    REQUIRE(usage->size() == 2);
    CHECK((*usage)[1].user_ns == 200u);
    CHECK_FALSE(parse_cpuacct_usage_percpu("1 two"));
}

TEST_CASE("v2 cpu.stat") {
    auto usage = parse_cpu_stat("usage_usec 30\nuser_usec 20\nsystem_usec 10\nnr_periods 0\n");
    REQUIRE(usage);
    CHECK(usage->user_ns == 20000u);
    CHECK(usage->system_ns == 10000u);
    CHECK(usage->per_cpu.empty());
    CHECK_FALSE(parse_cpu_stat("usage_usec 30\n"));
    CHECK_FALSE(parse_cpu_stat("user_usec x\nsystem_usec 1\n"));
}
