#pragma once

#include <string>
#include <sys/types.h>

#include "cgroup/layout.hpp"
#include "host/host_proc.hpp"
#include "util/result.hpp"

namespace lensfs::control {

/// The cgroup that stands for @p pid's container when a runtime registers by pid only: the
/// cgroup2 ("0::") path on a pure v2 host, else the memory controller's v1 path, else the
/// cgroup2 path of a hybrid host. ESRCH when there is no such process; EINVAL when that
/// cgroup is the root (which would contain every process of the host).
Result<std::string> container_cgroup_of(const host::HostProc& proc, const cgroup::Layout& layout,
                                        pid_t pid);

/// When @p pid started, in seconds of CLOCK_BOOTTIME (/proc/<pid>/stat's starttime divided
/// by the clock tick rate). ESRCH when there is no such process.
Result<double> start_boottime_of(const host::HostProc& proc, pid_t pid);

/// CLOCK_REALTIME minus CLOCK_BOOTTIME, now: what turns one clock's reading into the other's.
double wall_minus_boottime();

} // namespace lensfs::control
