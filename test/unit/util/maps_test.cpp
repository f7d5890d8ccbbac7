#include <catch2/catch.hpp>

#include <string>
#include <unordered_map>

#include "util/maps.hpp"

using namespace lensfs;

TEST_CASE("a map emptied by erase_and_shrink gives its buckets back") {
    std::unordered_map<int, std::string> map;
    for (int i = 0; i < 10000; ++i) {
        map.emplace(i, "x");
    }
    std::size_t full = map.bucket_count();
    REQUIRE(full >= 10000);
    CHECK(erase_and_shrink(map, [](const auto& kv) { return kv.first >= 10; }) == 9990);
    CHECK(map.size() == 10);
    CHECK(map.bucket_count() < full / 100);
    for (int i = 0; i < 10; ++i) {
        CHECK(map.at(i) == "x"); // what stays is untouched
    }
}

TEST_CASE("shrink_buckets leaves a map that still fits its buckets alone") {
    std::unordered_map<int, int> map;
    for (int i = 0; i < 100; ++i) {
        map.emplace(i, i);
    }
    std::size_t before = map.bucket_count();
    shrink_buckets(map);
    CHECK(map.bucket_count() == before);
    CHECK(erase_and_shrink(map, [](const auto&) { return false; }) == 0);
    CHECK(map.bucket_count() == before);
}
