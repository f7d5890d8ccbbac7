// The files that come from cgroup I/O, pressure, slab and task accounting, rendered through
// the engine from the fixture trees (test/data/cgroup) and the fake /proc (test/data/host),
// against golden outputs in test/data/golden-views/<mode>/. Regenerate with
// LENSFS_UPDATE_GOLDEN=1 and review the diff.

#include <catch2/catch.hpp>

#include "../render/golden.hpp"
#include "fixture.hpp"
#include "host/proc_files.hpp"

using namespace lensfs;
using namespace lensfs::view;
using view_test::data;
using view_test::fixture_engine;

namespace {

struct Mode {
    const char* name;
    const char* group;
};
constexpr Mode kModes[] = {
    {"v1", "/lensfs-test-v1"}, {"v2", "/lensfs-test-v2"}, {"hybrid", "/lensfs-test-v1"}};

constexpr std::pair<const char*, const char*> kFiles[] = {
    {"proc/diskstats", "diskstats"},       {"proc/loadavg", "loadavg"},
    {"proc/pressure/cpu", "pressure-cpu"}, {"proc/pressure/memory", "pressure-memory"},
    {"proc/pressure/io", "pressure-io"},   {"proc/slabinfo", "slabinfo"},
};

std::string rendered(Engine& engine, const Container& c, const ServedFile& file) {
    std::string out;
    engine.render(file, c, out);
    return out;
}

} // namespace

TEST_CASE("golden views of the fixture groups") {
    for (const Mode& mode : kModes) {
        INFO(mode.name);
        auto engine = fixture_engine(mode.name);
        Container c = engine->resolve_cgroup(mode.group, 0);
        for (const auto& [file, name] : kFiles) {
            INFO(name);
            check_golden(view_test::kData + "/golden-views/" + mode.name + "/" + name,
                         rendered(*engine, c, *served_file(file)));
        }
    }
}

TEST_CASE("pressure comes from the cgroup2 group, else the host") {
    auto v2 = fixture_engine("v2");
    Container c = v2->resolve_cgroup("/lensfs-test-v2", 0);
    CHECK(rendered(*v2, c, *served_file("proc/pressure/io")) ==
          data("cgroup/v2/lensfs-test-v2/io.pressure"));
    auto hybrid = fixture_engine("hybrid");
    c = hybrid->resolve_cgroup("/lensfs-test-v1", 0);
    CHECK(rendered(*hybrid, c, *served_file("proc/pressure/cpu")) ==
          data("cgroup/hybrid/unified/lensfs-test-v1/cpu.pressure"));
    auto v1 = fixture_engine("v1"); // no cgroup2 tree at all
    c = v1->resolve_cgroup("/lensfs-test-v1", 0);
    CHECK(rendered(*v1, c, *served_file("proc/pressure/memory")) == data("host/pressure/memory"));
    CHECK(v1->counters(*served_file("proc/pressure/memory")).fallbacks == 1);
    CHECK(rendered(*v1, Container{}, *served_file("proc/pressure/cpu")) ==
          data("host/pressure/cpu"));
}

TEST_CASE("slabinfo: the cgroup's where the kernel fills it, else the host's") {
    auto v1 = fixture_engine("v1");
    Container c = v1->resolve_cgroup("/lensfs-test-v1", 0);
    CHECK(rendered(*v1, c, *served_file("proc/slabinfo")) ==
          data("cgroup/v1/memory/lensfs-test-v1/memory.kmem.slabinfo"));
    auto hybrid = fixture_engine("hybrid"); // empty memory.kmem.slabinfo, as on 5.9+
    c = hybrid->resolve_cgroup("/lensfs-test-v1", 0);
    CHECK(rendered(*hybrid, c, *served_file("proc/slabinfo")) == data("host/slabinfo"));
    CHECK(hybrid->counters(*served_file("proc/slabinfo")).fallbacks == 0);
}

TEST_CASE("diskstats: the cgroup's devices with the host's names; errors give the host's") {
    auto v2 = fixture_engine("v2");
    Container c = v2->resolve_cgroup("/lensfs-test-v2", 0);
    std::string text = rendered(*v2, c, *served_file("proc/diskstats"));
    CHECK(text == data("golden-views/v2/diskstats"));
    CHECK(text.find("   8       0 sda 16 0 2048 0 64 0 8192 0 0 0 0 0 0 0 0 0 0\n") !=
          std::string::npos);
    CHECK(text.find(" 254       0 vda 1 0 8 0 16 0 2048 0 0 0 0 2 0 4096 0 0 0\n") !=
          std::string::npos);
    c = v2->resolve_cgroup("/lensfs-test-garbage", 0);
    CHECK(rendered(*v2, c, *served_file("proc/diskstats")) == data("host/diskstats"));
    CHECK(v2->counters(*served_file("proc/diskstats")).fallbacks == 1);
    CHECK(rendered(*v2, Container{}, *served_file("proc/diskstats")) == data("host/diskstats"));
}

TEST_CASE("the host view passes every new file through") {
    auto engine = fixture_engine("hybrid");
    Container host;
    CHECK(rendered(*engine, host, *served_file("proc/slabinfo")) == data("host/slabinfo"));
    CHECK(rendered(*engine, host, *served_file("proc/pressure/io")) == data("host/pressure/io"));
    CHECK(rendered(*engine, host, *served_file("proc/loadavg")) == data("host/loadavg"));
}
