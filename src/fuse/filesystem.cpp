#include "fuse/filesystem.hpp"

#include <memory>
#include <string>
#include <sys/random.h>
#include <unistd.h>
#include <vector>

#include "fuse/context.hpp"
#include "fuse/ops.hpp"
#include "util/log.hpp"

namespace lensfs::fuse {

namespace {

// allow_other: every user and container reads the mount. default_permissions: the kernel
// checks the 0444/0555 modes itself, so no ACCESS round trips.
constexpr const char* kMountOptions =
    "allow_other,default_permissions,fsname=lensfs,subtype=lensfs";

struct SessionDeleter {
    void operator()(fuse_session* se) const { fuse_session_destroy(se); }
};
using SessionPtr = std::unique_ptr<fuse_session, SessionDeleter>;

struct LoopConfigDeleter {
    void operator()(fuse_loop_config* c) const { fuse_loop_cfg_destroy(c); }
};

// A tag for this process's file handles that a previous server's are unlikely to carry.
std::uint32_t handle_tag() {
    std::uint32_t tag = 0;
    if (::getrandom(&tag, sizeof(tag), 0) != sizeof(tag)) {
        tag = static_cast<std::uint32_t>(::getpid());
    }
    return tag | 1U;
}

int run_loop(fuse_session* se, const MountOptions& options) {
    std::unique_ptr<fuse_loop_config, LoopConfigDeleter> config(fuse_loop_cfg_create());
    if (!config || options.max_threads == 1) {
        return fuse_session_loop(se);
    }
    fuse_loop_cfg_set_max_threads(config.get(), options.max_threads);
    fuse_loop_cfg_set_idle_threads(config.get(), options.max_threads);
    fuse_loop_cfg_set_clone_fd(config.get(), 0);
    return fuse_session_loop_mt(se, config.get());
}

} // namespace

int serve(view::Engine& engine, const MountOptions& options) {
    std::vector<std::string> argv_store = {"lensfs", "-o", kMountOptions};
    if (options.fuse_debug) {
        argv_store.emplace_back("-d");
    }
    std::vector<char*> argv;
    for (auto& arg : argv_store) {
        argv.push_back(arg.data());
    }
    fuse_args args = FUSE_ARGS_INIT(static_cast<int>(argv.size()), argv.data());
    // fuse_session_new() may copy the arguments into memory that the caller frees.
    std::unique_ptr<fuse_args, void (*)(fuse_args*)> args_owner(&args, fuse_opt_free_args);
    Context context{engine, handle_tag()};
    context.containers = options.containers;
    context.resolve = options.resolve;
    SessionPtr se(fuse_session_new(&args, &lowlevel_ops(), sizeof(fuse_lowlevel_ops), &context));
    if (!se) {
        log_error("cannot create the FUSE session");
        return 1;
    }
    context.session = se.get();
    if (fuse_set_signal_handlers(se.get()) != 0) {
        log_error("cannot install signal handlers");
        return 1;
    }
    if (fuse_session_mount(se.get(), options.mountpoint.c_str()) != 0) {
        log_error("cannot mount on {} (see the message above)", options.mountpoint);
        fuse_remove_signal_handlers(se.get());
        return 1;
    }
    log_info("serving on {} ({} worker threads at most)", options.mountpoint, options.max_threads);
    if (!options.foreground && fuse_daemonize(0) != 0) {
        log_error("cannot detach from the terminal");
    }
    int rc = run_loop(se.get(), options);
    log_info("unmounting {}", options.mountpoint);
    fuse_session_unmount(se.get());
    fuse_remove_signal_handlers(se.get());
    // libfuse's loop returns the number of the signal that ended it: a clean stop.
    return rc >= 0 ? 0 : 1;
}

} // namespace lensfs::fuse
