#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "daemon/options.hpp"

using namespace lensfs::daemon;

namespace {

lensfs::Result<Options> parse(std::vector<std::string> words) {
    words.insert(words.begin(), "lensfs");
    std::vector<char*> argv;
    for (auto& w : words) {
        argv.push_back(w.data());
    }
    argv.push_back(nullptr);
    return parse_options(static_cast<int>(words.size()), argv.data());
}

} // namespace

TEST_CASE("the seccomp socket lives in the state directory unless given") {
    auto o = parse({});
    REQUIRE(o);
    CHECK(o->seccomp);
    CHECK(o->seccomp_socket == kDefaultSeccompSocket);
    o = parse({"--state-dir", "/tmp/x"});
    REQUIRE(o);
    CHECK(o->seccomp_socket == "/tmp/x/seccomp.sock");
    o = parse({"--state-dir", "/tmp/x", "--seccomp-socket", "/run/other.sock"});
    REQUIRE(o);
    CHECK(o->seccomp_socket == "/run/other.sock");
    o = parse({"--no-seccomp"});
    REQUIRE(o);
    CHECK_FALSE(o->seccomp);
    auto bad = parse({"--seccomp-socket", "relative.sock"});
    REQUIRE_FALSE(bad);
    CHECK(bad.error().context.find("--seccomp-socket takes an absolute path") != std::string::npos);
}

TEST_CASE("a --view-of mount has no seccomp socket unless asked for one") {
    auto o = parse({"--view-of", "pid:1"});
    REQUIRE(o);
    CHECK_FALSE(o->seccomp);
    o = parse({"--view-of", "pid:1", "--seccomp-socket", "/tmp/s.sock"});
    REQUIRE(o);
    CHECK(o->seccomp);
}
