#include <catch2/catch.hpp>

#include <algorithm>

#include "cgroup/parse_io.hpp"
#include "cgroup/reader.hpp"

using namespace lensfs;
using namespace lensfs::cgroup;

namespace {

const std::string kData = TEST_DATA_DIR "/cgroup";

ProcCgroups in(const std::string& path) { return same_path_everywhere(path); }

const DeviceIo* find(const std::vector<DeviceIo>& devices, unsigned major, unsigned minor) {
    auto it = std::find_if(devices.begin(), devices.end(),
                           [&](const DeviceIo& d) { return d.major == major && d.minor == minor; });
    return it == devices.end() ? nullptr : &*it;
}

} // namespace

TEST_CASE("blkio files: Read, Write and Discard per device; Sync, Async and Total ignored") {
    std::vector<DeviceIo> devices;
    REQUIRE(parse_blkio("8:0 Read 4096\n8:0 Write 8192\n8:0 Sync 12288\n8:0 Async 0\n"
                        "8:0 Discard 512\n8:0 Total 12800\n259:3 Read 1\nTotal 12801\n",
                        &DeviceIo::bytes, devices));
    REQUIRE(devices.size() == 2);
    CHECK(devices[0].bytes == IoDirections{4096, 8192, 512});
    CHECK(devices[1].major == 259);
    CHECK(devices[1].minor == 3);
    CHECK(devices[1].bytes.read == 1);
    REQUIRE(parse_blkio("8:0 Read 7\n", &DeviceIo::ios, devices));
    CHECK(devices.size() == 2);
    CHECK(devices[0].ios.read == 7);
    CHECK(devices[0].bytes.read == 4096); // other counters untouched
}

TEST_CASE("blkio files: empty and garbage") {
    std::vector<DeviceIo> devices;
    CHECK(parse_blkio("Total 0\n", &DeviceIo::bytes, devices));
    CHECK(parse_blkio("", &DeviceIo::bytes, devices));
    CHECK(devices.empty());
    for (const char* bad : {"8:0 Read\n", "8:0 Read x\n", "8-0 Read 1\n", "8:0 Reads 1\n",
                            "8:0 Read 1 2\n", "Total\n", "99999:0 Read 1\n", "8:0 Read -1\n"}) {
        INFO(bad);
        std::vector<DeviceIo> out;
        auto st = parse_blkio(bad, &DeviceIo::bytes, out);
        REQUIRE_FALSE(st);
        CHECK(st.error().code == EINVAL);
    }
}

TEST_CASE("io.stat: the six counters, other keys ignored, garbage refused") {
    std::vector<DeviceIo> devices;
    REQUIRE(parse_io_stat("8:0 rbytes=1 wbytes=2 rios=3 wios=4 dbytes=5 dios=6 cost.vrate=99.5\n"
                          "8:16 rbytes=0 wbytes=0 rios=0 wios=0 dbytes=0 dios=0\n",
                          devices));
    REQUIRE(devices.size() == 2);
    CHECK(devices[0].bytes == IoDirections{1, 2, 5});
    CHECK(devices[0].ios == IoDirections{3, 4, 6});
    CHECK(devices[0].has_io());
    CHECK_FALSE(devices[1].has_io());
    for (const char* bad :
         {"8:0 rbytes=x\n", "8:0 rbytes\n", "sda rbytes=1\n", "8:0 rbytes=-1\n"}) {
        INFO(bad);
        std::vector<DeviceIo> out;
        CHECK_FALSE(parse_io_stat(bad, out));
    }
}

TEST_CASE("task lists: limit, skipped count, garbage") {
    std::vector<pid_t> ids;
    std::size_t skipped = 0;
    REQUIRE(parse_task_ids("1\n22\n333\n", ids, 2, skipped));
    CHECK(ids == std::vector<pid_t>{1, 22});
    CHECK(skipped == 1);
    CHECK(parse_task_ids("", ids, 10, skipped));
    CHECK_FALSE(parse_task_ids("12\nabc\n", ids, 10, skipped));
    CHECK_FALSE(parse_task_ids("0\n", ids, 10, skipped));
    CHECK_FALSE(parse_task_ids("99999999\n", ids, 10, skipped));
}

TEST_CASE("block_io: v1 CFQ statistics with times and merges") {
    auto layout = Layout::from_root(kData + "/v1");
    REQUIRE(layout);
    Reader reader(*layout);
    std::string scratch;
    auto io = reader.block_io(in("/lensfs-test-v1"), scratch);
    REQUIRE(io);
    REQUIRE(io->size() == 1); // 8:16 did no I/O
    const DeviceIo& d = io->front();
    CHECK((d.major == 8 && d.minor == 0));
    CHECK(d.bytes == IoDirections{4194304, 8388608, 0});
    CHECK(d.ios == IoDirections{100, 200, 0});
    CHECK(d.service_ns == IoDirections{1500000000, 2500000000, 0});
    CHECK(d.wait_ns == IoDirections{500000000, 1000000000, 0});
    CHECK(d.merged == IoDirections{10, 20, 0});
}

TEST_CASE("block_io: hybrid takes each device from the first family that saw I/O on it") {
    auto layout = Layout::from_root(kData + "/hybrid");
    REQUIRE(layout);
    Reader reader(*layout);
    std::string scratch;
    auto io = reader.block_io(in("/lensfs-test-v1"), scratch);
    REQUIRE(io);
    REQUIRE(io->size() == 2);
    const DeviceIo* sdb = find(*io, 8, 16);
    const DeviceIo* vda = find(*io, 254, 0);
    REQUIRE(sdb);
    REQUIRE(vda);
    CHECK(sdb->bytes.read == 1048576); // BFQ's, not the throttle layer's 999
    CHECK(sdb->ios.read == 8);
    CHECK(vda->bytes == IoDirections{8392704, 8388608, 0});
    CHECK(vda->ios == IoDirections{9, 8, 0});
}

TEST_CASE("block_io: v2 io.stat; garbage and missing groups are errors") {
    auto layout = Layout::from_root(kData + "/v2");
    REQUIRE(layout);
    Reader reader(*layout);
    std::string scratch;
    auto io = reader.block_io(in("/lensfs-test-v2"), scratch);
    REQUIRE(io);
    CHECK(io->size() == 3);
    REQUIRE(find(*io, 254, 0));
    CHECK(find(*io, 254, 0)->bytes.discard == 2097152);
    CHECK_FALSE(reader.block_io(in("/lensfs-test-garbage"), scratch));
    auto gone = reader.block_io(in("/lensfs-test-vanished"), scratch);
    REQUIRE_FALSE(gone);
    CHECK(gone.error().code == ENOENT);
}

TEST_CASE("task lists of a group and its descendants") {
    for (const char* root : {"v1", "hybrid"}) {
        INFO(root);
        auto layout = Layout::from_root(kData + "/" + root);
        REQUIRE(layout);
        Reader reader(*layout);
        auto source = reader.task_source(in("/lensfs-test-v1"));
        REQUIRE(source);
        CHECK_FALSE(source->v2);
        CHECK(source->hierarchy == layout->hierarchy_index(Controller::cpuacct));
        CHECK(source->key() == std::to_string(source->hierarchy) + ":/lensfs-test-v1");
        TaskList list;
        std::string scratch;
        REQUIRE(reader.list_tasks(*source, list, 100, scratch));
        std::sort(list.ids.begin(), list.ids.end());
        CHECK(list.ids == std::vector<pid_t>{4242, 4243, 4244, 4245, 4246, 4299});
        TaskList few;
        REQUIRE(reader.list_tasks(*source, few, 3, scratch));
        CHECK(few.ids.size() == 3);
        CHECK(few.skipped == 3);
    }
}

TEST_CASE("task lists on v2, and where there is none") {
    auto layout = Layout::from_root(kData + "/v2");
    REQUIRE(layout);
    Reader reader(*layout);
    auto source = reader.task_source(in("/lensfs-test-v2"));
    REQUIRE(source);
    CHECK(source->v2);
    TaskList list;
    std::string scratch;
    REQUIRE(reader.list_tasks(*source, list, 100, scratch));
    CHECK(list.ids == std::vector<pid_t>{4242, 4243});
    auto garbage = reader.task_source(in("/lensfs-test-garbage"));
    REQUIRE(garbage);
    CHECK_FALSE(reader.list_tasks(*garbage, list, 100, scratch));
    auto gone = reader.task_source(in("/lensfs-test-vanished"));
    REQUIRE(gone);
    auto st = reader.list_tasks(*gone, list, 100, scratch);
    REQUIRE_FALSE(st);
    CHECK(st.error().code == ENOENT);
    auto root = reader.task_source(in("/"));
    REQUIRE_FALSE(root);
    CHECK(root.error().code == ENOENT);
}

TEST_CASE("hybrid cpu usage: the cgroup2 group stands in for a root or unreadable cpuacct") {
    auto layout = Layout::from_root(kData + "/hybrid");
    REQUIRE(layout);
    Reader reader(*layout);
    std::string scratch;
    SECTION("v1 cpuacct at the root, cgroup2 group below it") {
        ProcCgroups cg = in("/lensfs-test-v1");
        cg.v1[static_cast<std::size_t>(Controller::cpuacct)] = "/";
        auto usage = reader.cpu_usage(cg, scratch);
        REQUIRE(usage);
        CHECK(usage->per_cpu.empty());
        CHECK(usage->user_ns == 2000000000u); // unified/lensfs-test-v1/cpu.stat
        CHECK(usage->system_ns == 1000000000u);
    }
    SECTION("no v1 cpuacct group of that name") {
        auto usage = reader.cpu_usage(in("/lensfs-test-unified-only"), scratch);
        REQUIRE(usage);
        CHECK(usage->user_ns == 400000000u);
        CHECK(usage->system_ns == 300000000u);
    }
    SECTION("the v1 group wins when it is below the root") {
        auto usage = reader.cpu_usage(in("/lensfs-test-v1"), scratch);
        REQUIRE(usage);
        CHECK(usage->per_cpu.size() == 2);
    }
    SECTION("neither: the v1 error") {
        ProcCgroups cg = in("/lensfs-test-vanished");
        cg.unified = "/";
        auto usage = reader.cpu_usage(cg, scratch);
        REQUIRE_FALSE(usage);
        CHECK(usage.error().code == ENOENT);
    }
}
