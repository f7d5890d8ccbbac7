#pragma once

#include <string>

#include "util/result.hpp"

namespace lensfs::daemon {

/// Checks what mounting needs, so that a failure is one clear line instead of a libfuse
/// message: root privileges, /dev/fuse, and a mountpoint that exists (created if missing)
/// and is not already mounted (or a stale mount of a dead daemon).
Status preflight(const std::string& mountpoint);

} // namespace lensfs::daemon
