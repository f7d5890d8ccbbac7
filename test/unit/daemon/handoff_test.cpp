#include <catch2/catch.hpp>

#include "daemon/handoff.hpp"

using namespace lensfs::daemon;

TEST_CASE("a handoff survives the environment variable") {
    Handoff h;
    h.fuse_fd = 3;
    h.init_fd = 4;
    h.keeper_fd = 5;
    h.control_fd = 6;
    h.generation = 42;
    h.control_now = true;
    h.keeper_pid = 1234;
    h.keeper_boottime_s = 5120.123456789;
    h.keeper_wall_s = 1796440747.8426;
    auto back = decode_handoff(encode_handoff(h));
    REQUIRE(back);
    CHECK(*back == h);
    h.control_fd = -1;
    h.control_now = false;
    back = decode_handoff(encode_handoff(h));
    REQUIRE(back);
    CHECK(*back == h);
    h.seccomp_fd = 7;
    h.in_flight_fd = 8;
    back = decode_handoff(encode_handoff(h));
    REQUIRE(back);
    CHECK(*back == h);
}

TEST_CASE("a handoff from a keeper without the seccomp fields is taken (live upgrade)") {
    auto h = decode_handoff("fuse=3,init=4,keeper=5,control=6,generation=2,control-now=0,"
                            "keeper-pid=10,keeper-boottime=1.5,keeper-wall=2.5");
    REQUIRE(h);
    CHECK(h->seccomp_fd == -1);
    CHECK(h->in_flight_fd == -1);
    CHECK(h->control_fd == 6);
}

TEST_CASE("a handoff that is not what a keeper writes is refused") {
    for (const char* text :
         {"", "fuse=3",
          "fuse=x,init=4,keeper=5,control=-,generation=1,control-now=1,"
          "keeper-pid=1,keeper-boottime=1,keeper-wall=1",
          "fuse=3,init=4,keeper=5,control=-,generation=0,control-now=1,keeper-pid=1,"
          "keeper-boottime=1,keeper-wall=1",
          "fuse=3,init=4,keeper=5,control=-,generation=1,control-now=2,keeper-pid=1,"
          "keeper-boottime=1,keeper-wall=1",
          "fuse=3,init=4,keeper=5,control=-,generation=1,control-now=1,keeper-pid=1,"
          "keeper-boottime=-1,keeper-wall=1",
          "fuse=3,init=4,keeper=5,control=-,generation=1,control-now=1,keeper-pid=1,"
          "keeper-boottime=1,keeper-wall=1,extra=1",
          "fuse=3,init=4,keeper=5,control=-,generation=1,control-now=1,keeper-pid=99999999,"
          "keeper-boottime=1,keeper-wall=1",
          "fuse=3,init=4,keeper=5,control=-,generation=1,control-now=1,keeper-pid=1,"
          "keeper-boottime=1,seccomp=3,seccomp=4",
          "fuse=3,init=4,keeper=5,control=-,generation=1,control-now=1,keeper-pid=1,"
          "keeper-boottime=1,keeper-wall=1,seccomp=x"}) {
        INFO(text);
        auto h = decode_handoff(text);
        REQUIRE_FALSE(h);
        CHECK(h.error().code == EINVAL);
    }
}

TEST_CASE("messages between keeper and server have one spelling each") {
    for (Message m :
         {Message::ready, Message::control_stopped, Message::upgrade, Message::start_control,
          Message::stop_control, Message::drain, Message::reload, Message::status}) {
        INFO(message_name(m));
        CHECK(parse_message(message_name(m)) == m);
    }
    CHECK_FALSE(parse_message("ready\n"));
    CHECK_FALSE(parse_message(""));
}
