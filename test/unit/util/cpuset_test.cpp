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
