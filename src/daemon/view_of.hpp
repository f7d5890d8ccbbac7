#pragma once

#include <functional>
#include <string>
#include <sys/types.h>

#include "daemon/options.hpp"
#include "fuse/context.hpp"
#include "registry/registry.hpp"
#include "view/engine.hpp"

namespace lensfs::daemon {

/// --view-of: whom every reader of the shared tree sees. A pid or id is looked up at each
/// open, so the view follows the process or the registered container; when it is gone the
/// reader gets the host's view. Empty without --view-of (each reader its own container).
std::function<view::Container(pid_t)> view_of_resolver(const ViewOf& v, view::Engine& engine,
                                                       Registry& registry);

/// The registered containers as the per-container trees need them.
fuse::Containers containers_of(Registry& registry);

/// Where the servers of the mount at options.mountpoint keep the numbers of host entries:
/// a file in the state directory named after the mount point.
std::string host_numbers_file(const Options& options);

} // namespace lensfs::daemon
