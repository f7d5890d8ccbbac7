// The CPU quota view through the engine: a quota of half a CPU over cpuset 0-1 shows one CPU
// in cpuinfo, stat, online and uptime; --no-cpu-quota-view (Options::cpu_quota_view = false)
// shows both.

#include <catch2/catch.hpp>

#include "fixture.hpp"
#include "host/proc_files.hpp"
#include "util/clock.hpp"

using namespace lensfs;
using namespace lensfs::view;

namespace {

std::unique_ptr<Engine> engine_with(bool quota_view) {
    auto layout = cgroup::Layout::from_root(view_test::kData + "/cgroup/v2");
    REQUIRE(layout);
    auto proc = host::HostProc::open(view_test::kData + "/host");
    REQUIRE(proc);
    return std::make_unique<Engine>(std::move(*layout), std::move(*proc), Options{quota_view});
}

std::string rendered(Engine& engine, const Container& c, const ServedFile& file) {
    std::string out;
    engine.render(file, c, out);
    return out;
}

} // namespace

TEST_CASE("quota view: one CPU for half a CPU of quota over two") {
    auto engine = engine_with(true);
    Container c = engine->resolve_cgroup("/lensfs-test-quota", boottime_now() - 100);
    CHECK(engine->visible_cpus(c).format() == "0");
    auto info = host::parse_cpuinfo(rendered(*engine, c, *served_file("proc/cpuinfo")));
    REQUIRE(info);
    CHECK(info->blocks.size() == 1);
    CHECK(rendered(*engine, c, *served_file("sys/devices/system/cpu/online")) == "0\n");
    auto stat = host::parse_stat(rendered(*engine, c, *served_file("proc/stat")));
    REQUIRE(stat);
    REQUIRE(stat->per_cpu.size() == 1);
    // All of cpu.stat lands on the one CPU: 3 s user, 1 s system at 100 Hz.
    CHECK(stat->total.user == 300);
    CHECK(stat->total.system == 100);
    std::uint64_t elapsed = stat->total.user + stat->total.system + stat->total.idle;
    CHECK(elapsed >= 10000); // 100 s of one CPU
    CHECK(elapsed <= 10100);
    auto up = host::parse_uptime(rendered(*engine, c, *served_file("proc/uptime")));
    REQUIRE(up);
    CHECK(up->idle == Approx(up->uptime - 4).margin(0.02)); // one CPU minus 4 s of usage
}

TEST_CASE("quota view off: the whole cpuset, usage spread over it") {
    auto engine = engine_with(false);
    Container c = engine->resolve_cgroup("/lensfs-test-quota", boottime_now() - 100);
    CHECK(engine->visible_cpus(c).format() == "0-1");
    CHECK(rendered(*engine, c, *served_file("sys/devices/system/cpu/online")) == "0-1\n");
    auto stat = host::parse_stat(rendered(*engine, c, *served_file("proc/stat")));
    REQUIRE(stat);
    REQUIRE(stat->per_cpu.size() == 2);
    CHECK(stat->per_cpu[0].second.user == 150);
    CHECK(stat->per_cpu[1].second.user == 150);
    CHECK(stat->total.system == 100);
    auto up = host::parse_uptime(rendered(*engine, c, *served_file("proc/uptime")));
    REQUIRE(up);
    CHECK(up->idle == Approx(2 * up->uptime - 4).margin(0.03));
}

TEST_CASE("quota view: the tightest quota on the path wins") {
    auto engine = engine_with(true);
    // lensfs-test-nest allows half a CPU, its child inner has none of its own below that.
    Container c = engine->resolve_cgroup("/lensfs-test-nest/inner", 0);
    CHECK(engine->visible_cpus(c).size() == 1);
    // lensfs-test-v2: 1.5 CPUs over 0-1 rounds up to both.
    c = engine->resolve_cgroup("/lensfs-test-v2", 0);
    CHECK(engine->visible_cpus(c).format() == "0-1");
}
