#include <catch2/catch.hpp>

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daemon/handoff.hpp"
#include "daemon/listener_channel.hpp"

using namespace lensfs;
using namespace lensfs::daemon;

namespace {

ino_t inode_of(int fd) {
    struct stat st {};
    REQUIRE(::fstat(fd, &st) == 0);
    return st.st_ino;
}

} // namespace

TEST_CASE("listeners cross the keeper's channel with their keys, ids and descriptors") {
    int pair[2];
    REQUIRE(::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) == 0);
    UniqueFd a(pair[0]);
    UniqueFd b(pair[1]);
    // 450 descriptors: more than one datagram may carry.
    std::vector<UniqueFd> pipes;
    std::vector<ListenerRef> refs;
    std::vector<std::string> ids;
    for (int i = 0; i < 450; ++i) {
        int p[2];
        REQUIRE(::pipe2(p, O_CLOEXEC) == 0);
        pipes.emplace_back(p[0]);
        pipes.emplace_back(p[1]);
        ids.push_back("c-" + std::to_string(i));
    }
    for (int i = 0; i < 450; ++i) {
        refs.push_back(ListenerRef{(5ULL << 32) + static_cast<unsigned>(i), ids[i],
                                   pipes[2 * i].get()});
    }
    REQUIRE(send_listeners(a.get(), refs));
    std::size_t got = 0;
    for (int datagram = 0; datagram < 3; ++datagram) {
        ChannelDatagram d;
        REQUIRE(receive_datagram(b.get(), d, true) > 0);
        auto listeners = take_listeners(d);
        REQUIRE(listeners);
        for (auto& l : *listeners) {
            CHECK(l.key == (5ULL << 32) + got);
            CHECK(l.id == ids[got]);
            CHECK(inode_of(l.fd.get()) == inode_of(pipes[2 * got].get()));
            CHECK((::fcntl(l.fd.get(), F_GETFD) & FD_CLOEXEC) != 0);
            ++got;
        }
    }
    CHECK(got == 450);
    ChannelDatagram none;
    CHECK(receive_datagram(b.get(), none, true) < 0);
}

TEST_CASE("a plain message is not taken for listeners, and bad lines are dropped") {
    int pair[2];
    REQUIRE(::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) == 0);
    UniqueFd a(pair[0]);
    UniqueFd b(pair[1]);
    REQUIRE(::send(a.get(), "ready", 5, 0) == 5);
    ChannelDatagram d;
    REQUIRE(receive_datagram(b.get(), d, false) == 5);
    CHECK_FALSE(take_listeners(d));
    CHECK(parse_message(d.text) == Message::ready);
    ChannelDatagram bad;
    bad.text = "listeners\nx y\n1 low\n4294967297 ok\n";
    for (int i = 0; i < 3; ++i) {
        bad.fds.emplace_back(::dup(0));
    }
    auto listeners = take_listeners(bad);
    REQUIRE(listeners);
    REQUIRE(listeners->size() == 1);
    CHECK((*listeners)[0].id == "ok");
}
