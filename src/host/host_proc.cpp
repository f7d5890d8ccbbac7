#include "host/host_proc.hpp"

#include <cerrno>
#include <fcntl.h>
#include <sys/stat.h>

#include <fmt/format.h>

#include "host/proc_files.hpp"
#include "host/process.hpp"
#include "util/file.hpp"

namespace lensfs::host {

namespace {

/// A path below /proc in a stack buffer ("<pid>", "<pid>/<leaf>", "<tid>/task/<tid>/<leaf>"):
/// built on every read, so no allocation.
class ProcPath {
public:
    template <typename... Args>
    explicit ProcPath(fmt::format_string<Args...> format, Args&&... args) {
        auto result = fmt::format_to_n(buf_, sizeof(buf_) - 1, format, std::forward<Args>(args)...);
        *result.out = '\0';
    }
    [[nodiscard]] const char* c_str() const { return buf_; }

private:
    char buf_[64];
};

Error bad_pid(pid_t pid) {
    return make_error(EINVAL, fmt::format("pid {}", pid));
}

} // namespace

Result<HostProc> HostProc::open(const std::string& proc_root) {
    auto fd = open_dir_at(AT_FDCWD, proc_root.c_str());
    if (!fd) {
        return fd.error();
    }
    return HostProc(std::move(*fd), proc_root);
}

Status HostProc::read(const char* name, std::string& out) const {
    if (name == nullptr || name[0] == '\0' || name[0] == '/') {
        return make_error(EINVAL, fmt::format("{}: not a relative name", root_));
    }
    std::string_view view(name);
    Status st = view.find('/') == std::string_view::npos ? files_->read(fd_.get(), view, name, out)
                                                         : read_file_at(fd_.get(), name, out);
    if (!st) {
        return make_error(st.error().code, fmt::format("{}/{}", root_, name));
    }
    return Ok{};
}

namespace {

/// Reads @p name below @p proc and parses it; a parse error names the file.
template <typename T>
Result<T> read_parsed(const HostProc& proc, const char* name, std::string& scratch,
                      Result<T> (*parse)(std::string_view)) {
    Status st = proc.raw(name, scratch);
    if (!st) {
        return st.error();
    }
    Result<T> parsed = parse(scratch);
    if (!parsed) {
        return make_error(parsed.error().code,
                          fmt::format("{}/{}", proc.root(), parsed.error().context));
    }
    return parsed;
}

} // namespace

Status HostProc::raw(const char* name, std::string& out) const {
    return read(name, out);
}

Result<HostMeminfo> HostProc::meminfo(std::string& scratch) const {
    return read_parsed(*this, "meminfo", scratch, &parse_meminfo);
}

Result<HostStat> HostProc::stat(std::string& scratch) const {
    return read_parsed(*this, "stat", scratch, &parse_stat);
}

Result<HostCpuinfo> HostProc::cpuinfo(std::string& scratch) const {
    return read_parsed(*this, "cpuinfo", scratch, &parse_cpuinfo);
}

Result<HostUptime> HostProc::uptime(std::string& scratch) const {
    return read_parsed(*this, "uptime", scratch, &parse_uptime);
}

template <typename T>
Result<T> HostProc::pid_fact(pid_t pid, const char* leaf, std::string& scratch,
                             std::optional<T> (*parse)(std::string_view),
                             const char* missing) const {
    if (pid <= 0) {
        return bad_pid(pid);
    }
    ProcPath path("{}/{}", pid, leaf);
    Status st = read(path.c_str(), scratch);
    if (!st) {
        return st.error();
    }
    auto value = parse(scratch);
    if (!value) {
        return make_error(EINVAL, fmt::format("{}/{}: {}", root_, path.c_str(), missing));
    }
    return *value;
}

Result<pid_t> HostProc::ppid(pid_t pid, std::string& scratch) const {
    return pid_fact<pid_t>(pid, "status", scratch, &parse_ppid, "no PPid line");
}

Result<std::uint64_t> HostProc::starttime_ticks(pid_t pid, std::string& scratch) const {
    return pid_fact<std::uint64_t>(pid, "stat", scratch, &parse_starttime_ticks, "no start time");
}

Result<std::uint64_t> HostProc::pidns_inode(pid_t pid) const {
    if (pid <= 0) {
        return bad_pid(pid);
    }
    ProcPath path("{}/ns/pid", pid);
    struct stat st {};
    // Following the magic link is the point: its target is the namespace inode.
    if (::fstatat(fd_.get(), path.c_str(), &st, 0) != 0) {
        int code = errno;
        return make_error(code, fmt::format("{}/{}", root_, path.c_str()));
    }
    return static_cast<std::uint64_t>(st.st_ino);
}

Status HostProc::cgroup_text(pid_t pid, std::string& out) const {
    if (pid <= 0) {
        return bad_pid(pid);
    }
    ProcPath path("{}/cgroup", pid);
    return read(path.c_str(), out);
}

Result<ProcessHandle> HostProc::open_process(pid_t pid) const {
    if (pid <= 0) {
        return bad_pid(pid);
    }
    ProcPath name("{}", pid);
    UniqueFd dir(::openat(fd_.get(), name.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!dir) {
        return make_error(errno, fmt::format("{}/{}", root_, pid));
    }
    UniqueFd cgroup(::openat(dir.get(), "cgroup", O_RDONLY | O_CLOEXEC));
    struct stat st {};
    if (!cgroup || ::fstatat(dir.get(), "ns/pid", &st, 0) != 0) {
        return make_error(errno, fmt::format("{}/{}", root_, pid));
    }
    return ProcessHandle(std::move(cgroup), static_cast<std::uint64_t>(st.st_ino));
}

unsigned clock_ticks_per_second() noexcept {
    static const unsigned ticks = [] {
        long hz = ::sysconf(_SC_CLK_TCK);
        return hz > 0 ? static_cast<unsigned>(hz) : 100U;
    }();
    return ticks;
}

Status ProcessHandle::read_cgroup(std::string& out) const {
    return pread_all(cgroup_fd_.get(), "cgroup", out);
}

Status HostProc::task_file(pid_t tid, const char* leaf, std::string& out) const {
    if (tid <= 0) {
        return bad_pid(tid);
    }
    return read_file_at(fd_.get(), ProcPath("{}/task/{}/{}", tid, tid, leaf).c_str(), out);
}

bool HostProc::process_exists(pid_t pid) const {
    if (pid <= 0) {
        return false;
    }
    return ::faccessat(fd_.get(), ProcPath("{}", pid).c_str(), F_OK, 0) == 0 || errno != ENOENT;
}

} // namespace lensfs::host
