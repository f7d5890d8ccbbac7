#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <sys/types.h>

#include "model/host.hpp"
#include "util/file_cache.hpp"
#include "util/result.hpp"
#include "util/unique_fd.hpp"

namespace lensfs::host {

/// One process's /proc/<pid>/cgroup kept open, with its pid namespace, both of the same process
/// (the namespace is read through a directory fd of that process). The descriptor stands for
/// the process, not the number: once the process is gone read_cgroup() fails (ESRCH), so a
/// reused pid is never mistaken for the old process.
class ProcessHandle {
public:
    ProcessHandle() = default;
    ProcessHandle(UniqueFd cgroup_fd, std::uint64_t pidns)
        : cgroup_fd_(std::move(cgroup_fd)), pidns_(pidns) {}

    /// The process's cgroup file, read again from its start.
    Status read_cgroup(std::string& out) const;
    [[nodiscard]] std::uint64_t pidns() const { return pidns_; }

private:
    UniqueFd cgroup_fd_;
    std::uint64_t pidns_ = 0;
};

/// The kernel's clock ticks per second (USER_HZ, sysconf(_SC_CLK_TCK); 100 if it cannot be
/// told), the unit of the times in /proc/<pid>/stat and /proc/stat.
unsigned clock_ticks_per_second() noexcept;

/// The host's /proc, opened once as a directory fd; every read is an openat() below it.
/// Reads take a caller-owned scratch buffer so a thread can reuse one across requests.
/// Thread-safe: the object is immutable after open().
class HostProc {
public:
    /// Opens @p proc_root (another directory with the same layout in tests).
    static Result<HostProc> open(const std::string& proc_root = "/proc");

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
    /// Opens @p pid's cgroup file and tells its pid namespace.
    [[nodiscard]] Result<ProcessHandle> open_process(pid_t pid) const;
    /// Thread @p tid's own file "<tid>/task/<tid>/<leaf>" ("stat", "status") verbatim: through
    /// task/ the kernel reports the thread alone ("<tid>/stat" sums every thread's times on
    /// each read, which would make counting the threads of a large process quadratic).
    Status task_file(pid_t tid, const char* leaf, std::string& out) const;
    /// False only when /proc says @p pid does not exist (ENOENT); true when it exists or
    /// cannot be told.
    [[nodiscard]] bool process_exists(pid_t pid) const;

private:
    HostProc(UniqueFd fd, std::string root)
        : fd_(std::move(fd)), root_(std::move(root)), files_(std::make_unique<FileCache>()) {}

    Status read(const char* name, std::string& out) const;
    /// "<pid>/<leaf>" read and parsed; EINVAL "<path>: @p missing" when it does not parse.
    template <typename T>
    Result<T> pid_fact(pid_t pid, const char* leaf, std::string& scratch,
                       std::optional<T> (*parse)(std::string_view), const char* missing) const;

    UniqueFd fd_;
    std::string root_; ///< for error messages only
    /// The host's own files (meminfo, stat, ...) stay open; per-process files do not.
    std::unique_ptr<FileCache> files_;
};

} // namespace lensfs::host
