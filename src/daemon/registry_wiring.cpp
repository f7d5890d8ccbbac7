#include "daemon/registry_wiring.hpp"

#include <cerrno>
#include <csignal>
#include <fcntl.h>
#include <grp.h>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

#include <fmt/format.h>

#include "util/log.hpp"
#include "util/parse.hpp"
#include "util/unique_fd.hpp"

namespace lensfs::daemon {

namespace {

bool pid_gone(view::Engine& engine, pid_t pid) {
    if (::kill(pid, 0) != 0 && errno == ESRCH) {
        return true;
    }
    return !engine.proc().process_exists(pid);
}

} // namespace

Result<std::optional<gid_t>> resolve_group(const std::string& name) {
    if (name.empty()) {
        return std::optional<gid_t>{};
    }
    std::vector<char> buf(16384);
    group grp{};
    group* found = nullptr;
    int rc = ::getgrnam_r(name.c_str(), &grp, buf.data(), buf.size(), &found);
    if (rc == 0 && found) {
        return std::optional<gid_t>{found->gr_gid};
    }
    if (auto number = parse_u64(name); number && *number < static_cast<gid_t>(-1)) {
        return std::optional<gid_t>{static_cast<gid_t>(*number)};
    }
    return Error{rc != 0 ? rc : ENOENT, fmt::format("unknown group '{}' (--socket-group)", name)};
}

Status ensure_state_dir(const std::string& dir, bool holds_socket) {
    for (std::size_t pos = dir.find('/', 1); pos != std::string::npos;
         pos = dir.find('/', pos + 1)) {
        std::string parent = dir.substr(0, pos);
        if (::mkdir(parent.c_str(), 0755) != 0 && errno != EEXIST) {
            return make_error(errno, fmt::format("cannot create the state directory {}", parent));
        }
    }
    if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
        return make_error(errno, fmt::format("cannot create the state directory {}", dir));
    }
    UniqueFd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    struct stat st {};
    if (!fd || ::fstat(fd.get(), &st) != 0) {
        return Error{errno == ELOOP ? ELOOP : ENOTDIR,
                     fmt::format("state directory {} is not a directory{}", dir,
                                 errno == ELOOP ? " (a symlink)" : "")};
    }
    if (st.st_uid != ::geteuid()) {
        return Error{EPERM, fmt::format("state directory {} belongs to uid {}, not to this "
                                        "user ({}): another user could change the registry",
                                        dir, st.st_uid, ::geteuid())};
    }
    mode_t want = holds_socket ? 0711 : 0700;
    if ((st.st_mode & 07777) != want) {
        if (::fchmod(fd.get(), want) != 0) {
            return make_error(errno,
                              fmt::format("cannot set the mode of the state directory {}", dir));
        }
        log_info("state directory {}: mode {:04o} made {:04o}", dir, st.st_mode & 07777, want);
    }
    return Ok{};
}

void load_registry(Registry& registry) {
    if (Status st = registry.load(); !st) {
        // A corrupt file's message says all: where it was kept, and that the start goes on.
        const Error& e = st.error();
        log_error("{}", e.code == EBADMSG ? e.context : e.message());
    }
    log_info("registry {}: {} containers", registry.state_path(), registry.size());
}

std::size_t prune_registry(Registry& registry, view::Engine& engine) {
    std::size_t dropped = registry.prune([&engine](const Entry& e) {
        return !engine.reader().exists(e.cgroup) && (!e.init_pid || pid_gone(engine, *e.init_pid));
    });
    if (dropped > 0) {
        log_info("registry: dropped {} containers whose cgroup and init are gone", dropped);
    }
    return dropped;
}

void report_engine_counters(view::Engine& engine, DaemonStatus& status) {
    for (const view::ServedFile& file : view::served_files()) {
        std::string name(file.path);
        const view::FileCounters& c = engine.counters(file);
        status.reads[name] = c.reads.load(std::memory_order_relaxed);
        status.errors["fallback." + name] = c.fallbacks.load(std::memory_order_relaxed);
    }
}

} // namespace lensfs::daemon
