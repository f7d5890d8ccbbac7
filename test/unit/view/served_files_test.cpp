#include <catch2/catch.hpp>

#include <set>
#include <string>

#include "view/served_files.hpp"
#include "view/sys_cpu.hpp"

using namespace lensfs;
using namespace lensfs::view;

TEST_CASE("every served file has a unique path that maps back to it") {
    std::set<std::string_view> paths;
    for (const ServedFile& file : served_files()) {
        INFO(file.path);
        CHECK(paths.insert(file.path).second);
        CHECK(served_file(file.path) == &file);
        CHECK(served_file("/" + std::string(file.path)) == &file);
        CHECK(served_index(file) < served_files().size());
        CHECK(file.gather != nullptr);
        CHECK_FALSE(file.path.starts_with("/"));
    }
    CHECK(served_file("proc/pressure") == nullptr);
    CHECK(served_file("proc/nope") == nullptr);
    CHECK(served_file("") == nullptr);
}

TEST_CASE("the files the design lists are served") {
    for (const char* path :
         {"proc/meminfo", "proc/cpuinfo", "proc/stat", "proc/uptime", "proc/swaps", "proc/loadavg",
          "proc/diskstats", "proc/pressure/cpu", "proc/pressure/memory", "proc/pressure/io",
          "proc/slabinfo", "sys/devices/system/cpu/online", "sys/devices/system/cpu/present",
          "sys/devices/system/cpu/possible", "sys/devices/system/cpu/offline"}) {
        INFO(path);
        CHECK(served_file(path) != nullptr);
    }
}

TEST_CASE("modes follow the kernel's: slabinfo is root only") {
    for (const ServedFile& file : served_files()) {
        INFO(file.path);
        CHECK(file.mode == (file.path == "proc/slabinfo" ? 0400U : 0444U));
    }
}

TEST_CASE("CPU lists and masks inside CPU directories are renumbered, nothing else") {
    CHECK(cpu_file_format("cpu1/topology/core_cpus_list") == CpuFileFormat::list);
    CHECK(cpu_file_format("cpu1/topology/thread_siblings_list") == CpuFileFormat::list);
    CHECK(cpu_file_format("cpu0/cache/index3/shared_cpu_list") == CpuFileFormat::list);
    CHECK(cpu_file_format("cpu1/topology/core_cpus") == CpuFileFormat::mask);
    CHECK(cpu_file_format("cpu1/topology/core_siblings") == CpuFileFormat::mask);
    CHECK(cpu_file_format("cpu1/cache/index0/shared_cpu_map") == CpuFileFormat::mask);
    CHECK(cpu_file_format("cpu1/topology/core_id") == CpuFileFormat::none);
    CHECK(cpu_file_format("cpu1/cache/index0/size") == CpuFileFormat::none);
    CHECK(cpu_file_format("online") == CpuFileFormat::none);
    CHECK(cpu_file_format("cpufreq/policy0/related_cpus") == CpuFileFormat::none);
    CHECK(cpu_file_format("cpu01/topology/core_cpus_list") == CpuFileFormat::none);
    CHECK(cpu_file_format("cpu1") == CpuFileFormat::none);
}

TEST_CASE("a container that sees host CPU 1 alone calls it 0 in topology files") {
    CpuSet one = *CpuSet::parse("1");
    std::string out;
    renumber_cpu_file("1\n", CpuFileFormat::list, one, out);
    CHECK(out == "0\n");
    out.clear();
    renumber_cpu_file("0-1\n", CpuFileFormat::list, one, out);
    CHECK(out == "0\n");
    out.clear();
    renumber_cpu_file("2\n", CpuFileFormat::mask, one, out);
    CHECK(out == "1\n");
    out.clear();
    renumber_cpu_file("3\n", CpuFileFormat::mask, one, out);
    CHECK(out == "1\n");
}

TEST_CASE("renumbering keeps the order of the visible CPUs and drops the others") {
    CpuSet visible = *CpuSet::parse("2,5-7,40");
    std::string out;
    renumber_cpu_file("5-7,40-41\n", CpuFileFormat::list, visible, out);
    CHECK(out == "1-4\n");
    out.clear();
    renumber_cpu_file("0,1\n", CpuFileFormat::list, visible, out);
    CHECK(out == "\n");
    out.clear();
    renumber_cpu_file("garbage\n", CpuFileFormat::list, visible, out);
    CHECK(out == "garbage\n");
    out.clear();
    // bits 2, 5, 6, 7 and 40 of a 48-CPU host's mask
    renumber_cpu_file("0100,000000e4\n", CpuFileFormat::mask, visible, out);
    CHECK(out == "1f\n");
}
