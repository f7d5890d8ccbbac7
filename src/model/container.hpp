#pragma once

#include <optional>
#include <string>

namespace lensfs {

/// What the registry knows of one container, as the read path needs it.
struct ContainerRecord {
    std::string id;
    std::string cgroup;                  ///< absolute cgroup path, e.g. "/lensfs-test-a"
    double start_boottime_s = 0;         ///< CLOCK_BOOTTIME seconds at container start
};

} // namespace lensfs
