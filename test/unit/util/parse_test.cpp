#include <catch2/catch.hpp>

#include "util/parse.hpp"

using namespace lensfs;

TEST_CASE("parse_u64 accepts plain decimals and rejects the rest") {
    CHECK(parse_u64("0") == 0u);
    CHECK(parse_u64("18446744073709551615") == 18446744073709551615ull);
    CHECK_FALSE(parse_u64("18446744073709551616"));
    CHECK_FALSE(parse_u64(""));
    CHECK_FALSE(parse_u64("-1"));
    CHECK_FALSE(parse_u64(" 1"));
    CHECK_FALSE(parse_u64("12a"));
    CHECK_FALSE(parse_u64("max"));
}

TEST_CASE("parse_i64 handles sign and range") {
    CHECK(parse_i64("-1") == -1);
    CHECK(parse_i64("9223372036854775807") == 9223372036854775807ll);
    CHECK(parse_i64("-9223372036854775808") == (-9223372036854775807ll - 1));
    CHECK_FALSE(parse_i64("9223372036854775808"));
    CHECK_FALSE(parse_i64("-"));
}

TEST_CASE("parse_key_u64 reads flat keyed lines") {
    std::string_view key;
    std::uint64_t value = 0;
    REQUIRE(parse_key_u64("total_cache 4096", key, value));
    CHECK(key == "total_cache");
    CHECK(value == 4096);
    CHECK_FALSE(parse_key_u64("total_cache", key, value));
    CHECK_FALSE(parse_key_u64("a 1 2", key, value));
    CHECK_FALSE(parse_key_u64("a x", key, value));
}

TEST_CASE("for_each_line visits every line once") {
    std::vector<std::string> lines;
    for_each_line("a\nb\n\nc", [&](std::string_view l) { lines.emplace_back(l); });
    CHECK(lines == std::vector<std::string>{"a", "b", "", "c"});
    lines.clear();
    for_each_line("", [&](std::string_view l) { lines.emplace_back(l); });
    CHECK(lines.empty());
}

TEST_CASE("trim, split_first and next_word") {
    CHECK(trim("  x y\n") == "x y");
    auto [a, b] = split_first("k=v=w", '=');
    CHECK(a == "k");
    CHECK(b == "v=w");
    std::string_view rest = "  one two";
    CHECK(next_word(rest) == "one");
    CHECK(next_word(rest) == "two");
    CHECK(next_word(rest).empty());
}
