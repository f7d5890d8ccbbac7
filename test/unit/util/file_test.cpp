#include <catch2/catch.hpp>

#include <cstdlib>
#include <fcntl.h>
#include <unistd.h>

#include "util/file.hpp"

using namespace lensfs;

namespace {
std::string make_temp_dir() {
    char tmpl[] = "/tmp/lensfs-unit-XXXXXX";
    REQUIRE(mkdtemp(tmpl) != nullptr);
    return tmpl;
}
} // namespace

TEST_CASE("write_file_atomic then read_file round-trips") {
    std::string dir = make_temp_dir();
    std::string path = dir + "/state.json";
    REQUIRE(write_file_atomic(path, "hello\n"));
    auto back = read_file(path);
    REQUIRE(back);
    CHECK(*back == "hello\n");
    CHECK(access((path + ".tmp").c_str(), F_OK) != 0);
    unlink(path.c_str());
    rmdir(dir.c_str());
}

TEST_CASE("read_file_at reports missing files and refuses symlinks") {
    std::string dir = make_temp_dir();
    auto missing = read_file(dir + "/nope");
    REQUIRE_FALSE(missing);
    CHECK(missing.error().code == ENOENT);

    REQUIRE(symlink("/proc/meminfo", (dir + "/link").c_str()) == 0);
    auto dirfd = open_dir_at(AT_FDCWD, dir.c_str());
    REQUIRE(dirfd);
    std::string out;
    auto st = read_file_at(dirfd->get(), "link", out);
    REQUIRE_FALSE(st);
    CHECK(st.error().code == ELOOP);
    unlink((dir + "/link").c_str());
    rmdir(dir.c_str());
}

TEST_CASE("read_file_at enforces its size limit") {
    std::string out;
    auto st = read_file_at(AT_FDCWD, "/proc/self/maps", out, 16);
    REQUIRE_FALSE(st);
    CHECK(st.error().code == EFBIG);
}
