#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdlib>
#include <dirent.h>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <unistd.h>

#include "host/host_dir.hpp"

using namespace lensfs;
using lensfs::host::HostDir;

namespace {

// A small tree like /sys/devices/system/cpu: a file, a directory, a symlink.
struct Tree {
    std::string root;
    Tree() {
        char pattern[] = "/tmp/lensfs-unit-hostdir-XXXXXX";
        REQUIRE(::mkdtemp(pattern) != nullptr);
        root = pattern;
        std::filesystem::create_directories(root + "/cpu0/topology");
        std::ofstream(root + "/online") << "0-1\n";
        std::ofstream(root + "/cpu0/topology/core_id") << "7\n";
        std::filesystem::create_symlink("cpu0/topology", root + "/link");
    }
    ~Tree() {
        std::error_code ec;
        std::filesystem::remove_all(root, ec);
    }
};

} // namespace

TEST_CASE("HostDir reads, lists and stats entries below its root") {
    Tree t;
    auto dir = HostDir::open(t.root.c_str());
    REQUIRE(dir);
    CHECK(dir->is_open());
    std::string text;
    REQUIRE(dir->read("cpu0/topology/core_id", text));
    CHECK(text == "7\n");
    auto st = dir->stat("");
    REQUIRE(st);
    CHECK(S_ISDIR(st->st_mode));
    auto link = dir->stat("link");
    REQUIRE(link);
    CHECK(S_ISLNK(link->st_mode));
    CHECK(*dir->readlink("link") == "cpu0/topology");

    auto entries = dir->list("");
    REQUIRE(entries);
    std::vector<std::string> names;
    for (const auto& e : *entries) {
        names.push_back(e.name);
    }
    std::sort(names.begin(), names.end());
    CHECK(names == std::vector<std::string>{"cpu0", "link", "online"});
    auto cpu0 = std::find_if(entries->begin(), entries->end(),
                             [](const auto& e) { return e.name == "cpu0"; });
    CHECK(cpu0->type == DT_DIR);

    auto fd = dir->open_entry("online", O_RDONLY);
    REQUIRE(fd);
    REQUIRE(host::read_at(*fd, 64, 2, text));
    CHECK(text == "1\n");
    REQUIRE(host::read_at(*fd, 64, 100, text));
    CHECK(text.empty());
}

TEST_CASE("HostDir never follows a symlink and fails cleanly without a root") {
    Tree t;
    auto dir = HostDir::open(t.root.c_str());
    REQUIRE(dir);
    std::string text;
    CHECK(dir->open_entry("link", O_RDONLY).error().code == ELOOP);
    CHECK_FALSE(dir->list("link")); // ENOTDIR: the link is not followed to the directory
    CHECK(dir->read("missing", text).error().code == ENOENT);
    CHECK(dir->readlink("online").error().code == EINVAL);

    CHECK(HostDir::open((t.root + "/none").c_str()).error().code == ENOENT);
    HostDir closed;
    CHECK_FALSE(closed.is_open());
    CHECK(closed.stat("").error().code == ENOENT);
    CHECK(closed.read("online", text).error().code == ENOENT);
    CHECK(closed.list("").error().code == ENOENT);
    CHECK(closed.readlink("link").error().code == ENOENT);
}

TEST_CASE("read_at reads what the file holds, in chunks, and grows its buffer no further") {
    Tree t;
    std::string big(10000, 'x');
    for (std::size_t i = 0; i < big.size(); i += 100) {
        big[i] = static_cast<char>('a' + (i / 100) % 26);
    }
    std::ofstream(t.root + "/big") << big;
    auto dir = HostDir::open(t.root.c_str());
    REQUIRE(dir);
    auto fd = dir->open_entry("big", O_RDONLY);
    REQUIRE(fd);
    std::string out;
    REQUIRE(host::read_at(*fd, 131072, 0, out));
    CHECK(out == big);
    REQUIRE(host::read_at(*fd, 3000, 5000, out));
    CHECK(out == big.substr(5000, 3000));
    REQUIRE(host::read_at(*fd, 131072, 9990, out));
    CHECK(out == big.substr(9990));

    // A reader asking for 128 KiB of a 4-byte file: the buffer holds the 4 bytes, not 128 KiB.
    auto small = dir->open_entry("online", O_RDONLY);
    REQUIRE(small);
    std::string fresh;
    REQUIRE(host::read_at(*small, 131072, 0, fresh));
    CHECK(fresh == "0-1\n");
    CHECK(fresh.capacity() < 4096);
}

TEST_CASE("read_host_file reads a host file named below /") {
    std::string text;
    REQUIRE(host::read_host_file("proc/self/comm", text));
    CHECK(text == "test-host\n");
    CHECK(host::read_host_file("sys/lensfs-no-such-file", text).error().code == ENOENT);
}
