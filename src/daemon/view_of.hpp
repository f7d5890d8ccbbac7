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
/// Without a registry of its own (@p serves_registry false: no control socket), id: is asked
/// of the service at @p socket, at most once a second.
std::function<view::Container(pid_t)> view_of_resolver(const ViewOf& v, view::Engine& engine,
                                                       Registry& registry, bool serves_registry,
                                                       const std::string& socket);

/// The registered containers as the per-container trees need them.
fuse::Containers containers_of(Registry& registry);

/// A file of the servers of the mount at options.mountpoint, in the state directory and
/// named after the mount point, so that mounts sharing a state directory (a debugging
/// --view-of mount beside the service) keep apart: "host-entries", "loadavg".
std::string mount_state_file(const Options& options, std::string_view name);

} // namespace lensfs::daemon
