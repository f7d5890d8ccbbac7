#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <sys/types.h>

#include "model/host.hpp"
#include "util/file_cache.hpp"
#include "util/result.hpp"
#include "util/unique_fd.hpp"

namespace lensfs::host {

/// The host's /proc, opened once as a directory fd; every read is an openat() below it.
/// Reads take a caller-owned scratch buffer so a thread can reuse one across requests.
/// Thread-safe: the object is immutable after open().
class HostProc {
public:
    /// Opens @p proc_root (another directory with the same layout in tests).
    static Result<HostProc> open(const std::string& proc_root = "/proc");

    [[nodiscard]] int dirfd() const { return fd_.get(); }
    [[nodiscard]] const std::string& root() const { return root_; }

    Result<HostMeminfo> meminfo(std::string& scratch) const;
    Result<HostStat> stat(std::string& scratch) const;
    Result<HostCpuinfo> cpuinfo(std::string& scratch) const;
    Result<HostUptime> uptime(std::string& scratch) const;

    /// Reads the file @p name ("loadavg", "diskstats", "pressure/cpu", ...) verbatim into
    /// @p out. @p name must be relative.
    Status raw(const char* name, std::string& out) const;

    /// The parent of @p pid, from "<pid>/status".
    Result<pid_t> ppid(pid_t pid, std::string& scratch) const;
    /// The start time of @p pid in clock ticks after boot, from "<pid>/stat".
    Result<std::uint64_t> starttime_ticks(pid_t pid, std::string& scratch) const;
    /// The inode of the pid namespace of @p pid ("<pid>/ns/pid", link followed).
    Result<std::uint64_t> pidns_inode(pid_t pid) const;
    /// "<pid>/cgroup" verbatim.
    Status cgroup_text(pid_t pid, std::string& out) const;

private:
    HostProc(UniqueFd fd, std::string root)
        : fd_(std::move(fd)), root_(std::move(root)), files_(std::make_unique<FileCache>()) {}

    Status read(const char* name, std::string& out) const;

    UniqueFd fd_;
    std::string root_; ///< for error messages only
    /// The host's own files (meminfo, stat, ...) stay open; per-process files do not.
    std::unique_ptr<FileCache> files_;
};

} // namespace lensfs::host
