#include <catch2/catch.hpp>

#include "golden.hpp"
#include "host/proc_files.hpp"
#include "render/render.hpp"

using namespace lensfs;

namespace {

HostCpuinfo host_cpuinfo(const std::string& name) {
    auto info = host::parse_cpuinfo(test_data("host/" + name));
    REQUIRE(info);
    return *info;
}

std::string render_cpuinfo(const HostCpuinfo& host, const CpuSet& visible) {
    std::string out;
    render::cpuinfo(host, visible, out);
    return out;
}

std::string render_uptime(const render::UptimeInput& in) {
    std::string out;
    render::uptime(in, out);
    return out;
}

} // namespace

TEST_CASE("cpuinfo: all CPUs visible gives the host's file") {
    for (const char* name : {"cpuinfo", "variants/cpuinfo-arm64", "variants/cpuinfo-arm32"}) {
        std::string text = test_data(std::string("host/") + name);
        auto host = host::parse_cpuinfo(text);
        REQUIRE(host);
        std::string out = render_cpuinfo(*host, CpuSet({0, 1}));
        if (text.find("siblings") == std::string::npos) {
            CHECK(out == text);
        }
        CHECK(host::parse_cpuinfo(out)->blocks.size() == 2);
    }
}

TEST_CASE("cpuinfo: visible blocks renumbered, package counts set") {
    HostCpuinfo host = host_cpuinfo("variants/cpuinfo-4cpu");
    std::string out = render_cpuinfo(host, CpuSet({1, 3}));
    auto back = host::parse_cpuinfo(out);
    REQUIRE(back);
    REQUIRE(back->blocks.size() == 2);
    CHECK(back->blocks[0].processor == 0);
    CHECK(back->blocks[1].processor == 1);
    CHECK(back->blocks[0].body.find("\ncore id\t\t: 1\n") != std::string::npos);
    CHECK(back->blocks[1].body.find("\ncore id\t\t: 3\n") != std::string::npos);
    CHECK(back->blocks[1].body.find("\nsiblings\t: 2\n") != std::string::npos);
    CHECK(back->blocks[1].body.find("\ncpu cores\t: 2\n") != std::string::npos);
    CHECK(out.find("siblings\t: 4") == std::string::npos);
}

TEST_CASE("cpuinfo: missing CPUs are skipped; none matched gives the host's file") {
    HostCpuinfo host = host_cpuinfo("variants/cpuinfo-arm32");
    std::string one = render_cpuinfo(host, CpuSet({1, 9}));
    CHECK(host::parse_cpuinfo(one)->blocks.size() == 1);
    CHECK(one.find("Hardware\t: BCM2835\n") != std::string::npos); // trailer kept
    std::string text = test_data("host/variants/cpuinfo-arm32");
    CHECK(render_cpuinfo(host, CpuSet({9})) == text);
    CHECK(render_cpuinfo(host, CpuSet()) == text);
    std::string s390 = test_data("host/variants/cpuinfo-s390");
    CHECK(render_cpuinfo(host_cpuinfo("variants/cpuinfo-s390"), CpuSet({0})) == s390);
}

TEST_CASE("cpuinfo: a block without its final newline does not glue onto the next") {
    HostCpuinfo host;
    host.blocks = {{0, "a\t: 1"}, {1, "b\t: 2\n\n"}};
    CHECK(render_cpuinfo(host, CpuSet({0, 1})) ==
          "processor\t: 0\na\t: 1\nprocessor\t: 1\nb\t: 2\n\n");
}

TEST_CASE("uptime") {
    render::UptimeInput in;
    in.host = {1000, 1500};
    in.container_uptime_s = 100.256;
    in.visible_cpus = 2;
    in.cpu_usage_s = 50;
    CHECK(render_uptime(in) == "100.26 150.51\n");
    in.cpu_usage_s = 500; // more than uptime * cpus
    CHECK(render_uptime(in) == "100.26 0.00\n");
    in.cpu_usage_s = -1; // garbage counts as no usage at all
    CHECK(render_uptime(in) == "100.26 200.51\n");
    in.cpu_usage_s.reset(); // unreadable: the host's idle, bounded
    CHECK(render_uptime(in) == "100.26 200.51\n");
    in.container_uptime_s = 2000;
    CHECK(render_uptime(in) == "2000.00 1500.00\n");
    in.visible_cpus = 0; // treated as one CPU
    in.container_uptime_s = 10;
    CHECK(render_uptime(in) == "10.00 10.00\n");
    in.container_uptime_s = -3;
    CHECK(render_uptime(in) == "0.00 0.00\n");
    in.container_uptime_s = std::nan("");
    CHECK(render_uptime(in) == "0.00 0.00\n");
}

TEST_CASE("swaps") {
    const std::string header = "Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n";
    const std::string name = "none" + std::string(36, ' ');
    MemoryStats mem;
    std::string out;
    render::swaps(0, mem, out);
    CHECK(out == header);

    out.clear();
    mem.swap_limit = 0;
    render::swaps(2097148, mem, out);
    CHECK(out == header);

    out.clear();
    mem.swap_limit = 512u << 20;
    mem.swap_usage = 1u << 20;
    render::swaps(2097148, mem, out);
    CHECK(out == header + name + "virtual\t524288\t\t1024\t\t0\n");

    out.clear();
    mem.swap_limit.reset();
    mem.swap_usage = 20'000'000'000u; // above the size: clamped to it
    render::swaps(16'000'000, mem, out);
    CHECK(out == header + name + "virtual\t16000000\t16000000\t0\n");
}

TEST_CASE("cpu_list") {
    auto list = [](std::size_t n) {
        std::string out;
        render::cpu_list(n, out);
        return out;
    };
    CHECK(list(0) == "0\n");
    CHECK(list(1) == "0\n");
    CHECK(list(2) == "0-1\n");
    CHECK(list(64) == "0-63\n");
}
