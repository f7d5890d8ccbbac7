#pragma once

#include <span>
#include <string_view>

#include "model/entry.hpp"

namespace lensfs {

/// The container boundary rule, shared by the daemon's registry and lensctl: a reader belongs
/// to the registered container whose cgroup is the longest one containing the reader's cgroup.

/// True when cgroup @p path is @p root or lies below it ("/a/b" is within "/a", "/ab" is not;
/// a relative or empty path is within nothing).
bool cgroup_within(std::string_view path, std::string_view root);

/// Of two entries registered with the same cgroup, whether @p a owns it rather than @p b: the
/// one that started last, then the greater id: an entry left behind by a container that never
/// unregistered does not shadow its successor.
bool owns_before(const Entry& a, const Entry& b);

/// The entry whose cgroup is the longest one containing @p cgroup (ties by owns_before), or
/// nullptr when none contains it.
const Entry* longest_containing(std::span<const Entry> entries, std::string_view cgroup);

} // namespace lensfs
