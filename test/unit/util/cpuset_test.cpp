#include <catch2/catch.hpp>

#include "model/cpu.hpp"

using namespace lensfs;

TEST_CASE("CpuSet parses and formats the kernel list format") {
    auto set = CpuSet::parse("0-3,8,10-11\n");
    REQUIRE(set);
    CHECK(set->size() == 7);
    CHECK(set->format() == "0-3,8,10-11");
    CHECK(set->contains(8));
    CHECK_FALSE(set->contains(9));
    CHECK(CpuSet::parse("")->empty());
    CHECK(CpuSet::parse("5,1,1,2")->format() == "1-2,5");
}

TEST_CASE("CpuSet rejects garbage") {
    CHECK_FALSE(CpuSet::parse("a"));
    CHECK_FALSE(CpuSet::parse("3-1"));
    CHECK_FALSE(CpuSet::parse("1,"));
    CHECK_FALSE(CpuSet::parse("0-99999"));
    CHECK_FALSE(CpuSet::parse("-1"));
}

TEST_CASE("visible_cpus applies the quota view") {
    auto set = *CpuSet::parse("2-5");
    CHECK(visible_cpus(set, std::nullopt, true) == set);
    CHECK(visible_cpus(set, CpuLimit{50'000, 100'000}, true).format() == "2");
    CHECK(visible_cpus(set, CpuLimit{150'000, 100'000}, true).format() == "2-3");
    CHECK(visible_cpus(set, CpuLimit{900'000, 100'000}, true) == set);
    CHECK(visible_cpus(set, CpuLimit{50'000, 100'000}, false) == set);
    CHECK(cpus_for_limit(CpuLimit{1, 100'000}) == 1);
    CHECK(cpus_for_limit(CpuLimit{200'000, 0}) == 1);
}

TEST_CASE("CPU masks in the kernel's format") {
    CHECK(CpuSet::parse_mask("3\n")->format() == "0-1");
    CHECK(CpuSet::parse_mask("1")->format() == "0");
    CHECK(CpuSet::parse_mask("0")->empty());
    CHECK(CpuSet::parse_mask("ff,00000001")->format() == "0,32-39");
    CHECK(CpuSet::parse_mask("FF,00000001")->format() == "0,32-39");
    CHECK_FALSE(CpuSet::parse_mask(""));
    CHECK_FALSE(CpuSet::parse_mask("xyz"));
    CHECK_FALSE(CpuSet::parse_mask("1,1"));                  // only the first group may be short
    CHECK_FALSE(CpuSet::parse_mask("123456789"));            // nine digits in one group
    CHECK_FALSE(CpuSet::parse_mask(std::string(2100, 'f'))); // past the highest CPU
    CHECK(CpuSet::parse("0-1")->format_mask(2) == "3");
    CHECK(CpuSet::parse("0")->format_mask(1) == "1");
    CHECK(CpuSet::parse("0,32-39")->format_mask(40) == "ff,00000001");
    CHECK(CpuSet::parse("0-3")->format_mask(2) == "3"); // bits past the system's CPUs dropped
    CHECK(CpuSet().format_mask(0) == "0");
}

TEST_CASE("renumbering a set by a container's visible CPUs") {
    CpuSet visible = *CpuSet::parse("1,3");
    CHECK(CpuSet::parse("0-3")->renumbered(visible).format() == "0-1");
    CHECK(CpuSet::parse("3")->renumbered(visible).format() == "1");
    CHECK(CpuSet::parse("0,2")->renumbered(visible).empty());
}

TEST_CASE("CPU time from the container's start: what the cgroup used before is left out") {
    // 6 s used before a container that started at 1000 s and was first seen at 1002 s.
    CpuBaseline base{1002.0, 5'000'000'000, 1'000'000'000, {}};
    // Two CPUs could have used at most 4 s between start and baseline: 2 s are not its.
    CHECK(excluded_cpu_ns(base, 1000.0, 2) == 2'000'000'000);
    // Started long ago: all of it could have been the container's.
    CHECK(excluded_cpu_ns(base, 0.0, 2) == 0);
    // Seen at its start: everything before is excluded.
    CHECK(excluded_cpu_ns(base, 1002.0, 2) == 6'000'000'000);
    // A start after the baseline (clock skew) counts as no time.
    CHECK(excluded_cpu_ns(base, 1003.0, 1) == 6'000'000'000);

    CpuUsage now;
    now.user_ns = 8'000'000'000;
    now.system_ns = 2'000'000'000;
    now.per_cpu = {{0, 6'000'000'000, 1'000'000'000}, {1, 2'000'000'000, 1'000'000'000}};
    CpuUsage shown = without(now, 6'000'000'000); // 4 s of 10 kept
    CHECK(shown.total_ns() == 4'000'000'000);
    CHECK(shown.user_ns == 3'200'000'000);
    CHECK(shown.per_cpu[0].user_ns == 2'400'000'000);
    CHECK(shown.per_cpu[1].system_ns == 400'000'000);
    CHECK(without(now, 0).total_ns() == now.total_ns());
    CHECK(without(now, 20'000'000'000).total_ns() == 0); // never below zero
}

TEST_CASE("event counts since the container's start, from host deltas") {
    CpuBaseline base{1000.0, 0, 0, {100'000, 50'000, 2'000, 10'000}};
    StatCounters now{100'500, 50'100, 2'010, 10'050};
    // Seen at its start: only what happened since.
    auto fresh = counters_since_start(now, base, 1000.0);
    CHECK(fresh == StatCounters{500, 100, 10, 50});
    // Started 100 s before it was seen: plus a tenth of the host's counts up to then.
    auto late = counters_since_start(now, base, 900.0);
    CHECK(late == StatCounters{10'500, 5'100, 210, 1'050});
    // Counters that went back (another host's baseline) never underflow.
    CHECK(counters_since_start(StatCounters{}, base, 1000.0) == StatCounters{});
}
