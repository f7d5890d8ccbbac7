#pragma once

// Bind-mounts the lensfs views over a container's /proc and /sys files. Runs from the
// createContainer hook: inside the container's mount namespace, after the runtime mounted
// the container's /proc and /sys below the root filesystem and before pivot_root.

#include <string>
#include <string_view>
#include <vector>

#include "util/result.hpp"

namespace lensfs::oci {

/// The files the hook binds, relative to both the view directory and the container root: the
/// rows of view::served_files() marked for binding.
std::vector<std::string_view> bound_files();

/// What mount_views did.
struct MountReport {
    std::string source;               ///< the directory the views came from
    std::vector<std::string> mounted; ///< view files now covering the container's files
    std::vector<std::string> skipped; ///< "FILE: why", for files missing on either side
};

/// The mount flags that must be repeated when remounting a bind read-only: the kernel
/// refuses to clear nosuid, nodev, noexec or the atime flags of a mount it has locked, so
/// they are carried over from the statvfs() flags @p st_flags of the new bind mount.
unsigned long remount_flags(unsigned long st_flags);

/// Binds each file of bound_files() from the container's own tree in the lensfs mount,
/// @p mount_dir/containers/@p id (which must be on a FUSE mount: ENODEV otherwise), over the
/// same file below @p rootfs, read-only. When the daemon has no tree for @p id (the container
/// could not be registered), the shared tree at @p mount_dir is used instead. Paths below
/// @p rootfs are resolved as if @p rootfs were "/", so symlinks in the image cannot redirect a
/// mount onto the host. A file missing on either side is skipped. If any mount fails, the
/// ones already made are undone and the error is returned, so a container never gets half the
/// views. ENOENT when nothing at all could be mounted.
Result<MountReport> mount_views(const std::string& mount_dir, std::string_view id,
                                const std::string& rootfs);

} // namespace lensfs::oci
