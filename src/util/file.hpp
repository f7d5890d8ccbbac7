#pragma once

#include <cstddef>
#include <string>

#include "util/result.hpp"
#include "util/unique_fd.hpp"

namespace lensfs {

/// Largest file the readers accept; accounting and /proc files are far smaller.
inline constexpr std::size_t kMaxFileSize = 4u << 20;

/// Opens directory @p path relative to @p dirfd (AT_FDCWD for absolute paths) as an O_PATH fd,
/// suitable as the base of later openat() calls.
Result<UniqueFd> open_dir_at(int dirfd, const char* path);
/// An O_PATH descriptor of @p path below @p dirfd, with @p flags added (O_DIRECTORY,
/// O_NOFOLLOW); the error names @p path.
Result<UniqueFd> open_path_at(int dirfd, const char* path, int flags);

/// Reads the whole file @p name relative to @p dirfd into @p out, reusing its capacity.
/// Refuses symlinks in the last component and files over @p limit bytes (EFBIG).
Status read_file_at(int dirfd, const char* name, std::string& out,
                    std::size_t limit = kMaxFileSize);

/// Reads the whole file behind the open @p fd from offset 0 with pread(), reusing @p out's
/// capacity. On procfs and cgroupfs files this makes the kernel generate fresh content, so
/// a file can stay open and be read again and again; a short read is the end of the file.
/// @p name is used in error messages.
Status pread_all(int fd, const char* name, std::string& out, std::size_t limit = kMaxFileSize);

/// Reads a whole regular file by path (EINVAL for a FIFO, device or directory; symlinks in
/// the last component refused; never blocks on opening). For cold paths: start-up, state
/// files, CLI, tests.
Result<std::string> read_file(const std::string& path, std::size_t limit = kMaxFileSize);

/// The directory part of @p path ("." when it has none, "/" for a file in the root).
std::string parent_dir(const std::string& path);

/// Writes @p data to @p path atomically with mode @p mode: a new temporary file of a random
/// name in the same directory (created with O_EXCL, so never a file someone planted), fsync,
/// rename over @p path, fsync of the directory.
Status write_file_atomic(const std::string& path, std::string_view data, unsigned mode = 0600);

} // namespace lensfs
