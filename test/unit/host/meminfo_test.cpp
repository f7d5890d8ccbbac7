#include <catch2/catch.hpp>

#include "fixture.hpp"
#include "host/proc_files.hpp"

using namespace lensfs;
using lensfs::host::parse_meminfo;

TEST_CASE("parse_meminfo reads this host's file in order") {
    auto info = parse_meminfo(host_fixture("meminfo"));
    REQUIRE(info);
    REQUIRE(info->entries.size() == 54);
    CHECK(info->entries.front().name == "MemTotal");
    CHECK(info->entries.front().value == 24684096);
    CHECK(info->entries.front().kb);
    CHECK(info->get("Active(anon)") == 1528u);
    CHECK(info->get("VmallocTotal") == 34359738367u);
    CHECK(info->entries.back().name == "DirectMap1G");
    auto hugepages = info->entries[45];
    CHECK(hugepages.name == "HugePages_Total");
    CHECK_FALSE(hugepages.kb);
    CHECK(info->get("Hugepagesize") == 2048u);
}

TEST_CASE("parse_meminfo edge cases") {
    SECTION("last line without newline") {
        auto info = parse_meminfo("MemTotal:  100 kB\nMemFree:   40 kB");
        REQUIRE(info);
        CHECK(info->get("MemFree") == 40u);
    }
    SECTION("a value without unit on the last line") {
        auto info = parse_meminfo("MemTotal: 100 kB\nHugePages_Free: 1");
        REQUIRE(info);
        CHECK_FALSE(info->entries.back().kb);
    }
    SECTION("blank lines are skipped") {
        auto info = parse_meminfo("\nMemTotal:  100 kB\n\n");
        REQUIRE(info);
        CHECK(info->entries.size() == 1);
    }
    SECTION("largest u64 is accepted") {
        auto info = parse_meminfo("MemTotal: 18446744073709551615 kB\n");
        REQUIRE(info);
        CHECK(info->get("MemTotal") == 18446744073709551615u);
    }
    SECTION("long names keep their one space") {
        auto info = parse_meminfo("MemTotal: 1 kB\nHugePages_Total:       0\n");
        REQUIRE(info);
        CHECK(info->get("HugePages_Total") == 0u);
    }
}

TEST_CASE("parse_meminfo rejects what the kernel never prints") {
    const char* bad = GENERATE("",                                    // empty
                               "MemFree: 10 kB\n",                    // no MemTotal
                               "MemTotal: 100 kB\nMemFree:\n",        // missing value
                               "MemTotal: 18446744073709551616 kB\n", // overflow
                               "MemTotal: -5 kB\n", "MemTotal: 12x kB\n", "MemTotal: 100 MB\n",
                               "MemTotal: 100 kB extra\n", "Mem Total: 100 kB\n", ": 100 kB\n",
                               "MemTotal 100 kB\n", "\x7f\x45LF\x02\x01\x01");
    auto info = parse_meminfo(bad);
    REQUIRE_FALSE(info);
    CHECK(info.error().code == EINVAL);
    CHECK_FALSE(info.error().context.empty());
}

TEST_CASE("parse_meminfo error names the line") {
    auto info = parse_meminfo("MemTotal: 1 kB\nMemFree: oops kB\n");
    REQUIRE_FALSE(info);
    CHECK(info.error().context.find("line 2") != std::string::npos);
    CHECK(info.error().context.find("MemFree: oops") != std::string::npos);
}
