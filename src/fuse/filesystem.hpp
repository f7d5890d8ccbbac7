#pragma once

#include <functional>
#include <string>
#include <sys/types.h>

#include "fuse/context.hpp"
#include "view/engine.hpp"

namespace lensfs::fuse {

struct MountOptions {
    std::string mountpoint;
    bool foreground = true;
    bool fuse_debug = false;  ///< libfuse's own request trace
    unsigned max_threads = 8; ///< upper bound of FUSE worker threads
    Containers containers;    ///< the registered containers, for the per-container trees
    /// Whose view a reader gets; empty: its own container's (lensfs --view-of sets one).
    std::function<view::Container(pid_t)> resolve;
};

/// Mounts the views served by @p engine at options.mountpoint, serves until SIGINT/SIGTERM
/// (or an unmount), then unmounts. Returns a process exit code; failures are logged.
int serve(view::Engine& engine, const MountOptions& options);

} // namespace lensfs::fuse
