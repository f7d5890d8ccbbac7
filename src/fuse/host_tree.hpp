#pragma once

#include <cerrno>
#include <cstdint>
#include <deque>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <sys/stat.h>
#include <unordered_map>
#include <vector>

#include "fuse/node_id.hpp"
#include "host/host_dir.hpp"
#include "util/result.hpp"
#include "util/unique_fd.hpp"

namespace lensfs::fuse {

/// The host's /sys/devices/system/cpu, whose entries the mount passes through, and the
/// numbers given to them (the `local` part of their inode numbers, see fuse/node_id.hpp).
///
/// Entries are named by their path relative to the host directory ("cpu1/topology/core_id").
/// An entry gets its number the first time it is seen on the host and keeps it for the
/// daemon's lifetime, so every reader and every name it is reached by (a container's cpu0 may
/// be the host's cpu1) agree on it. Only entries that exist on the host are numbered, and the
/// host's directory is finite (a few hundred entries per possible CPU), so the table stays
/// bounded; kMaxEntries is a backstop against a misbehaving host.
class HostTree {
public:
    static constexpr std::size_t kMaxEntries = std::size_t{1} << 20;

    HostTree() : HostTree("/sys/devices/system/cpu") {}
    /// Opens the host directory @p root. If it cannot be opened the host has no entries.
    explicit HostTree(const char* root);

    /// Keeps the numbering in @p path, shared with the other servers of the same mount: the
    /// numbers found there are taken, and every new number is appended (under an exclusive
    /// lock, after reading what others appended), so that a server that takes the
    /// connection over gives every entry the number the kernel already knows. Without it
    /// (or when the file cannot be used, which is logged) numbers live in this process only.
    void persist_numbers(const std::string& path);

    /// The number of host entry @p rel, numbering it if it is new. ENOMEM when full.
    Result<std::uint32_t> local_of(std::string_view rel);
    /// The path of the host entry numbered @p local, if any.
    /// Not const: a number another server gave since is read from the shared file.
    [[nodiscard]] std::optional<std::string> path_of(std::uint32_t local);
    /// Calls @p op(path) for the host entry numbered @p local and returns its errno; ENOENT
    /// when there is no such entry.
    template <typename Op> int with_path(std::uint32_t local, Op&& op) {
        auto rel = path_of(local);
        return rel ? op(*rel) : ENOENT;
    }
    [[nodiscard]] static bool owns(std::uint32_t local) { return local >= kFirstHostLocal; }

    /// The host directory itself, for stat(), open_entry(), read(), readlink() and list() of
    /// entries by path.
    [[nodiscard]] const host::HostDir& dir() const { return dir_; }

private:
    host::HostDir dir_;
    mutable std::shared_mutex mutex_;
    void take_lines(std::string_view text);
    void read_new_lines();
    Result<std::uint32_t> add(std::string key);

    std::unordered_map<std::string, std::uint32_t> locals_;
    std::unordered_map<std::uint32_t, std::string> paths_;
    std::uint32_t next_ = kFirstHostLocal;
    UniqueFd numbers_;             ///< the shared numbering file, open for appending
    std::size_t numbers_read_ = 0; ///< bytes of it taken so far
};

/// "parent/name", or @p name when @p parent is the root ("").
std::string join_path(std::string_view parent, std::string_view name);

} // namespace lensfs::fuse
