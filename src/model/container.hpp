#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "model/cpu.hpp"

namespace lensfs {

/// What the registry knows of one container, as the read path needs it.
struct ContainerRecord {
    std::string id;
    std::string cgroup;          ///< absolute cgroup path, e.g. "/lensfs-test-a"
    double start_boottime_s = 0; ///< CLOCK_BOOTTIME seconds at container start
    /// The registry's number for the container, never reused; names its tree in the mount.
    std::uint64_t slot = 0;
    /// The cgroup's CPU time and the host's counters at registration (see CpuBaseline).
    std::optional<CpuBaseline> cpu_baseline;
};

} // namespace lensfs
