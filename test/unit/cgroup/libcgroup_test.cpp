// Checks lensfs's own cgroup mount discovery against libcgroup's on the real host: two
// independent readings of /proc/self/mountinfo must agree on where each v1 controller lives.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <libcgroup.h>

#include "cgroup/layout.hpp"

using namespace lensfs;
using namespace lensfs::cgroup;

TEST_CASE("v1 controller mounts agree with libcgroup") {
    if (cgroup_init() != 0) {
        WARN("libcgroup could not initialise on this host; nothing to compare");
        return;
    }
    auto layout = Layout::discover();
    REQUIRE(layout);
    int compared = 0;
    for (auto c : {Controller::memory, Controller::cpu, Controller::cpuacct, Controller::cpuset,
                   Controller::blkio, Controller::pids}) {
        const Hierarchy* ours = layout->hierarchy(c);
        if (ours == nullptr || ours->v2) {
            continue;
        }
        char* theirs = nullptr;
        std::string name(controller_name(c));
        if (cgroup_get_subsys_mount_point(name.c_str(), &theirs) != 0 || theirs == nullptr) {
            continue;
        }
        INFO(name);
        CHECK(ours->path == theirs);
        std::free(theirs);
        ++compared;
    }
    INFO("layout: " << layout->describe());
    if (layout->mode() != "v2") {
        CHECK(compared > 0);
    }
}
