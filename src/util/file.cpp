#include "util/file.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <fcntl.h>
#include <fmt/format.h>
#include <string_view>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>
#include <utility>

#include "util/clock.hpp"

namespace lensfs {

Result<UniqueFd> open_dir_at(int dirfd, const char* path) {
    return open_path_at(dirfd, path, O_DIRECTORY);
}

Result<UniqueFd> open_path_at(int dirfd, const char* path, int flags) {
    int fd = ::openat(dirfd, path, O_PATH | O_CLOEXEC | flags);
    if (fd < 0) {
        return make_error(errno, path);
    }
    return UniqueFd(fd);
}

namespace {

// Reads until EOF. procfs and cgroupfs may return short reads before the end.
Status read_all(int fd, const char* name, std::string& out, std::size_t limit) {
    out.clear();
    std::size_t used = 0;
    for (;;) {
        if (out.size() - used < 1024) {
            out.resize(used + (used < 4096 ? 4096 : used));
        }
        std::size_t room = out.size() - used;
        ssize_t n = ::read(fd, out.data() + used, room);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            out.clear();
            return make_error(errno, name);
        }
        if (n == 0) {
            break;
        }
        used += static_cast<std::size_t>(n);
        if (used > limit) {
            out.clear();
            return make_error(EFBIG, name);
        }
    }
    out.resize(used);
    return Ok{};
}

} // namespace

Status read_file_at(int dirfd, const char* name, std::string& out, std::size_t limit) {
    UniqueFd fd(::openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY));
    if (!fd) {
        out.clear();
        return make_error(errno, name);
    }
    return read_all(fd.get(), name, out, limit);
}

Status pread_all(int fd, const char* name, std::string& out, std::size_t limit) {
    constexpr std::size_t kFirstRead = 16384;
    out.resize(std::max(out.capacity(), kFirstRead));
    std::size_t used = 0;
    for (;;) {
        ssize_t n = ::pread(fd, out.data() + used, out.size() - used, static_cast<off_t>(used));
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            out.clear();
            return make_error(errno, name);
        }
        used += static_cast<std::size_t>(n);
        if (used < out.size()) {
            break; // short read: the end
        }
        if (used > limit) {
            out.clear();
            return make_error(EFBIG, name);
        }
        out.resize(out.size() * 2);
    }
    out.resize(used);
    return Ok{};
}

Result<std::string> read_file(const std::string& path, std::size_t limit) {
    // O_NONBLOCK: a FIFO planted in place of a state file must not hang the reader; it is
    // refused below as not a regular file.
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK));
    if (!fd) {
        return make_error(errno, path);
    }
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0) {
        return make_error(errno, path);
    }
    if (!S_ISREG(st.st_mode)) {
        return Error{EINVAL, path + ": not a regular file"};
    }
    std::string out;
    if (Status read = read_all(fd.get(), path.c_str(), out, limit); !read) {
        return Error{read.error().code, path};
    }
    return out;
}

namespace {

Status write_all(int fd, std::string_view data, const std::string& path) {
    while (!data.empty()) {
        ssize_t n = ::write(fd, data.data(), data.size());
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return make_error(errno, path);
        }
        data.remove_prefix(static_cast<std::size_t>(n));
    }
    return Ok{};
}

} // namespace

std::string parent_dir(const std::string& path) {
    auto slash = path.rfind('/');
    if (slash == std::string::npos) {
        return ".";
    }
    return slash == 0 ? "/" : path.substr(0, slash);
}

namespace {

// A name for the temporary file next to @p path that nobody can have guessed.
std::string temporary_name(const std::string& path) {
    std::uint64_t random = 0;
    if (::getrandom(&random, sizeof random, GRND_NONBLOCK) != sizeof random) {
        random = static_cast<std::uint64_t>(monotonic_ms()) * 0x9e3779b97f4a7c15ULL ^
                 (static_cast<std::uint64_t>(::getpid()) << 32);
    }
    return fmt::format("{}.tmp.{:016x}", path, random);
}

// Creates a new temporary file for @p path: O_EXCL and O_NOFOLLOW make sure it is a file this
// call created, not a link, FIFO or file someone planted under a name they guessed.
Result<std::pair<UniqueFd, std::string>> create_temporary(const std::string& path, unsigned mode) {
    constexpr int kAttempts = 8;
    int error = EEXIST;
    for (int i = 0; i < kAttempts && error == EEXIST; ++i) {
        std::string tmp = temporary_name(path);
        UniqueFd fd(
            ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode));
        if (fd) {
            return std::pair{std::move(fd), std::move(tmp)};
        }
        error = errno;
    }
    return make_error(error, path + ".tmp.*");
}

} // namespace

Status write_file_atomic(const std::string& path, std::string_view data, unsigned mode) {
    auto created = create_temporary(path, mode);
    if (!created) {
        return std::move(created).error();
    }
    auto& [fd, tmp] = *created;
    Status st = write_all(fd.get(), data, tmp);
    // The mode asked for, whatever the umask.
    if (st && ::fchmod(fd.get(), mode) != 0) {
        st = make_error(errno, tmp);
    }
    if (st && ::fsync(fd.get()) != 0) {
        st = make_error(errno, tmp);
    }
    fd.reset();
    // rename() replaces whatever is at @p path (a planted symlink itself, not its target).
    if (st && ::rename(tmp.c_str(), path.c_str()) != 0) {
        st = make_error(errno, path);
    }
    if (!st) {
        ::unlink(tmp.c_str());
        return st;
    }
    UniqueFd dir(::open(parent_dir(path).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (dir && ::fsync(dir.get()) != 0) {
        return make_error(errno, parent_dir(path));
    }
    return Ok{};
}

} // namespace lensfs
