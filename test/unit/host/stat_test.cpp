#include <catch2/catch.hpp>

#include "fixture.hpp"
#include "host/proc_files.hpp"

using namespace lensfs;
using lensfs::host::parse_stat;
using lensfs::host::parse_stat_counters;

TEST_CASE("parse_stat reads this host's file") {
    std::string text = host_fixture("stat");
    auto stat = parse_stat(text);
    REQUIRE(stat);
    CHECK(stat->total.user == 10145);
    CHECK(stat->total.idle == 98948);
    CHECK(stat->total.steal == 147);
    REQUIRE(stat->per_cpu.size() == 2);
    CHECK(stat->per_cpu[1].first == 1);
    CHECK(stat->per_cpu[1].second.user == 6996);
    CHECK(stat->per_cpu[1].second.softirq == 76);
    CHECK(stat->tail.rfind("intr ", 0) == 0);
    CHECK(text.size() > stat->tail.size());
    CHECK(text.substr(text.size() - stat->tail.size()) == stat->tail); // verbatim
}

TEST_CASE("parse_stat keeps gaps in CPU numbers (offline CPUs)") {
    auto stat = parse_stat("cpu  1 2 3 4 5 6 7 8 9 10\ncpu0 1 1 1 1 1 1 1 1 1 1\n"
                           "cpu5 2 2 2 2 2 2 2 2 2 2\nctxt 5\n");
    REQUIRE(stat);
    REQUIRE(stat->per_cpu.size() == 2);
    CHECK(stat->per_cpu[1].first == 5);
    CHECK(stat->total.guest_nice == 10);
    CHECK(stat->tail == "ctxt 5\n");
}

TEST_CASE("parse_stat accepts older kernels' shorter cpu lines") {
    // 2.6.11 had 8 figures (no guest), 2.4 had 4.
    auto stat = parse_stat("cpu  10 20 30 40 50 60 70 80\ncpu0 10 20 30 40\n");
    REQUIRE(stat);
    CHECK(stat->total.steal == 80);
    CHECK(stat->total.guest == 0);
    CHECK(stat->per_cpu[0].second.idle == 40);
    CHECK(stat->per_cpu[0].second.iowait == 0);
    CHECK(stat->tail.empty());
}

TEST_CASE("parse_stat ignores figures a newer kernel may add") {
    auto stat = parse_stat("cpu  1 2 3 4 5 6 7 8 9 10 11\ncpu0 1 2 3 4 5 6 7 8 9 10 11\n");
    REQUIRE(stat);
    CHECK(stat->total.guest_nice == 10);
}

TEST_CASE("parse_stat edge cases") {
    SECTION("last cpu line without newline") {
        auto stat = parse_stat("cpu  1 2 3 4\ncpu0 1 2 3 4");
        REQUIRE(stat);
        CHECK(stat->per_cpu[0].second.idle == 4);
        CHECK(stat->tail.empty());
    }
    SECTION("tail without final newline is kept as it is") {
        auto stat = parse_stat("cpu  1 2 3 4\ncpu0 1 2 3 4\nbtime 17");
        REQUIRE(stat);
        CHECK(stat->tail == "btime 17");
    }
    SECTION("huge counters") {
        auto stat = parse_stat("cpu  18446744073709551615 0 0 0\ncpu0 1 0 0 0\n");
        REQUIRE(stat);
        CHECK(stat->total.user == 18446744073709551615u);
    }
}

TEST_CASE("parse_stat rejects garbage") {
    const char* bad = GENERATE("",                                       // empty
                               "cpu  1 2 3 4\n",                         // no cpuN
                               "cpu0 1 2 3 4\n",                         // no aggregate first
                               "intr 1 2\ncpu  1 2 3 4\ncpu0 1 2 3 4\n", // aggregate not first
                               "cpu  1 2 3\ncpu0 1 2 3 4\n",             // too few figures
                               "cpu  1 2 3 4\ncpu0 1 2 x 4\n",           // not a number
                               "cpu  1 2 3 4\ncpu0 1 -2 3 4\n",          // negative
                               "cpu  18446744073709551616 2 3 4\ncpu0 1 2 3 4\n", // overflow
                               "cpu  1 2 3 4\ncpuX 1 2 3 4\n",                    // bad cpu number
                               "cpu  1 2 3 4\ncpu99999 1 2 3 4\n", // cpu number out of range
                               "cpu  1 2 3 4\ncpu1 1 2 3 4\ncpu0 1 2 3 4\n", // out of order
                               "cpu  1 2 3 4\ncpu0 1 2 3 4\ncpu0 1 2 3 4\n", // duplicate
                               "cpu  1 2 3 4\ncpu0 1 2 3 4\ncpu  1 2 3 4\n", // second aggregate
                               "\x01\x02\x03 garbage");
    auto stat = parse_stat(bad);
    REQUIRE_FALSE(stat);
    CHECK(stat.error().code == EINVAL);
}

TEST_CASE("the event counters of /proc/stat's tail") {
    auto c = parse_stat_counters("intr 12345 1 2 3\nctxt 678\nbtime 1700000000\n"
                                 "processes 90\nprocs_running 2\nprocs_blocked 0\n"
                                 "softirq 555 1 2 3 4 5 6 7 8 9 10\n");
    CHECK(c.intr == 12345);
    CHECK(c.ctxt == 678);
    CHECK(c.processes == 90);
    CHECK(c.softirq == 555);
    CHECK(parse_stat_counters("") == StatCounters{});
    CHECK(parse_stat_counters("intr x\nctxt\n") == StatCounters{});
}
