#pragma once

// Bind-mounts the lensfs views over a container's /proc and /sys files. Runs from the
// createContainer hook: inside the container's mount namespace, after the runtime mounted
// the container's /proc and /sys below the root filesystem and before pivot_root.

#include <array>
#include <string>
#include <string_view>
#include <vector>

#include "util/result.hpp"

namespace lensfs::oci {

/// The files lensfs serves, relative to both the lensfs mount and the container root.
inline constexpr std::array<std::string_view, 8> kViewFiles = {
    "proc/meminfo", "proc/cpuinfo", "proc/stat",      "proc/uptime",
    "proc/swaps",   "proc/loadavg", "proc/diskstats", "sys/devices/system/cpu/online",
};

/// What mount_views did.
struct MountReport {
    std::vector<std::string> mounted; ///< view files now covering the container's files
    std::vector<std::string> skipped; ///< "FILE: why", for files missing on either side
};

/// The mount flags that must be repeated when remounting a bind read-only: the kernel
/// refuses to clear nosuid, nodev, noexec or the atime flags of a mount it has locked, so
/// they are carried over from the statvfs() flags @p st_flags of the new bind mount.
unsigned long remount_flags(unsigned long st_flags);

/// Binds each file of kViewFiles from @p mount_dir (which must be a FUSE mount: ENODEV
/// otherwise) over the same file below @p rootfs, read-only. Paths below @p rootfs are
/// resolved as if @p rootfs were "/", so symlinks in the image cannot redirect a mount onto
/// the host. A file missing on either side is skipped. If any mount fails, the ones already
/// made are undone and the error is returned, so a container never gets half the views.
/// ENOENT when nothing at all could be mounted.
Result<MountReport> mount_views(const std::string& mount_dir, const std::string& rootfs);

} // namespace lensfs::oci
