#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "util/options.hpp"

using namespace lensfs;

namespace {

struct Opts {
    std::string name;
    bool verbose = false;
    bool color = true;
    unsigned count = 0;
};

Status set_count(const char* value, Opts& o) {
    auto n = number_option(value, 1, 9, "--count takes a number from 1 to 9");
    if (!n) {
        return std::move(n).error();
    }
    o.count = static_cast<unsigned>(*n);
    return Ok{};
}

constexpr OptionRow<Opts> kRows[] = {
    {"name", 'n', true, &store_value<&Opts::name>},
    {"verbose", 'v', false, &set_flag<&Opts::verbose>},
    {nullptr, 'q', false, &clear_flag<&Opts::verbose>},
    {"no-color", 0, false, &clear_flag<&Opts::color>},
    {"count", 0, true, &set_count},
};

// Parses @p args (without the program name).
Result<std::vector<std::string>> parse(std::vector<std::string> args, Opts& o) {
    std::vector<char*> argv;
    std::string program = "prog";
    argv.push_back(program.data());
    for (auto& a : args) {
        argv.push_back(a.data());
    }
    argv.push_back(nullptr);
    return parse_command_line(static_cast<int>(argv.size() - 1), argv.data(), kRows, o);
}

} // namespace

TEST_CASE("an option table applies long and one-letter options and keeps the other words") {
    Opts o;
    auto words = parse({"first", "--name", "a", "-v", "--no-color", "second", "--count=3"}, o);
    REQUIRE(words);
    CHECK(*words == std::vector<std::string>{"first", "second"});
    CHECK(o.name == "a");
    CHECK(o.verbose);
    CHECK_FALSE(o.color);
    CHECK(o.count == 3);

    Opts p;
    REQUIRE(parse({"-nb", "-v", "-q"}, p));
    CHECK(p.name == "b");
    CHECK_FALSE(p.verbose); // -q, a one-letter row with no long name, came last
    Opts q;
    auto after = parse({"--", "--name"}, q);
    REQUIRE(after);
    CHECK(*after == std::vector<std::string>{"--name"});
    CHECK(q.name.empty());
}

TEST_CASE("an option table refuses unknown options, missing values and bad values") {
    Opts o;
    CHECK(parse({"--nope"}, o).error().context ==
          "unknown option or missing argument: --nope (try --help)");
    CHECK(parse({"-x"}, o).error().context.starts_with("unknown option or missing argument: "));
    CHECK(parse({"--name"}, o).error().context ==
          "unknown option or missing argument: --name (try --help)");
    CHECK(parse({"-n"}, o).error().context ==
          "unknown option or missing argument: -n (try --help)");
    CHECK(parse({"--count", "0"}, o).error().context == "--count takes a number from 1 to 9");
    CHECK(parse({"--count", "10"}, o).error().context == "--count takes a number from 1 to 9");
    CHECK(parse({"--count", "x"}, o).error().context == "--count takes a number from 1 to 9");
    CHECK(parse({"--verbose=yes"}, o).error().code == EINVAL);
}

TEST_CASE("number_option takes whole numbers within its bounds") {
    CHECK(*number_option("0", 0, 5, "m") == 0);
    CHECK(*number_option("5", 0, 5, "m") == 5);
    CHECK(number_option("6", 0, 5, "m").error().context == "m");
    CHECK_FALSE(number_option("-1", 0, 5, "m"));
    CHECK_FALSE(number_option("", 0, 5, "m"));
    CHECK_FALSE(number_option(nullptr, 0, 5, "m"));
    CHECK_FALSE(number_option("1.5", 0, 5, "m"));
}
