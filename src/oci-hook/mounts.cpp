#include "oci-hook/mounts.hpp"

#include <cerrno>
#include <fcntl.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <fmt/format.h>

#include "util/file.hpp"
#include "util/unique_fd.hpp"
#include "view/served_files.hpp"

namespace lensfs::oci {

namespace {

std::string fd_path(int fd) {
    return fmt::format("/proc/self/fd/{}", fd);
}

// openat2() has no glibc wrapper on Debian 12.
UniqueFd open_in_root(int root_fd, std::string_view rel) {
    open_how how{};
    how.flags = O_PATH | O_CLOEXEC | O_NOFOLLOW;
    how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
    std::string path(rel);
    return UniqueFd(
        static_cast<int>(::syscall(SYS_openat2, root_fd, path.c_str(), &how, sizeof(how))));
}

Result<UniqueFd> open_dir(const std::string& path) {
    return open_dir_at(AT_FDCWD, path.c_str());
}

Status check_fuse(int fd, const std::string& path) {
    struct statfs fs {};
    if (::fstatfs(fd, &fs) != 0) {
        return make_error(errno, path);
    }
    if (fs.f_type != FUSE_SUPER_MAGIC) {
        return Error{ENODEV, path + " is not a lensfs (FUSE) mount"};
    }
    return Ok{};
}

// The container's own tree: O_NOFOLLOW at each step, and an id that names one directory.
Result<UniqueFd> open_container_tree(int mount_fd, std::string_view id) {
    if (id.empty() || id == "." || id == ".." || id.find('/') != std::string_view::npos) {
        return Error{EINVAL, "bad container id"};
    }
    std::string rel = fmt::format("containers/{}", id);
    return open_path_at(mount_fd, rel.c_str(), O_DIRECTORY | O_NOFOLLOW);
}

bool is_regular(int fd) {
    struct stat st {};
    return ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
}

// Remounts the bind just made at @p rel read-only. The target is opened again: the fd used
// to mount still names the file underneath, not the new mount on top of it.
Status make_read_only(int root_fd, std::string_view rel) {
    UniqueFd top = open_in_root(root_fd, rel);
    struct statvfs vfs {};
    if (!top || ::fstatvfs(top.get(), &vfs) != 0) {
        return make_error(errno, fmt::format("{}: reopen after bind", rel));
    }
    unsigned long flags = MS_REMOUNT | MS_BIND | MS_RDONLY | remount_flags(vfs.f_flag);
    if (::mount(nullptr, fd_path(top.get()).c_str(), nullptr, flags, nullptr) != 0) {
        int err = errno;
        ::umount2(fd_path(top.get()).c_str(), MNT_DETACH);
        return make_error(err, fmt::format("{}: remount read-only", rel));
    }
    return Ok{};
}

void undo(int root_fd, const std::vector<std::string>& mounted) {
    for (const auto& rel : mounted) {
        UniqueFd top = open_in_root(root_fd, rel);
        if (top) {
            ::umount2(fd_path(top.get()).c_str(), MNT_DETACH);
        }
    }
}

// Binds one file; false with a reason in @p skipped when either side lacks it.
Result<bool> bind_one(int src_dir, int root_fd, std::string_view rel, MountReport& report) {
    std::string name(rel);
    auto src = open_path_at(src_dir, name.c_str(), O_NOFOLLOW);
    if (!src) {
        report.skipped.push_back(fmt::format("{}: not served by lensfs", rel));
        return false;
    }
    UniqueFd dst = open_in_root(root_fd, rel);
    if (!dst || !is_regular(dst.get())) {
        report.skipped.push_back(fmt::format("{}: not a file in the container", rel));
        return false;
    }
    if (::mount(fd_path(src->get()).c_str(), fd_path(dst.get()).c_str(), nullptr, MS_BIND,
                nullptr) != 0) {
        return make_error(errno, fmt::format("{}: bind mount", rel));
    }
    if (Status st = make_read_only(root_fd, rel); !st) {
        return std::move(st).error();
    }
    return true;
}

} // namespace

unsigned long remount_flags(unsigned long st_flags) {
    struct Pair {
        unsigned long st;
        unsigned long ms;
    };
    constexpr Pair kPairs[] = {
        {ST_NOSUID, MS_NOSUID},   {ST_NODEV, MS_NODEV},           {ST_NOEXEC, MS_NOEXEC},
        {ST_NOATIME, MS_NOATIME}, {ST_NODIRATIME, MS_NODIRATIME}, {ST_RELATIME, MS_RELATIME},
    };
    unsigned long out = 0;
    for (const auto& p : kPairs) {
        if ((st_flags & p.st) != 0) {
            out |= p.ms;
        }
    }
    return out;
}

std::vector<std::string_view> bound_files() {
    std::vector<std::string_view> out;
    for (const view::ServedFile& file : view::served_files()) {
        if (file.bind_mount) {
            out.push_back(file.path);
        }
    }
    return out;
}

Result<MountReport> mount_views(const std::string& mount_dir, std::string_view id,
                                const std::string& rootfs) {
    auto top = open_dir(mount_dir);
    if (!top) {
        return std::move(top).error();
    }
    if (Status st = check_fuse(top->get(), mount_dir); !st) {
        return std::move(st).error();
    }
    MountReport report;
    report.source = fmt::format("{}/containers/{}", mount_dir, id);
    auto src_dir = open_container_tree(top->get(), id);
    if (!src_dir) {
        report.source = mount_dir;
        src_dir = std::move(top);
    }
    auto root = open_dir(rootfs);
    if (!root) {
        return std::move(root).error();
    }
    for (std::string_view rel : bound_files()) {
        auto done = bind_one(src_dir->get(), root->get(), rel, report);
        if (!done) {
            undo(root->get(), report.mounted);
            return std::move(done).error();
        }
        if (*done) {
            report.mounted.emplace_back(rel);
        }
    }
    if (report.mounted.empty()) {
        return Error{ENOENT, fmt::format("no lensfs file could be mounted below {}", rootfs)};
    }
    return report;
}

} // namespace lensfs::oci
