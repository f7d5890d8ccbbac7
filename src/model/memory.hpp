#pragma once

#include <cstdint>
#include <optional>

namespace lensfs {

/// A container's memory accounting, in bytes, normalised across cgroup v1 and v2.
/// Every field is optional: absent means "could not be read" or "not accounted".
struct MemoryStats {
    std::optional<std::uint64_t> limit;      ///< smallest memory limit on the path to the root
    std::optional<std::uint64_t> usage;      ///< current usage including page cache
    std::optional<std::uint64_t> swap_limit; ///< smallest swap-only limit on the path
    std::optional<std::uint64_t> swap_usage; ///< swap in use (not memory + swap)

    // memory.stat breakdown, hierarchical (v1 total_* keys, v2 keys as they are).
    std::optional<std::uint64_t> file;               ///< v1 total_cache, v2 file
    std::optional<std::uint64_t> anon;               ///< v1 total_rss, v2 anon
    std::optional<std::uint64_t> active_anon;
    std::optional<std::uint64_t> inactive_anon;
    std::optional<std::uint64_t> active_file;
    std::optional<std::uint64_t> inactive_file;
    std::optional<std::uint64_t> unevictable;
    std::optional<std::uint64_t> shmem;
    std::optional<std::uint64_t> mapped;             ///< v1 total_mapped_file, v2 file_mapped
    std::optional<std::uint64_t> dirty;              ///< v1 total_dirty, v2 file_dirty
    std::optional<std::uint64_t> writeback;          ///< v1 total_writeback, v2 file_writeback
    std::optional<std::uint64_t> slab;               ///< v2 slab
    std::optional<std::uint64_t> slab_reclaimable;   ///< v2 slab_reclaimable
    std::optional<std::uint64_t> slab_unreclaimable; ///< v2 slab_unreclaimable
};

} // namespace lensfs
