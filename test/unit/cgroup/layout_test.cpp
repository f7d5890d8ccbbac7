#include <catch2/catch.hpp>

#include "cgroup/layout.hpp"

using namespace lensfs;
using namespace lensfs::cgroup;

namespace {
const std::string kData = TEST_DATA_DIR "/cgroup";
}

TEST_CASE("/proc/<pid>/cgroup on a hybrid host") {
    auto cg = parse_proc_cgroup("9:name=systemd:/\n8:pids:/a\n4:memory:/lensfs-test-x\n"
                                "2:cpu,cpuacct:/c\n0::/u\n");
    REQUIRE(cg);
    CHECK(cg->unified == "/u");
    CHECK(cg->v1[static_cast<int>(Controller::memory)] == "/lensfs-test-x");
    CHECK(cg->v1[static_cast<int>(Controller::cpu)] == "/c");
    CHECK(cg->v1[static_cast<int>(Controller::cpuacct)] == "/c");
    CHECK(cg->v1[static_cast<int>(Controller::pids)] == "/a");
    CHECK_FALSE(cg->v1[static_cast<int>(Controller::cpuset)]);
}

TEST_CASE("/proc/<pid>/cgroup: pure v2, paths with colons, garbage") {
    auto cg = parse_proc_cgroup("0::/system.slice/a:b.service\n");
    REQUIRE(cg);
    CHECK(cg->unified == "/system.slice/a:b.service");
    CHECK_FALSE(parse_proc_cgroup(""));
    CHECK_FALSE(parse_proc_cgroup("garbage\n"));
    CHECK_FALSE(parse_proc_cgroup("x:memory:/a\n"));
    CHECK_FALSE(parse_proc_cgroup("0::relative\n"));
}

TEST_CASE("mountinfo parsing finds cgroup mounts") {
    auto mounts = parse_mountinfo(
        "30 25 0:26 / /sys/fs/cgroup rw - tmpfs tmpfs rw,mode=755\n"
        "31 30 0:27 / /sys/fs/cgroup/cpu rw,relatime shared:5 - cgroup cgroup rw,cpu\n"
        "32 30 0:28 / /sys/fs/cgroup/un\\040ified rw - cgroup2 cgroup2 rw\n"
        "broken line\n");
    REQUIRE(mounts.size() == 3);
    CHECK(mounts[1].mount_point == "/sys/fs/cgroup/cpu");
    CHECK(mounts[1].fstype == "cgroup");
    CHECK(mounts[1].super_options == "rw,cpu");
    CHECK(mounts[2].mount_point == "/sys/fs/cgroup/un ified");
}

TEST_CASE("layout of a pure v2 root") {
    auto layout = Layout::from_root(kData + "/v2");
    REQUIRE(layout);
    CHECK(layout->mode() == "v2");
    REQUIRE(layout->hierarchy(Controller::memory));
    CHECK(layout->hierarchy(Controller::memory)->v2);
    CHECK(layout->hierarchy(Controller::cpuacct) == layout->unified());
}

TEST_CASE("layout of a v1 root with co-mounted cpu,cpuacct") {
    auto layout = Layout::from_root(kData + "/v1");
    REQUIRE(layout);
    CHECK(layout->mode() == "v1");
    REQUIRE(layout->hierarchy(Controller::cpu));
    CHECK(layout->hierarchy(Controller::cpu) == layout->hierarchy(Controller::cpuacct));
    CHECK_FALSE(layout->unified());
}

TEST_CASE("layout of a hybrid root") {
    auto layout = Layout::from_root(kData + "/hybrid");
    REQUIRE(layout);
    CHECK(layout->mode() == "hybrid");
    REQUIRE(layout->unified());
    // v1 wins where it has the controller; the empty cgroup2 tree adds only cpu.stat.
    CHECK_FALSE(layout->hierarchy(Controller::memory)->v2);
    CHECK_FALSE(layout->hierarchy(Controller::cpuacct)->v2);
    CHECK(layout->describe().find("memory") != std::string::npos);
}

TEST_CASE("layout of a missing root is an error") {
    auto layout = Layout::from_root(kData + "/does-not-exist");
    REQUIRE_FALSE(layout);
    CHECK(layout.error().code == ENOENT);
}

TEST_CASE("the host's own layout is discovered") {
    auto layout = Layout::discover();
    REQUIRE(layout);
    CHECK_FALSE(layout->hierarchies().empty());
}
