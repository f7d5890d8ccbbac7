#include <catch2/catch.hpp>

#include <string>

#include "seccomp/process_state.hpp"

using namespace lensfs::seccomp;

TEST_CASE("a runtime's container process state gives id, pid and the listener's place") {
    // As runc 1.1 sends it (libcontainer: the spec's ContainerProcessState).
    auto s = decode_process_state(
        R"({"ociVersion":"1.0.2-dev","fds":["seccompFd"],"pid":4242,"metadata":"",)"
        R"("state":{"ociVersion":"1.0.2-dev","id":"web-1","status":"creating","pid":4242,)"
        R"("bundle":"/srv/web-1","annotations":{"a":"b"}}})");
    REQUIRE(s);
    CHECK(s->id == "web-1");
    CHECK(s->pid == 4242);
    CHECK(s->listener_index == 0);
    CHECK(s->fd_count == 1);
    auto second = decode_process_state(
        R"({"fds":["other","seccompFd"],"state":{"id":"x","pid":7}})");
    REQUIRE(second);
    CHECK(second->listener_index == 1);
    CHECK(second->pid == 7);
}

TEST_CASE("a hostile or broken container process state is refused with a reason") {
    const char* bad[] = {
        "",
        "not json",
        "[1,2]",
        R"({"fds":[],"pid":1,"state":{"id":"a","pid":1}})",
        R"({"pid":1,"state":{"id":"a","pid":1}})",
        R"({"fds":["seccompFd"],"pid":1})",
        R"({"fds":["seccompFd"],"pid":1,"state":{"pid":1}})",
        R"({"fds":["seccompFd"],"pid":1,"state":{"id":"a\u0000b","pid":1}})",
        R"({"fds":["seccompFd"],"pid":1,"state":{"id":"../x","pid":1}})",
        R"({"fds":["seccompFd"],"pid":0,"state":{"id":"a","pid":1}})",
        R"({"fds":["seccompFd"],"pid":-5,"state":{"id":"a","pid":1}})",
        R"({"fds":["seccompFd"],"pid":1e999,"state":{"id":"a","pid":1}})",
        R"({"fds":["seccompFd"],"pid":"12","state":{"id":"a","pid":1}})",
        R"({"fds":["seccompFd"],"pid":18446744073709551615,"state":{"id":"a","pid":1}})",
    };
    for (const char* text : bad) {
        INFO(text);
        auto s = decode_process_state(text);
        REQUIRE_FALSE(s);
        CHECK(s.error().code == EINVAL);
        CHECK(s.error().context.starts_with("container process state: "));
    }
    std::string deep(100000, '[');
    CHECK_FALSE(decode_process_state(deep));
    std::string big = R"({"fds":["seccompFd"],"pid":1,"state":{"id":"a","pid":1,"x":")" +
                      std::string(kMaxStateBytes, 'x') + "\"}}";
    CHECK_FALSE(decode_process_state(big));
}
