#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <sys/types.h>

#include "protocol/messages.hpp"
#include "registry/registry.hpp"
#include "util/result.hpp"
#include "view/engine.hpp"

namespace lensfs::daemon {

/// The group named @p name (or numbered); nullopt for an empty name.
Result<std::optional<gid_t>> resolve_group(const std::string& name);

/// Creates @p dir (missing parents 0755) and makes sure it is a directory, not a symlink,
/// owned by this user, mode 0700 (0711 when it also holds a control socket that a group may
/// use: its members must reach the socket, not list the directory). A wider mode is narrowed
/// and logged; another owner is an error.
Status ensure_state_dir(const std::string& dir, bool holds_socket = false);

/// Loads the registry; a state file that could not be used is one log line, never a failure.
void load_registry(Registry& registry);

/// Drops the entries whose cgroup is gone from every hierarchy and whose init pid (if any)
/// is gone too. Returns how many were dropped.
std::size_t prune_registry(Registry& registry, view::Engine& engine);

/// Adds the engine's counters to a status reply: reads per file, and the reads that fell
/// back to host values as errors "fallback.<file>".
void report_engine_counters(view::Engine& engine, DaemonStatus& status);

} // namespace lensfs::daemon
