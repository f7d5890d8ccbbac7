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
