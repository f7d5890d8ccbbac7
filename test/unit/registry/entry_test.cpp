#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <vector>

#include "model/entry.hpp"

using namespace lensfs;

TEST_CASE("validate_id accepts the allowed alphabet and lengths") {
    CHECK(validate_id("a"));
    CHECK(validate_id("web-1.prod_A"));
    CHECK(validate_id(std::string(128, 'x')));
    CHECK(validate_id("0123456789abcdef0123456789abcdef"));
}

TEST_CASE("validate_id rejects empty, long and foreign characters") {
    auto empty = validate_id("");
    REQUIRE_FALSE(empty);
    CHECK(empty.error().code == EINVAL);

    auto too_long = validate_id(std::string(129, 'x'));
    REQUIRE_FALSE(too_long);
    CHECK(too_long.error().code == E2BIG);

    const std::vector<std::string> bad_ids{"a b", "a/b", "a:b", "../x", "é", std::string("a\0b", 3),
                                           "a\n"};
    for (const std::string& bad : bad_ids) {
        INFO(bad);
        auto st = validate_id(bad);
        REQUIRE_FALSE(st);
        CHECK(st.error().code == EINVAL);
        CHECK(st.error().context.find("container id") != std::string::npos);
    }
}

TEST_CASE("validate_cgroup accepts canonical absolute paths") {
    CHECK(validate_cgroup("/"));
    CHECK(validate_cgroup("/a"));
    CHECK(validate_cgroup("/system.slice/docker-abc.scope"));
    CHECK(validate_cgroup("/a/..b/.c/d.."));
    CHECK(validate_cgroup("/" + std::string(4095, 'x')));
}

TEST_CASE("validate_cgroup names each defect") {
    struct Case {
        std::string path;
        const char* why;
    };
    const Case cases[] = {
        {"", "absolute"},     {"a/b", "absolute"}, {"/a//b", "'//'"},
        {"//", "'//'"},       {"/a/", "end with"}, {"/a/./b", "'..'"},
        {"/a/..", "'..'"},    {"/.", "'..'"},      {std::string("/a\0b", 4), "NUL"},
        {"/a\nb", "newline"}, {"/a\xff", "UTF-8"},
    };
    for (const Case& c : cases) {
        INFO(c.path);
        auto st = validate_cgroup(c.path);
        REQUIRE_FALSE(st);
        CHECK(st.error().code == EINVAL);
        CHECK(st.error().context.find(c.why) != std::string::npos);
    }
    auto too_long = validate_cgroup("/" + std::string(4096, 'x'));
    REQUIRE_FALSE(too_long);
    CHECK(too_long.error().code == E2BIG);
}

TEST_CASE("validate_annotations enforces counts and sizes") {
    std::map<std::string, std::string> ok{{"k", "v"},
                                          {std::string(256, 'k'), std::string(4096, 'v')}};
    CHECK(validate_annotations(ok));
    CHECK(validate_annotations({}));

    std::map<std::string, std::string> many;
    for (int i = 0; i < 65; ++i) {
        many.emplace(std::to_string(i), "v");
    }
    CHECK(validate_annotations(many).error().code == E2BIG);
    many.erase("0");
    CHECK(validate_annotations(many));

    CHECK(validate_annotations({{std::string(257, 'k'), "v"}}).error().code == E2BIG);
    CHECK(validate_annotations({{"k", std::string(4097, 'v')}}).error().code == E2BIG);
    CHECK(validate_annotations({{"", "v"}}).error().code == EINVAL);
    CHECK(validate_annotations({{"k", "\xc3\x28"}}).error().code == EINVAL);
}

TEST_CASE("validate_pid and validate_time bound their numbers") {
    CHECK(validate_pid(1));
    CHECK(validate_pid(4194304));
    CHECK_FALSE(validate_pid(0));
    CHECK_FALSE(validate_pid(-1));
    CHECK_FALSE(validate_pid(4194305));
    CHECK(validate_time("t", 0));
    CHECK(validate_time("t", 1e9));
    CHECK_FALSE(validate_time("t", -0.001));
    CHECK_FALSE(validate_time("t", std::nan("")));
    CHECK_FALSE(validate_time("t", std::numeric_limits<double>::infinity()));
}

TEST_CASE("validate_entry checks every field") {
    Entry e{"web-1", "/lensfs-test-a", 42, 10.0, 1.7e9, {{"a", "b"}}};
    CHECK(validate_entry(e));
    Entry bad_pid = e;
    bad_pid.init_pid = 0;
    CHECK_FALSE(validate_entry(bad_pid));
    Entry bad_time = e;
    bad_time.start_wall_s = -1;
    CHECK_FALSE(validate_entry(bad_time));
    Entry bad_cgroup = e;
    bad_cgroup.cgroup = "/x/";
    CHECK_FALSE(validate_entry(bad_cgroup));
}

TEST_CASE("is_valid_utf8 follows the standard's well-formed table") {
    CHECK(is_valid_utf8(""));
    CHECK(is_valid_utf8("plain"));
    CHECK(is_valid_utf8("\xc3\xa9"));               // é
    CHECK(is_valid_utf8("\xe2\x82\xac"));           // €
    CHECK(is_valid_utf8("\xf0\x9f\x98\x80"));       // emoji
    CHECK_FALSE(is_valid_utf8("\xc0\xaf"));         // overlong '/'
    CHECK_FALSE(is_valid_utf8("\xed\xa0\x80"));     // surrogate
    CHECK_FALSE(is_valid_utf8("\xf4\x90\x80\x80")); // past U+10FFFF
    CHECK_FALSE(is_valid_utf8("\xe2\x82"));         // truncated
    CHECK_FALSE(is_valid_utf8("\x80"));
}

TEST_CASE("quoted_excerpt keeps messages short and printable") {
    CHECK(quoted_excerpt("abc") == "'abc'");
    CHECK(quoted_excerpt(std::string("a\0\n", 3)) == "'a\\x00\\x0a'");
    CHECK(quoted_excerpt("\xff") == "'\\xff'");
    std::string long_text(200, 'x');
    CHECK(quoted_excerpt(long_text) == "'" + std::string(64, 'x') + "'...");
}
