#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

#include "model/container.hpp"
#include "model/entry.hpp"
#include "util/result.hpp"

namespace lensfs {

/// Most containers the registry holds; one more is refused with ENOSPC.
inline constexpr std::size_t kMaxEntries = 16384;
/// Largest state file written or read; a change that would exceed it is refused with ENOSPC.
inline constexpr std::size_t kMaxStateBytes = 64u << 20;

/// The container start-time table, persisted in <state_dir>/registry.json (format in
/// registry/state_file.hpp).
///
/// Thread-safe. Readers (get, list, size, longest_containing) take a shared lock only and are
/// never blocked by disk I/O: a writer serialises against other writers, persists the new
/// table first, and takes the exclusive lock only to swap it in. So every change is on disk
/// before it is visible, and a change that could not be persisted is never visible at all.
class Registry {
public:
    explicit Registry(std::string state_dir);

    /// Replaces the table with the state file's content. A missing file gives an empty table.
    /// A file that cannot be used at all is renamed to registry.json.corrupt-<unix-seconds>
    /// and the table is left empty; invalid single entries are dropped. Both return an Error
    /// (EBADMSG) whose context says what happened, for one log line; the table is usable
    /// either way.
    Status load();

    /// Adds @p entry, or replaces the entry with the same id. Validates it (EINVAL, E2BIG) and
    /// persists before returning; on failure nothing changes.
    Status upsert(Entry entry);

    /// Removes the entry @p id: ENOENT "no container with id '...'" when there is none.
    Status remove(std::string_view id);

    [[nodiscard]] std::optional<Entry> get(std::string_view id) const;
    /// All entries, ordered by id.
    [[nodiscard]] std::vector<Entry> list() const;
    [[nodiscard]] std::size_t size() const;

    /// The entry with slot @p slot (Entry::slot).
    [[nodiscard]] std::optional<ContainerRecord> by_slot(std::uint64_t slot) const;

    /// The entry whose cgroup is the longest path prefix of @p cgroup on a component boundary:
    /// "/a/b" contains "/a/b" and "/a/b/c" but not "/a/bc"; "/" contains every path. When
    /// several entries share that cgroup, the one that started last wins (then the greatest
    /// id), so a stale entry never shadows its successor. One map lookup per path component.
    [[nodiscard]] std::optional<ContainerRecord> longest_containing(std::string_view cgroup) const;

    /// Drops every entry for which @p is_gone returns true, persists if anything changed, and
    /// returns how many were dropped. @p is_gone runs without the reader lock held, so it may
    /// do I/O. If persisting fails the entries are still dropped in memory (they are gone,
    /// and the next load prunes them again) and the failure is logged.
    std::size_t prune(const std::function<bool(const Entry&)>& is_gone);

    /// Path of the state file.
    [[nodiscard]] const std::string& state_path() const { return path_; }

private:
    struct Table {
        EntryMap by_id;
        std::map<std::string, std::string, std::less<>> id_by_cgroup;
        std::map<std::uint64_t, std::string> id_by_slot;
    };

    static Table make_table(EntryMap entries);
    /// Gives every entry without a slot the next free one. False when slots ran out.
    bool assign_slots(EntryMap& entries);
    Status persist(const EntryMap& entries) const;
    Status commit(EntryMap next);
    void install(EntryMap entries);
    Error set_aside(std::string_view why, std::string_view outcome);

    std::string path_;
    std::mutex write_mu_;          ///< held by writers for a whole change, I/O included
    mutable std::shared_mutex mu_; ///< guards table_; held exclusively only to swap
    Table table_;
    std::uint64_t next_slot_ = 1; ///< guarded by write_mu_
};

} // namespace lensfs
