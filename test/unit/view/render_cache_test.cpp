#include <catch2/catch.hpp>

#include <chrono>

#include "fixture.hpp"
#include "view/render_cache.hpp"

using namespace lensfs;
using namespace lensfs::view;
using namespace std::chrono_literals;

namespace {

Container named(const std::string& path) {
    Container c;
    c.source = Source::own_cgroup;
    c.cgroups = cgroup::same_path_everywhere(path);
    return c;
}

} // namespace

TEST_CASE("recent table: a value is found within the window, under its exact key only") {
    RenderCache cache(10ms);
    RenderCache::Clock::time_point t0{std::chrono::hours(1)};
    RenderKey a{3, named("/a")};
    RenderKey b{3, named("/b")};
    cache.store(7, a, t0, "text of a");
    std::string out;
    CHECK(cache.find(7, a, t0 + 9ms, out));
    CHECK(out == "text of a");
    // The same slot, another container: never a's text.
    CHECK_FALSE(cache.find(7, b, t0 + 1ms, out));
    // Another file of the same container.
    RenderKey a_other{4, a.container};
    CHECK_FALSE(cache.find(7, a_other, t0 + 1ms, out));
    // Another start time is another container too (uptime differs).
    RenderKey a_later = a;
    a_later.container.start_boottime_s = 5;
    CHECK_FALSE(cache.find(7, a_later, t0 + 1ms, out));
    CHECK_FALSE(cache.find(7, a, t0 + 10ms, out)); // the window is over
    CHECK_FALSE(cache.find(7, a, t0 - 1ms, out));  // a clock that went back
    cache.store(7, b, t0 + 2ms, "text of b");      // b takes the slot over
    CHECK_FALSE(cache.find(7, a, t0 + 3ms, out));
    CHECK(cache.find(7, b, t0 + 3ms, out));
    CHECK(out == "text of b");
    RenderCache off(0ms);
    CHECK_FALSE(off.enabled());
}

TEST_CASE("engine: reads within the window share a rendering, per container") {
    view::Options options;
    options.render_window = 1000ms;
    auto engine = view_test::fixture_engine("v1", options);
    auto small = engine->resolve_cgroup("/lensfs-test-v1", 0);
    auto host = Container{};
    const ServedFile& uptime = *served_file("proc/uptime");
    std::string first;
    std::string again;
    std::string other;
    engine->render_recent(uptime, small, first);
    engine->render_recent(uptime, small, again);
    engine->render_recent(uptime, host, other);
    CHECK(first == again); // the second read was given the first rendering
    CHECK(first != other); // the host's is its own
    CHECK(engine->counters(uptime).reads == 3);
    std::string fresh;
    engine->render(uptime, small, fresh); // render() always renders
    CHECK(engine->counters(uptime).reads == 4);
}

TEST_CASE("baselines: kept per container, first one wins, carried over as text") {
    Baselines store;
    Container a = named("/a");
    Container b = named("/b");
    Container a_later = a;
    a_later.start_boottime_s = 50; // another container in the same cgroup
    CpuBaseline one{10.0, 1, 2, {3, 4, 5, 6}};
    CpuBaseline two{20.0, 7, 8, {9, 10, 11, 12}};
    CHECK(store.keep(a, one) == one);
    CHECK(store.keep(a, two) == one); // taken once
    CHECK_FALSE(store.find(b));
    CHECK_FALSE(store.find(a_later));
    store.keep(b, two);
    Baselines next;
    CHECK(next.restore(store.save() + "garbage\n1 2 3\n") == 2);
    CHECK(next.find(a) == one);
    CHECK(next.find(b) == two);
}

TEST_CASE("baselines: bounded, the least recently used goes") {
    Baselines store;
    for (std::size_t i = 0; i < Baselines::kMaxContainers + 10; ++i) {
        store.keep(named("/c" + std::to_string(i)), CpuBaseline{});
        if (i % 100 == 0) {
            CHECK(store.find(named("/c0"))); // kept in use
        }
    }
    CHECK(store.size() == Baselines::kMaxContainers);
    CHECK(store.find(named("/c0")));
    CHECK_FALSE(store.find(named("/c1")));
}
