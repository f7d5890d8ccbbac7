#pragma once

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

    /// The number of host entry @p rel, numbering it if it is new. ENOMEM when full.
    Result<std::uint32_t> local_of(std::string_view rel);
    /// The path of the host entry numbered @p local, if any.
    [[nodiscard]] std::optional<std::string> path_of(std::uint32_t local) const;
    [[nodiscard]] static bool owns(std::uint32_t local) { return local >= kFirstHostLocal; }

    /// lstat() of entry @p rel ("" is the directory itself).
    [[nodiscard]] Result<struct stat> stat(const std::string& rel) const;
    /// Opens entry @p rel for reading; refuses symlinks.
    [[nodiscard]] Result<UniqueFd> open(const std::string& rel, int flags) const;
    /// Reads the whole file @p rel into @p out; refuses symlinks.
    Status read(const std::string& rel, std::string& out) const;
    /// The target of symlink @p rel.
    [[nodiscard]] Result<std::string> readlink(const std::string& rel) const;

    /// One entry of a host directory.
    struct Entry {
        std::string name;
        unsigned char type = 0; ///< DT_* as the host reports it
    };
    /// The entries of directory @p rel ("" for the root), without "." and "..".
    [[nodiscard]] Result<std::vector<Entry>> list(const std::string& rel) const;

private:
    [[nodiscard]] const char* at(const std::string& rel) const;

    UniqueFd root_;
    mutable std::shared_mutex mutex_;
    std::unordered_map<std::string, std::uint32_t> locals_;
    std::deque<std::string> paths_; // paths_[local - kFirstHostLocal]
};

/// "parent/name", or @p name when @p parent is the root ("").
std::string join_path(std::string_view parent, std::string_view name);

} // namespace lensfs::fuse
