#pragma once

#include <functional>
#include <sys/types.h>

#include "fuse/host_tree.hpp"
#include "fuse/page_cache.hpp"
#include "view/engine.hpp"

struct fuse_session;

namespace lensfs::fuse {

/// What every FUSE callback reaches through the request's userdata.
struct Context {
    view::Engine& engine;
    fuse_session* session = nullptr;
    bool page_cache = true; ///< serve one open per file from the page cache (see PageCacheSlots)
    PageCacheSlots slots;
    HostTree host; ///< the host's /sys/devices/system/cpu, passed through
    std::function<view::Container(pid_t)> resolve; ///< empty: each reader's own container

    /// The container whose view the reader @p pid gets.
    view::Container container_of(pid_t pid) {
        return resolve ? resolve(pid) : engine.resolve_pid(pid);
    }
};

} // namespace lensfs::fuse
