#include <catch2/catch.hpp>

#include <cstdlib>
#include <fcntl.h>
#include <sys/stat.h>
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

TEST_CASE("write_file_atomic never writes through a file someone planted") {
    std::string dir = make_temp_dir();
    std::string path = dir + "/registry.json";
    std::string victim = dir + "/victim";
    // The names an older scheme used: a hard link to another file, and a FIFO.
    REQUIRE(write_file_atomic(victim, "untouched\n"));
    REQUIRE(link(victim.c_str(), (path + ".tmp").c_str()) == 0);
    REQUIRE(mkfifo((dir + "/pid.tmp").c_str(), 0666) == 0);
    // A symlink where the file goes is replaced, not followed.
    REQUIRE(symlink(victim.c_str(), (dir + "/pid").c_str()) == 0);

    REQUIRE(write_file_atomic(path, "mine\n", 0600));
    REQUIRE(write_file_atomic(dir + "/pid", "42\n", 0644)); // returns: the FIFO is not opened
    CHECK(*read_file(victim) == "untouched\n");
    CHECK(*read_file(path) == "mine\n");
    CHECK(*read_file(dir + "/pid") == "42\n");

    struct stat st {};
    REQUIRE(lstat((dir + "/pid").c_str(), &st) == 0);
    CHECK(S_ISREG(st.st_mode));
    CHECK((st.st_mode & 07777) == 0644); // the mode asked for, whatever the umask
    CHECK(st.st_uid == geteuid());
    REQUIRE(lstat(path.c_str(), &st) == 0);
    CHECK((st.st_mode & 07777) == 0600);
    CHECK(st.st_nlink == 1);
    for (const char* name :
         {"/registry.json.tmp", "/pid.tmp", "/pid", "/registry.json", "/victim"}) {
        unlink((dir + name).c_str());
    }
    CHECK(rmdir(dir.c_str()) == 0); // no temporary file was left behind
}

TEST_CASE("read_file refuses what is not a regular file, without blocking") {
    std::string dir = make_temp_dir();
    std::string fifo = dir + "/registry.json";
    REQUIRE(mkfifo(fifo.c_str(), 0600) == 0);
    auto text = read_file(fifo); // would block for ever without O_NONBLOCK
    REQUIRE_FALSE(text);
    CHECK(text.error().code == EINVAL);
    CHECK(text.error().message().find("not a regular file") != std::string::npos);
    auto directory = read_file(dir);
    REQUIRE_FALSE(directory);
    CHECK(directory.error().code == EINVAL);
    unlink(fifo.c_str());
    rmdir(dir.c_str());
}
