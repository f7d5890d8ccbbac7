#include <catch2/catch.hpp>

#include "view/idle_floors.hpp"

using lensfs::view::IdleFloors;
using Ticks = std::vector<std::uint64_t>;

TEST_CASE("idle floors: what was shown never goes back, per container and CPU") {
    IdleFloors floors;
    Ticks a{100, 50};
    floors.raise("a", a);
    CHECK(a == Ticks{100, 50});

    Ticks back{99, 60}; // one CPU a tick behind: kept where it was shown
    floors.raise("a", back);
    CHECK(back == Ticks{100, 60});

    Ticks other{10, 10}; // another container has its own floor
    floors.raise("b", other);
    CHECK(other == Ticks{10, 10});
    CHECK(floors.size() == 2);

    Ticks fewer{5}; // the CPUs changed: no floor to compare with
    floors.raise("a", fewer);
    CHECK(fewer == Ticks{5});
    Ticks after{4};
    floors.raise("a", after);
    CHECK(after == Ticks{5});
}

TEST_CASE("idle floors: containers not shown for a while are forgotten") {
    IdleFloors floors;
    Ticks t{1};
    floors.raise("a", t);
    CHECK(floors.evict_idle(60'000) == 0);
    CHECK(floors.evict_idle(-1) == 1);
    CHECK(floors.size() == 0);
}
