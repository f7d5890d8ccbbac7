#include <catch2/catch.hpp>

#include <cstdlib>
#include <fcntl.h>
#include <fstream>
#include <string>
#include <sys/stat.h>
#include <unistd.h>

#include "util/file.hpp"
#include "util/file_cache.hpp"

using namespace lensfs;

namespace {

void write_text(const std::string& path, const std::string& text) {
    std::ofstream out(path, std::ios::trunc);
    out << text;
}

// A cgroup created for one test and removed when it ends, even on failure.
struct TestCgroup {
    std::string path;
    explicit TestCgroup(const std::string& root)
        : path(root + "/lensfs-test-filecache-" + std::to_string(::getpid())) {
        ::mkdir(path.c_str(), 0755);
    }
    ~TestCgroup() { ::rmdir(path.c_str()); }
};

} // namespace

TEST_CASE("FileCache re-reads a kept-open file from offset 0") {
    char tmpl[] = "/tmp/lensfs-unit-XXXXXX";
    REQUIRE(mkdtemp(tmpl) != nullptr);
    std::string dir = tmpl;
    auto dirfd = open_dir_at(AT_FDCWD, dir.c_str());
    REQUIRE(dirfd);
    FileCache cache;
    std::string out;
    write_text(dir + "/a", "first\n");
    REQUIRE(cache.read(dirfd->get(), "a", "a", out));
    CHECK(out == "first\n");
    write_text(dir + "/a", "second, longer\n");
    REQUIRE(cache.read(dirfd->get(), "a", "a", out));
    CHECK(out == "second, longer\n");

    SECTION("a missing file is an error, remembered for a while") {
        auto st = cache.read(dirfd->get(), "b", "b", out);
        REQUIRE_FALSE(st);
        CHECK(st.error().code == ENOENT);
        CHECK(out.empty());
        write_text(dir + "/b", "now here\n");
        CHECK_FALSE(cache.read(dirfd->get(), "b", "b", out)); // still within the retry delay
        cache.clear();
        REQUIRE(cache.read(dirfd->get(), "b", "b", out));
        CHECK(out == "now here\n");
        ::unlink((dir + "/b").c_str());
    }
    SECTION("files larger than the first read buffer are read whole") {
        std::string big(100000, 'x');
        big += "end\n";
        write_text(dir + "/big", big);
        REQUIRE(cache.read(dirfd->get(), "big", "big", out));
        CHECK(out == big);
        ::unlink((dir + "/big").c_str());
    }
    ::unlink((dir + "/a").c_str());
    ::rmdir(dir.c_str());
}

TEST_CASE("FileCache notices a removed and re-created cgroup") {
    const std::string root = "/sys/fs/cgroup/memory";
    if (::geteuid() != 0 || ::access((root + "/memory.limit_in_bytes").c_str(), F_OK) != 0) {
        WARN("needs root and a cgroup v1 memory hierarchy at " << root << "; not checked");
        return;
    }
    auto rootfd = open_dir_at(AT_FDCWD, root.c_str());
    REQUIRE(rootfd);
    FileCache cache;
    std::string out;
    std::string name = "lensfs-test-filecache-" + std::to_string(::getpid());
    std::string file = name + "/memory.limit_in_bytes";
    {
        TestCgroup cg(root);
        write_text(cg.path + "/memory.limit_in_bytes", "268435456");
        REQUIRE(cache.read(rootfd->get(), file, file.c_str(), out));
        CHECK(out == "268435456\n");
    }
    auto gone = cache.read(rootfd->get(), file, file.c_str(), out);
    REQUIRE_FALSE(gone);
    CHECK(gone.error().code == ENOENT);
    cache.clear();
    {
        TestCgroup again(root);
        write_text(again.path + "/memory.limit_in_bytes", "536870912");
        REQUIRE(cache.read(rootfd->get(), file, file.c_str(), out));
        CHECK(out == "536870912\n");
    }
}

TEST_CASE("pread_all reads procfs content afresh on every call") {
    UniqueFd fd(::open("/proc/self/stat", O_RDONLY | O_CLOEXEC));
    REQUIRE(fd);
    std::string first;
    std::string second;
    REQUIRE(pread_all(fd.get(), "stat", first));
    REQUIRE(pread_all(fd.get(), "stat", second));
    CHECK_FALSE(first.empty());
    CHECK(first.substr(0, first.find(')')) == second.substr(0, second.find(')')));
}
