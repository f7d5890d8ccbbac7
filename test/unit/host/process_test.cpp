#include <catch2/catch.hpp>

#include "fixture.hpp"
#include "host/process.hpp"

using lensfs::host::parse_ppid;
using lensfs::host::parse_starttime_ticks;

TEST_CASE("parse_ppid") {
    CHECK(parse_ppid(host_fixture("4242/status")) == 17);
    CHECK(parse_ppid("Name:\tinit\nPPid:\t0\n") == 0);
    CHECK(parse_ppid("PPid:\t2147483647") == 2147483647);
    CHECK_FALSE(parse_ppid(""));
    CHECK_FALSE(parse_ppid("Name:\tx\nPid:\t5\n"));
    CHECK_FALSE(parse_ppid("PPid:\t\n"));
    CHECK_FALSE(parse_ppid("PPid:\t-1\n"));
    CHECK_FALSE(parse_ppid("PPid:\t2147483648\n")); // beyond pid_t
    CHECK_FALSE(parse_ppid("PPid:\t12abc\n"));
    // A "PPid:" that is not at the start of a line (a process name) does not count.
    CHECK(parse_ppid("Name:\tPPid: 99\nPPid:\t3\n") == 3);
}

TEST_CASE("parse_starttime_ticks") {
    // comm "x) (y z)": spaces and parentheses; the start time is 98765.
    CHECK(parse_starttime_ticks(host_fixture("4242/stat")) == 98765u);
    std::string fields = " S 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 ";
    CHECK(parse_starttime_ticks("7 (sh)" + fields + "555 1 2\n") == 555u);
    CHECK(parse_starttime_ticks("7 ()" + fields + "18446744073709551615 1\n") ==
          18446744073709551615u);
    CHECK(parse_starttime_ticks("7 (a\nb))" + fields + "42 1\n") == 42u); // newline in comm
    CHECK_FALSE(parse_starttime_ticks(""));
    CHECK_FALSE(parse_starttime_ticks("7 (sh) S 1 1"));               // truncated
    CHECK_FALSE(parse_starttime_ticks("7 (sh)" + fields));            // field 22 missing
    CHECK_FALSE(parse_starttime_ticks("7 (sh)" + fields + "-5 1\n")); // negative
    CHECK_FALSE(parse_starttime_ticks("7 (sh)" + fields + "18446744073709551616\n"));
    CHECK_FALSE(parse_starttime_ticks("x (sh)" + fields + "555\n")); // pid not a number
    CHECK_FALSE(parse_starttime_ticks("7 sh)" + fields + "555\n"));  // no '('
    CHECK_FALSE(parse_starttime_ticks("7 (sh" + fields + "555\n"));  // no ')'
}
