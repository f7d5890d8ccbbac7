#include <catch2/catch.hpp>

#include "cgroup/reader.hpp"

using namespace lensfs;
using namespace lensfs::cgroup;

namespace {

const std::string kData = TEST_DATA_DIR "/cgroup";

ProcCgroups in(const std::string& path) { return same_path_everywhere(path); }

} // namespace

TEST_CASE("v2 reader: limits, usage, stat, swap, cpus, usage") {
    auto layout = Layout::from_root(kData + "/v2");
    REQUIRE(layout);
    Reader reader(*layout);
    std::string scratch;
    auto mem = reader.memory(in("/lensfs-test-v2"), scratch);
    REQUIRE(mem);
    CHECK(mem->limit == 268435456u);
    CHECK(mem->usage == 104857600u);
    CHECK(mem->anon == 52428800u);
    CHECK(mem->slab_reclaimable == 2097152u);
    CHECK_FALSE(mem->swap_limit);
    CHECK(mem->swap_usage == 0u);

    auto cpus = reader.cpuset(in("/lensfs-test-v2"), scratch);
    REQUIRE(cpus);
    CHECK(cpus->format() == "0-1");
    auto limit = reader.cpu_limit(in("/lensfs-test-v2"), scratch);
    REQUIRE(limit);
    REQUIRE(*limit);
    CHECK((*limit)->quota_us == 150000u);
    auto usage = reader.cpu_usage(in("/lensfs-test-v2"), scratch);
    REQUIRE(usage);
    CHECK(usage->user_ns == 2000000000u);
    CHECK(usage->system_ns == 1000000000u);
}

TEST_CASE("v2 reader: limits are the smallest on the path") {
    auto layout = Layout::from_root(kData + "/v2");
    REQUIRE(layout);
    Reader reader(*layout);
    std::string scratch;
    auto mem = reader.memory(in("/lensfs-test-nest/inner"), scratch);
    REQUIRE(mem);
    CHECK(mem->limit == 134217728u);
    CHECK(mem->swap_limit == 67108864u);
    CHECK(mem->swap_usage == 1048576u);
    auto limit = reader.cpu_limit(in("/lensfs-test-nest/inner"), scratch);
    REQUIRE(limit);
    REQUIRE(*limit);
    CHECK((*limit)->quota_us == 50000u);
}

TEST_CASE("v2 reader: garbage files are errors, not crashes") {
    auto layout = Layout::from_root(kData + "/v2");
    REQUIRE(layout);
    Reader reader(*layout);
    std::string scratch;
    auto g = in("/lensfs-test-garbage");
    CHECK_FALSE(reader.memory(g, scratch));
    CHECK_FALSE(reader.cpuset(g, scratch));
    CHECK_FALSE(reader.cpu_limit(g, scratch));
    CHECK_FALSE(reader.cpu_usage(g, scratch));
    auto gone = reader.memory(in("/lensfs-test-vanished"), scratch);
    REQUIRE_FALSE(gone);
    CHECK(gone.error().code == ENOENT);
}

TEST_CASE("v1 and hybrid readers") {
    for (const char* root : {"v1", "hybrid"}) {
        INFO(root);
        auto layout = Layout::from_root(kData + "/" + root);
        REQUIRE(layout);
        Reader reader(*layout);
        std::string scratch;
        auto cg = in("/lensfs-test-v1");
        auto mem = reader.memory(cg, scratch);
        REQUIRE(mem);
        CHECK(mem->limit == 268435456u);
        CHECK(mem->usage == 104857600u);
        CHECK(mem->file == 41943040u);
        CHECK(mem->swap_limit == 134217728u);
        CHECK(mem->swap_usage == 2097152u);
        CHECK(reader.cpuset(cg, scratch)->format() == "1");
        auto limit = reader.cpu_limit(cg, scratch);
        REQUIRE(limit);
        REQUIRE(*limit);
        CHECK((*limit)->quota_us == 50000u);
        auto usage = reader.cpu_usage(cg, scratch);
        REQUIRE(usage);
        REQUIRE(usage->per_cpu.size() == 2);
        CHECK(usage->user_ns == 2500000000u);
        CHECK(usage->system_ns == 1250000000u);
    }
}

TEST_CASE("hybrid reader serves pressure files from the cgroup2 tree") {
    auto layout = Layout::from_root(kData + "/hybrid");
    REQUIRE(layout);
    Reader reader(*layout);
    std::string out;
    REQUIRE(reader.read_unified(in("/lensfs-test-v1"), "cpu.pressure", out));
    CHECK(out.rfind("some avg10=", 0) == 0);
    CHECK(reader.exists("/lensfs-test-v1"));
    CHECK_FALSE(reader.exists("/lensfs-test-none"));
}
