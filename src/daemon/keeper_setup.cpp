// The keeper's start-up: the descriptors from the service manager's store or a new mount, the
// state directory and control socket, detaching from the terminal; and the pid file.
#include <cerrno>
#include <sys/mman.h>
#include <unistd.h>

#include <fmt/format.h>

#include "daemon/background.hpp"
#include "daemon/keeper_parts.hpp"
#include "daemon/preflight.hpp"
#include "daemon/registry_wiring.hpp"
#include "daemon/service_manager.hpp"
#include "daemon/view_of.hpp"
#include "util/file.hpp"
#include "util/log.hpp"

namespace lensfs::daemon::keeper_detail {

std::string describe_exit(int status) {
    if (WIFSIGNALED(status)) {
        return fmt::format("killed by signal {} ({})", WTERMSIG(status),
                           strsignal(WTERMSIG(status)));
    }
    return fmt::format("exited with status {}", WEXITSTATUS(status));
}

void PidFile::write(const std::string& path) {
    if (path.empty()) {
        return;
    }
    if (Status st = write_file_atomic(path, fmt::format("{}\n", ::getpid()), 0644); !st) {
        log_warn("cannot write pid file {}: {}", path, st.error().message());
        return;
    }
    path_ = path;
}

PidFile::~PidFile() {
    if (!path_.empty()) {
        ::unlink(path_.c_str());
    }
}

int fuse_fd_of(const std::optional<fuse::Connection>& c, const UniqueFd& stored) {
    return c ? c->fd() : stored.get();
}

Status Keeper::restore(std::map<std::string, int>& stored) {
    fuse_fd_ = UniqueFd(stored.at("fuse"));
    init_ = UniqueFd(stored.at("fuse-init"));
    if (auto it = stored.find("control"); it != stored.end()) {
        stored_control_ = UniqueFd(it->second);
    }
    restore_seccomp(stored);
    fdstore_ = true;
    log_info("keeper: taking over the FUSE connection of {} from the service manager's store",
             o_.mountpoint);
    return Ok{};
}

Status Keeper::mount() {
    auto c = fuse::mount_connection(o_.mountpoint, o_.fuse_debug);
    if (!c) {
        return std::move(c).error();
    }
    connection_ = std::move(*c);
    // A fresh connection: the numbers an earlier mount gave host entries mean nothing now.
    ::unlink(mount_state_file(o_, "host-entries").c_str());
    init_ = UniqueFd(::memfd_create("lensfs-init", MFD_CLOEXEC));
    const std::string& init = connection_->init;
    if (!init_ ||
        ::pwrite(init_.get(), init.data(), init.size(), 0) != static_cast<ssize_t>(init.size())) {
        return make_error(errno, "keeping the INIT request");
    }
    return Ok{};
}

Status Keeper::open_control() {
    bool holds_socket = o_.control_socket && parent_dir(o_.socket) == o_.state_dir;
    if (Status st = ensure_state_dir(o_.state_dir, holds_socket); !st) {
        return st;
    }
    if (!o_.control_socket || stored_control_) {
        return Ok{};
    }
    auto group = resolve_group(o_.socket_group);
    if (!group) {
        return std::move(group).error();
    }
    auto listener = control::open_listener({o_.socket, *group});
    if (!listener) {
        return std::move(listener).error();
    }
    listener_ = std::move(*listener);
    return Ok{};
}

Status Keeper::setup() {
    auto stored = take_listen_fds();
    bool restored = stored.count("fuse") != 0 && stored.count("fuse-init") != 0;
    if (!restored) {
        for (auto& [name, fd] : stored) {
            ::close(fd);
        }
        if (Status st = preflight(o_.mountpoint); !st) {
            return st;
        }
    } else if (Status st = restore(stored); !st) {
        return st;
    }
    if (Status st = open_control(); !st) {
        return st;
    }
    if (Status st = open_seccomp(); !st) {
        return st;
    }
    if (!o_.foreground) {
        ready_ = detach();
    }
    return restored ? Ok{} : mount();
}

} // namespace lensfs::daemon::keeper_detail
