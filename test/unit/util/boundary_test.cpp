#include <catch2/catch.hpp>

#include <new>
#include <stdexcept>

#include "util/boundary.hpp"

using namespace lensfs;

TEST_CASE("at_boundary returns the body's result when nothing is thrown") {
    int handled = 0;
    int got = at_boundary([] { return 7; },
                          [&](const Error&) {
                              ++handled;
                              return -1;
                          });
    CHECK(got == 7);
    CHECK(handled == 0);
}

TEST_CASE("at_boundary turns every exception into an Error for its handler") {
    auto code_of = [](auto thrower) {
        Error seen;
        int got = at_boundary(
            [&]() -> int {
                thrower();
                return 0;
            },
            [&](const Error& e) {
                seen = e;
                return -e.code;
            });
        CHECK(got == -seen.code);
        return seen;
    };
    Error oom = code_of([] { throw std::bad_alloc(); });
    CHECK(oom.code == ENOMEM);
    CHECK(oom.context == "out of memory");
    Error runtime = code_of([] { throw std::runtime_error("the disk is on fire"); });
    CHECK(runtime.code == EIO);
    CHECK(runtime.context == "the disk is on fire");
    Error other = code_of([] { throw 42; });
    CHECK(other.code == EIO);
    CHECK(other.context == "unknown error");
}

TEST_CASE("at_boundary works for bodies that return nothing") {
    bool handled = false;
    at_boundary([] { throw std::logic_error("x"); },
                [&](const Error& e) { handled = e.code == EIO; });
    CHECK(handled);
}
