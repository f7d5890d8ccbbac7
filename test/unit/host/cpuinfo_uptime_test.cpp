#include <catch2/catch.hpp>

#include "fixture.hpp"
#include "host/proc_files.hpp"

using namespace lensfs;
using lensfs::host::parse_cpuinfo;
using lensfs::host::parse_uptime;

namespace {

/// The file as the renderer rebuilds it from the blocks: it must equal the original.
std::string reassemble(const HostCpuinfo& info) {
    std::string out;
    for (const auto& block : info.blocks) {
        out += "processor\t: " + std::to_string(block.processor) + "\n" + block.body;
    }
    return out + info.trailer;
}

} // namespace

TEST_CASE("parse_cpuinfo reads this host's file (x86)") {
    std::string text = host_fixture("cpuinfo");
    auto info = parse_cpuinfo(text);
    REQUIRE(info);
    REQUIRE(info->blocks.size() == 2);
    CHECK(info->blocks[1].processor == 1);
    CHECK(info->blocks[0].body.rfind("vendor_id\t: AuthenticAMD\n", 0) == 0);
    CHECK(info->blocks[0].body.find("processor") == std::string::npos);
    CHECK(info->blocks[0].body.substr(info->blocks[0].body.size() - 3) == ":\n\n");
    CHECK(info->trailer.empty());
    CHECK(reassemble(*info) == text);
}

TEST_CASE("parse_cpuinfo: arm64 blocks, arm32 trailer") {
    std::string arm64 = host_fixture("variants/cpuinfo-arm64");
    auto info = parse_cpuinfo(arm64);
    REQUIRE(info);
    CHECK(info->blocks.size() == 2);
    CHECK(info->trailer.empty());
    CHECK(reassemble(*info) == arm64);

    std::string arm32 = host_fixture("variants/cpuinfo-arm32");
    info = parse_cpuinfo(arm32);
    REQUIRE(info);
    REQUIRE(info->blocks.size() == 2);
    CHECK(info->blocks[1].body.find("Hardware") == std::string::npos);
    CHECK(info->trailer.rfind("Hardware\t: BCM2835\n", 0) == 0);
    CHECK(reassemble(*info) == arm32);
}

TEST_CASE("parse_cpuinfo keeps a layout without blocks whole (s390)") {
    std::string s390 = host_fixture("variants/cpuinfo-s390");
    auto info = parse_cpuinfo(s390);
    REQUIRE(info);
    CHECK(info->blocks.empty());
    CHECK(info->trailer == s390);
}

TEST_CASE("parse_cpuinfo edge cases") {
    SECTION("truncated last line") {
        auto info = parse_cpuinfo("processor\t: 0\nflags\t: fpu\nprocessor\t: 1\nflags\t: f");
        REQUIRE(info);
        REQUIRE(info->blocks.size() == 2);
        CHECK(info->blocks[0].body == "flags\t: fpu\n");
        CHECK(info->blocks[1].body == "flags\t: f");
    }
    SECTION("processor line with spaces before the colon") {
        auto info = parse_cpuinfo("processor  : 7\nx : y\n\n");
        REQUIRE(info);
        CHECK(info->blocks[0].processor == 7);
    }
    SECTION("a processor line alone") {
        auto info = parse_cpuinfo("processor\t: 0\n");
        REQUIRE(info);
        CHECK(info->blocks[0].body.empty());
    }
}

TEST_CASE("parse_cpuinfo rejects garbage") {
    using namespace std::string_literals;
    std::string bad =
        GENERATE(as<std::string>{}, "", "processor\t: x\n", "processor\t: -1\n", "processor\t:\n",
                 "processor\t: 99999999\n",
                 "processor\t: 0\n\nprocessor\t: 0\n\n", // duplicate
                 "processor\t: 18446744073709551616\n", "processor\t: 0\nflags\t: \0\n"s);
    auto info = parse_cpuinfo(bad);
    REQUIRE_FALSE(info);
    CHECK(info.error().code == EINVAL);
}

TEST_CASE("parse_uptime") {
    auto real = parse_uptime(host_fixture("uptime"));
    REQUIRE(real);
    CHECK(real->uptime == Approx(574.26));
    CHECK(real->idle == Approx(989.48));

    auto plain = parse_uptime("12 0.5");
    REQUIRE(plain);
    CHECK(plain->uptime == 12.0);
    CHECK(plain->idle == 0.5);

    const char* bad =
        GENERATE("", "\n", "12.5\n", "12.5 3.0 1\n", "-1.00 2.00\n", "inf 1.00\n", "nan 1.00\n",
                 "1e5 1.00\n", "1.2.3 1.00\n", ".5 1.00\n", "12,50 1.00\n", "abc def\n",
                 "1000000000000000000000000000000000000 1\n");
    auto result = parse_uptime(bad);
    REQUIRE_FALSE(result);
    CHECK(result.error().code == EINVAL);
}
