#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string_view>
#include <sys/types.h>
#include <vector>

#include "fuse/handles.hpp"
#include "fuse/host_tree.hpp"
#include "model/container.hpp"
#include "view/engine.hpp"

struct fuse_session;

namespace lensfs::fuse {

/// The registered containers, as the per-container trees need them. Wired by the daemon to
/// its registry; empty functions mean no container is registered.
struct Containers {
    std::function<std::optional<ContainerRecord>(std::uint64_t slot)> by_slot;
    std::function<std::optional<ContainerRecord>(std::string_view id)> by_id;
    std::function<std::vector<ContainerRecord>()> list;
};

/// What every FUSE callback reaches through the request's userdata.
struct Context {
    Context(view::Engine& e, std::uint32_t handle_tag) : engine(e), handles(handle_tag) {}

    view::Engine& engine;
    fuse_session* session = nullptr;
    Containers containers;
    HostTree host; ///< the host's /sys/devices/system/cpu, passed through
    HandleTable handles;
    PageSizes page_sizes;
    /// Set by --view-of: every reader of the shared tree gets this view; empty: each reader
    /// its own container's.
    std::function<view::Container(pid_t)> resolve;

    /// The container whose view the reader @p pid gets on the shared tree.
    view::Container container_of(pid_t pid) {
        return resolve ? resolve(pid) : engine.resolve_pid(pid);
    }
    /// Whether files of the shared tree differ from reader to reader.
    [[nodiscard]] bool per_reader() const { return !resolve; }
};

} // namespace lensfs::fuse
