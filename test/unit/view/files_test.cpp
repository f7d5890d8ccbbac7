#include <catch2/catch.hpp>

#include <set>

#include "view/files.hpp"

using namespace lensfs::view;

TEST_CASE("every served file has a unique path that maps back to it") {
    std::set<std::string_view> paths;
    for (FileId id : kAllFiles) {
        auto path = file_path(id);
        INFO(path);
        CHECK(paths.insert(path).second);
        CHECK(file_from_path(path) == id);
        CHECK(file_from_path("/" + std::string(path)) == id);
    }
    CHECK(paths.size() == kFileCount);
    CHECK_FALSE(file_from_path("proc/pressure"));
    CHECK_FALSE(file_from_path("proc/nope"));
}

TEST_CASE("the files the design lists are served") {
    for (const char* path :
         {"proc/meminfo", "proc/cpuinfo", "proc/stat", "proc/uptime", "proc/swaps", "proc/loadavg",
          "proc/diskstats", "proc/pressure/cpu", "proc/pressure/memory", "proc/pressure/io",
          "proc/slabinfo", "sys/devices/system/cpu/online"}) {
        INFO(path);
        CHECK(file_from_path(path));
    }
}

TEST_CASE("modes follow the kernel's: slabinfo is root only") {
    CHECK(file_mode(FileId::slabinfo) == 0400);
    for (FileId id : kAllFiles) {
        if (id != FileId::slabinfo) {
            CHECK(file_mode(id) == 0444);
        }
    }
}
