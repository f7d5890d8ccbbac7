#include <catch2/catch.hpp>

#include <filesystem>

#include "fixture.hpp"
#include "render/render.hpp"
#include "view/loadavg_sampler.hpp"

using namespace lensfs;
using namespace lensfs::view;
using namespace std::chrono_literals;
using view_test::fixture_engine;

namespace {

cgroup::ProcCgroups in(const std::string& path) {
    return cgroup::same_path_everywhere(path);
}

std::string shown(const LoadavgFigures& f) {
    std::string out;
    render::loadavg(f, out);
    return out;
}

const LoadavgSampler::Clock::time_point t0{std::chrono::hours(1000)};

/// The first sample of the v1 fixture group: 3 active tasks (4243 R, 4244 D, 4245 R).
constexpr std::array<std::uint64_t, 3> kFirst = {492, 102, 33};

} // namespace

TEST_CASE("task state from /proc/<tid>/stat") {
    CHECK(parse_task_state("12 (sh) R 1 2 3") == 'R');
    CHECK(parse_task_state("12 (a) b) (c) D 1") == 'D');
    CHECK(parse_task_state("12 (x) I 0") == 'I');
    CHECK_FALSE(parse_task_state("12 (sh)"));
    CHECK_FALSE(parse_task_state("12 sh R"));
    CHECK_FALSE(parse_task_state("12 (sh)R 1"));
    CHECK_FALSE(parse_task_state("12 (sh) 7 1"));
}

TEST_CASE("counting a container's tasks") {
    for (const char* mode : {"v1", "hybrid"}) {
        INFO(mode);
        auto engine = fixture_engine(mode);
        auto source = engine->reader().task_source(in("/lensfs-test-v1"));
        REQUIRE(source);
        std::string scratch;
        auto counts = engine->loadavg_sampler().count_tasks(*source, scratch);
        REQUIRE(counts);
        CHECK(counts->running == 2);         // 4243, 4245 (in the child group)
        CHECK(counts->uninterruptible == 1); // 4244; 4246 is idle ('I') and does not count
        CHECK(counts->total == 5);           // 4299 has exited
        CHECK(counts->last_pid == 7);        // 4246 is pid 7 in its namespace
    }
    auto engine = fixture_engine("v2");
    auto source = engine->reader().task_source(in("/lensfs-test-v2"));
    REQUIRE(source);
    std::string scratch;
    auto counts = engine->loadavg_sampler().count_tasks(*source, scratch);
    REQUIRE(counts);
    CHECK(counts->running == 1);
    CHECK(counts->total == 2);
    CHECK(counts->last_pid == 4243); // no status file: the host's number
}

TEST_CASE("counting a large container reads every k-th thread and scales up") {
    auto engine = fixture_engine("v1");
    auto source = engine->reader().task_source(in("/lensfs-test-v1"));
    REQUIRE(source);
    std::string scratch;
    // Listed: 4242 S, 4243 R, 4244 D, 4299 (exited), then sub's 4245 R, 4246 I. Three reads:
    // every second one, 4242 S, 4244 D and 4245 R, each standing for two threads.
    auto counts = engine->loadavg_sampler().count_tasks(*source, scratch, nullptr, 3);
    REQUIRE(counts);
    CHECK(counts->running == 2);
    CHECK(counts->uninterruptible == 2);
    CHECK(counts->total == 6);
    CHECK(counts->last_pid == 7);
}

TEST_CASE("sampler: zeros before the first sample, then the kernel's decay") {
    auto engine = fixture_engine("v1");
    LoadavgSampler& s = engine->loadavg_sampler();
    auto cg = in("/lensfs-test-v1");
    auto first = s.note_read(cg, t0);
    REQUIRE(first);
    CHECK(shown(*first) == "0.00 0.00 0.00 2/5 7\n");
    CHECK(s.tracked() == 1);

    s.sample(t0 + 1s);
    auto after = s.note_read(cg, t0 + 2s);
    REQUIRE(after);
    CHECK(after->averages.fixed == kFirst);
    CHECK(shown(*after) == "0.24 0.05 0.02 2/5 7\n");

    SECTION("a call before the next period is due leaves the averages") {
        s.sample(t0 + 3s);
        CHECK(s.note_read(cg, t0 + 3s)->averages.fixed == kFirst);
        s.sample(t0 + 6s); // 5 s after the first sample
        CHECK(s.note_read(cg, t0 + 6s)->averages.fixed[0] ==
              loadavg::calc_load(kFirst[0], loadavg::kExp1, 3 * loadavg::kFixed1));
    }
    SECTION("missed samples are folded in at once") {
        s.sample(t0 + 16s); // three periods after the first sample
        auto late = s.note_read(cg, t0 + 16s);
        for (std::size_t i = 0; i < 3; ++i) {
            CHECK(late->averages.fixed[i] ==
                  loadavg::calc_load_n(kFirst[i], loadavg::kExps[i], 3 * loadavg::kFixed1, 3));
        }
    }
    SECTION("a container not read for ten minutes is dropped") {
        s.sample(t0 + 2s + 9min);
        CHECK(s.tracked() == 1);
        s.sample(t0 + 2s + 10min + 1s);
        CHECK(s.tracked() == 0);
        CHECK(s.note_read(cg, t0 + 11min)->averages.fixed == LoadAverages{}.fixed);
    }
}

TEST_CASE("sampler: averages carry over to a new sampler (a server that takes over)") {
    auto engine = fixture_engine("v1");
    LoadavgSampler& s = engine->loadavg_sampler();
    auto cg = in("/lensfs-test-v1");
    REQUIRE(s.note_read(cg, t0));
    s.sample(t0 + 1s);
    std::string saved = s.save();
    CHECK(saved.find("/lensfs-test-v1") != std::string::npos);

    auto next_engine = fixture_engine("v1");
    LoadavgSampler& next = next_engine->loadavg_sampler();
    CHECK(next.restore(saved + "garbage line\n1 2 x 4 5 /bad\n9 0 1 2 3 relative\n", t0 + 2s) ==
          1);
    auto carried = next.note_read(cg, t0 + 2s);
    REQUIRE(carried);
    CHECK(carried->averages.fixed == kFirst);
    // The next sample continues the decay from the carried averages.
    next.sample(t0 + 7s);
    CHECK(next.note_read(cg, t0 + 7s)->averages.fixed[0] ==
          loadavg::calc_load(kFirst[0], loadavg::kExp1, 3 * loadavg::kFixed1));
    CHECK(next.save() != saved);
}

TEST_CASE("sampler: a steady count converges like the host's average") {
    auto engine = fixture_engine("v2"); // one task running
    LoadavgSampler& s = engine->loadavg_sampler();
    auto cg = in("/lensfs-test-v2");
    REQUIRE(s.note_read(cg, t0));
    LoadAverages expected;
    for (int i = 0; i < 100; ++i) {
        s.sample(t0 + i * LoadavgSampler::kInterval);
        expected.update(1);
    }
    auto f = s.note_read(cg, t0 + 500s);
    REQUIRE(f);
    CHECK(f->averages == expected);
    CHECK(shown(*f).substr(0, 5) == "1.00 ");
}

TEST_CASE("sampler: cgroups without tasks of their own, and cgroups that go away") {
    auto engine = fixture_engine("v1");
    LoadavgSampler& s = engine->loadavg_sampler();
    CHECK_FALSE(s.note_read(in("/"), t0));
    auto missing = s.note_read(in("/lensfs-test-vanished"), t0);
    REQUIRE_FALSE(missing);
    CHECK(missing.error().code == ENOENT);
    CHECK(s.tracked() == 0);

    namespace fs = std::filesystem;
    fs::path root = fs::temp_directory_path() / ("lensfs-view-test-" + std::to_string(::getpid()));
    fs::remove_all(root);
    fs::copy(view_test::kData + "/cgroup/v2", root, fs::copy_options::recursive);
    auto layout = cgroup::Layout::from_root(root.string());
    REQUIRE(layout);
    auto proc = host::HostProc::open(view_test::kData + "/host");
    REQUIRE(proc);
    Engine copy(std::move(*layout), std::move(*proc), Options{});
    LoadavgSampler& c = copy.loadavg_sampler();
    REQUIRE(c.note_read(in("/lensfs-test-v2"), t0));
    c.sample(t0 + 1s);
    CHECK(c.tracked() == 1);
    fs::remove_all(root / "lensfs-test-v2");
    c.sample(t0 + 6s);
    CHECK(c.tracked() == 0);
    fs::remove_all(root);
}

TEST_CASE("engine: loadavg through render() and sample_loadavg()") {
    auto engine = fixture_engine("hybrid");
    Container c = engine->resolve_cgroup("/lensfs-test-v1", 0);
    std::string out;
    engine->render(*served_file("proc/loadavg"), c, out);
    CHECK(out == "0.00 0.00 0.00 2/5 7\n");
    engine->sample_loadavg();
    engine->render(*served_file("proc/loadavg"), c, out);
    CHECK(out == "0.24 0.05 0.02 2/5 7\n");
    engine->render(*served_file("proc/loadavg"), Container{}, out);
    CHECK(out == view_test::data("host/loadavg"));
    CHECK(Engine::kLoadavgInterval == std::chrono::seconds(5));
}
