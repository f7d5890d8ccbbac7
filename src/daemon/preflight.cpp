#include "daemon/preflight.hpp"

#include <cerrno>
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "util/log.hpp"

namespace lensfs::daemon {

namespace {

Status make_dirs(const std::string& path) {
    for (std::size_t pos = 1; pos <= path.size(); ++pos) {
        if (pos != path.size() && path[pos] != '/') {
            continue;
        }
        std::string prefix = path.substr(0, pos);
        if (::mkdir(prefix.c_str(), 0755) != 0 && errno != EEXIST) {
            return Error{errno, fmt::format("cannot create mountpoint {}", prefix)};
        }
    }
    return Ok{};
}

constexpr int kMaxStaleMounts = 8;

// stat() of a dead FUSE mount can still succeed from cached attributes; statfs() asks the
// filesystem and fails with ENOTCONN. Such a mount (of a keeper that was killed) is detached:
// containers that bound its files keep them, failing, until they restart; nothing else can
// be done for them, and the mount point is usable again.
Status clear_stale_mounts(const std::string& path) {
    struct statfs fs {};
    for (int round = 0; ::statfs(path.c_str(), &fs) != 0 && errno == ENOTCONN; ++round) {
        if (round == kMaxStaleMounts || ::umount2(path.c_str(), MNT_DETACH) != 0) {
            return Error{ENOTCONN, fmt::format("{} is a stale FUSE mount of a daemon that is "
                                               "gone, and it cannot be detached",
                                               path)};
        }
        log_warn("{}: detached the stale mount of a lensfs that is gone; containers that "
                 "bound its files see ENOTCONN until they restart",
                 path);
    }
    return Ok{};
}

Status check_mountpoint(const std::string& path) {
    if (Status st = clear_stale_mounts(path); !st) {
        return st;
    }
    struct statfs fs {};
    struct stat st {};
    if (::statfs(path.c_str(), &fs) != 0 || ::stat(path.c_str(), &st) != 0) {
        return Error{errno, fmt::format("cannot use mountpoint {}", path)};
    }
    if (!S_ISDIR(st.st_mode)) {
        return Error{ENOTDIR, fmt::format("mountpoint {} is not a directory", path)};
    }
    struct stat parent {};
    if (::stat((path + "/..").c_str(), &parent) == 0 &&
        (parent.st_dev != st.st_dev || parent.st_ino == st.st_ino)) {
        return Error{EBUSY, fmt::format("mountpoint {} is busy: something is already mounted "
                                        "there (another lensfs or LXCFS?)",
                                        path)};
    }
    return Ok{};
}

} // namespace

Status preflight(const std::string& mountpoint) {
    if (::geteuid() != 0) {
        return Error{EPERM, "must run as root: lensfs reads every process's cgroup and mounts "
                            "with allow_other"};
    }
    if (::access("/dev/fuse", R_OK | W_OK) != 0) {
        return Error{errno, "/dev/fuse is not available (load the fuse module, or give the "
                            "container the device)"};
    }
    if (mountpoint.empty() || mountpoint.front() != '/') {
        return Error{EINVAL,
                     fmt::format("mountpoint must be an absolute path, not '{}'", mountpoint)};
    }
    if (Status st = make_dirs(mountpoint); !st) {
        return st;
    }
    return check_mountpoint(mountpoint);
}

} // namespace lensfs::daemon
