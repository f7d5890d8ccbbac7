#include <catch2/catch.hpp>

#include "golden.hpp"
#include "host/proc_files.hpp"
#include "render/render.hpp"

using namespace lensfs;

namespace {

HostMeminfo host_meminfo(const std::string& name = "meminfo") {
    auto info = host::parse_meminfo(test_data("host/" + name));
    REQUIRE(info);
    return *info;
}

HostMeminfo rendered(const HostMeminfo& host, const MemoryStats& mem) {
    std::string out;
    render::meminfo(host, mem, out);
    auto back = host::parse_meminfo(out);
    REQUIRE(back);
    return *back;
}

constexpr std::uint64_t kMiB = 1024 * 1024;

} // namespace

TEST_CASE("meminfo without usage reproduces the host's file byte for byte") {
    for (const char* name : {"meminfo", "variants/meminfo-swap"}) {
        std::string text = test_data(std::string("host/") + name);
        auto host = host::parse_meminfo(text);
        REQUIRE(host);
        MemoryStats mem;
        mem.limit = 100 * kMiB; // a limit alone is not enough: without usage, no view
        std::string out;
        render::meminfo(*host, mem, out);
        CHECK(out == text);
    }
}

TEST_CASE("meminfo keeps the kernel's columns for long names and numbers") {
    HostMeminfo host;
    host.entries = {{"MemTotal", 5, true},
                    {"HugePages_Total", 0, false},
                    {"HugePages_Total", 123456789, false},
                    {"VmallocTotal", 34359738367, true},
                    {"AVeryLongNameIndeed", 7, true}};
    std::string out;
    render::meminfo(host, {}, out);
    CHECK(out == "MemTotal:              5 kB\n"
                 "HugePages_Total:       0\n"
                 "HugePages_Total: 123456789\n"
                 "VmallocTotal:   34359738367 kB\n"
                 "AVeryLongNameIndeed:   7 kB\n"); // still ends at column 24
}

TEST_CASE("meminfo appends to the buffer") {
    HostMeminfo host;
    host.entries = {{"MemTotal", 5, true}};
    std::string out = "x";
    render::meminfo(host, {}, out);
    CHECK(out == "xMemTotal:              5 kB\n");
}

TEST_CASE("meminfo container figures") {
    HostMeminfo host = host_meminfo("variants/meminfo-swap");
    MemoryStats mem;
    mem.limit = 1024 * kMiB;
    mem.usage = 400 * kMiB;
    mem.file = 100 * kMiB;
    mem.active_file = 30 * kMiB;
    mem.inactive_file = 50 * kMiB;
    mem.slab_reclaimable = 10 * kMiB;
    mem.slab_unreclaimable = 5 * kMiB;
    auto out = rendered(host, mem);
    CHECK(out.get("MemTotal") == 1048576u);
    CHECK(out.get("MemFree") == 1048576u - 409600u);
    CHECK(out.get("MemAvailable") == 1048576u - 409600u + 81920u + 10240u);
    CHECK(out.get("Cached") == 102400u);
    CHECK(out.get("Buffers") == 0u);
    CHECK(out.get("Slab") == 15360u); // reclaimable + unreclaimable without a slab key
    CHECK(out.get("KReclaimable") == 10240u);
    CHECK(out.get("AnonPages") == 0u); // not reported: 0, not the host's
    // No swap limit: the host's swap, and the host's use of it without a cgroup figure.
    CHECK(out.get("SwapTotal") == 2097148u);
    CHECK(out.get("SwapFree") == 1835004u);
    // Host CommitLimit = RAM/2 + swap; the same ratio on the container's RAM.
    CHECK(out.get("CommitLimit") == 1048576u / 2 + 2097148u);
    // Host-wide lines stay but never exceed MemTotal; address space and page size are kept.
    CHECK(out.get("DirectMap1G") == 1048576u);
    CHECK(out.get("KernelStack") == host.get("KernelStack"));
    CHECK(out.get("VmallocTotal") == 34359738367u);
    CHECK(out.get("Hugepagesize") == 2048u);
    CHECK(out.get("Mlocked") == 0u); // bounded by Unevictable, which is 0 here
}

TEST_CASE("meminfo MemAvailable without the file LRU split") {
    HostMeminfo host = host_meminfo();
    MemoryStats mem;
    mem.limit = 100 * kMiB;
    mem.usage = 60 * kMiB;
    mem.file = 40 * kMiB;
    mem.shmem = 10 * kMiB;
    auto out = rendered(host, mem);
    CHECK(out.get("MemAvailable") == (40u + 30u) * 1024u); // free + (file - shmem)
}

TEST_CASE("meminfo limits below one kB, and swap") {
    HostMeminfo host = host_meminfo("variants/meminfo-swap");
    MemoryStats mem;
    mem.limit = 100; // bytes
    mem.usage = 4096;
    mem.swap_limit = 512 * kMiB;
    mem.swap_usage = 1024 * kMiB; // more than the limit (racy reads): clamped
    auto out = rendered(host, mem);
    CHECK(out.get("MemTotal") == 1u);
    CHECK(out.get("MemFree") == 0u);
    CHECK(out.get("MemAvailable") == 0u);
    CHECK(out.get("SwapTotal") == 524288u);
    CHECK(out.get("SwapFree") == 0u);
    CHECK(out.get("Committed_AS") <= 524289u);
}

TEST_CASE("Committed_AS: the host's, in proportion to the container's anonymous memory") {
    HostMeminfo host = host_meminfo("meminfo");
    std::uint64_t host_committed = *host.get("Committed_AS");
    std::uint64_t host_anon = *host.get("AnonPages");
    MemoryStats mem;
    mem.limit = 256 * kMiB;
    mem.usage = 200 * kMiB;
    mem.anon = host_anon * 1024 / 4; // a quarter of the host's anonymous memory
    auto out = rendered(host, mem);
    CHECK(out.get("Committed_AS") == host_committed / 4);
    // Never above the host's, and not cut at MemTotal (sar -r's %commit can pass 100).
    mem.anon = host_anon * 1024 * 2;
    CHECK(rendered(host, mem).get("Committed_AS") == host_committed);
    // Without anonymous figures: the share of the host's used memory.
    mem.anon.reset();
    CHECK(rendered(host, mem).get("Committed_AS") <= host_committed);
}

TEST_CASE("meminfo with a host file that lacks MemTotal is the host's") {
    HostMeminfo host;
    host.entries = {{"MemFree", 10, true}};
    MemoryStats mem;
    mem.usage = 1;
    std::string out;
    render::meminfo(host, mem, out);
    CHECK(out == "MemFree:              10 kB\n");
}
