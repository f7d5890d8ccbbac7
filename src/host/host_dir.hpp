#pragma once

#include <string>
#include <string_view>
#include <sys/stat.h>
#include <sys/types.h>
#include <vector>

#include "util/result.hpp"
#include "util/unique_fd.hpp"

namespace lensfs::host {

/// A directory of the host (/sys/devices/system/cpu for the mount's sys tree) opened once;
/// every entry is reached below it by a relative path ("cpu1/topology/core_id", "" for the
/// directory itself) and never through a symlink. When the directory could not be opened,
/// every call fails with ENOENT. Thread-safe: immutable after open().
class HostDir {
public:
    HostDir() = default;
    /// Opens directory @p path.
    static Result<HostDir> open(const char* path);

    [[nodiscard]] bool is_open() const { return static_cast<bool>(root_); }

    /// lstat() of entry @p rel.
    [[nodiscard]] Result<struct stat> stat(const std::string& rel) const;
    /// Opens entry @p rel with @p flags (O_NOFOLLOW and O_CLOEXEC added).
    [[nodiscard]] Result<UniqueFd> open_entry(const std::string& rel, int flags) const;
    /// Reads the whole file @p rel into @p out.
    Status read(const std::string& rel, std::string& out) const;
    /// The target of symlink @p rel.
    [[nodiscard]] Result<std::string> readlink(const std::string& rel) const;

    /// One entry of a directory.
    struct Entry {
        std::string name;
        unsigned char type = 0; ///< DT_* as the host reports it
    };
    /// The entries of directory @p rel, without "." and "..".
    [[nodiscard]] Result<std::vector<Entry>> list(const std::string& rel) const;

private:
    explicit HostDir(UniqueFd root) : root_(std::move(root)) {}
    [[nodiscard]] const char* at(const std::string& rel) const;

    UniqueFd root_;
};

/// The host's file at @p path below / ("sys/devices/system/cpu/online"), read whole into
/// @p out.
Status read_host_file(std::string_view path, std::string& out);

/// Up to @p size bytes at @p off of a file opened with HostDir::open_entry(), into @p out
/// (which holds what was read, and grows no larger than that).
Status read_at(const UniqueFd& fd, std::size_t size, off_t off, std::string& out);

} // namespace lensfs::host
