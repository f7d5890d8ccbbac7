#include "host/host_dir.hpp"

#include <algorithm>
#include <cerrno>
#include <climits>
#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <fmt/format.h>

#include "util/file.hpp"

namespace lensfs::host {

namespace {

constexpr std::size_t kListBuffer = 16384;

// Appends the records of one getdents64() buffer to @p out.
void parse_dirents(const char* buf, std::size_t len, std::vector<HostDir::Entry>& out) {
    std::size_t pos = 0;
    while (pos < len) {
        const auto* d = reinterpret_cast<const struct dirent64*>(buf + pos);
        std::string_view name(d->d_name);
        if (name != "." && name != "..") {
            out.push_back({std::string(name), d->d_type});
        }
        pos += d->d_reclen;
    }
}

} // namespace

Result<HostDir> HostDir::open(const char* path) {
    auto fd = open_dir_at(AT_FDCWD, path);
    if (!fd) {
        return std::move(fd).error();
    }
    return HostDir(std::move(*fd));
}

const char* HostDir::at(const std::string& rel) const {
    return rel.empty() ? "." : rel.c_str();
}

Result<struct stat> HostDir::stat(const std::string& rel) const {
    struct stat st {};
    if (!root_) {
        return make_error(ENOENT, rel);
    }
    if (::fstatat(root_.get(), at(rel), &st, AT_SYMLINK_NOFOLLOW) != 0) {
        return make_error(errno, rel);
    }
    return st;
}

Result<UniqueFd> HostDir::open_entry(const std::string& rel, int flags) const {
    if (!root_) {
        return make_error(ENOENT, rel);
    }
    UniqueFd fd(::openat(root_.get(), at(rel), flags | O_NOFOLLOW | O_CLOEXEC));
    if (!fd) {
        return make_error(errno, rel);
    }
    return fd;
}

Status HostDir::read(const std::string& rel, std::string& out) const {
    if (!root_) {
        return make_error(ENOENT, rel);
    }
    return read_file_at(root_.get(), at(rel), out);
}

Result<std::string> HostDir::readlink(const std::string& rel) const {
    if (!root_) {
        return make_error(ENOENT, rel);
    }
    std::string target(PATH_MAX, '\0');
    ssize_t n = ::readlinkat(root_.get(), at(rel), target.data(), target.size());
    if (n < 0) {
        return make_error(errno, rel);
    }
    target.resize(static_cast<std::size_t>(n));
    return target;
}

Result<std::vector<HostDir::Entry>> HostDir::list(const std::string& rel) const {
    auto dir = open_entry(rel, O_RDONLY | O_DIRECTORY);
    if (!dir) {
        return std::move(dir).error();
    }
    std::vector<Entry> entries;
    std::vector<char> buf(kListBuffer);
    for (;;) {
        ssize_t n = ::getdents64(dir->get(), buf.data(), buf.size());
        if (n < 0) {
            return make_error(errno, rel);
        }
        if (n == 0) {
            return entries;
        }
        parse_dirents(buf.data(), static_cast<std::size_t>(n), entries);
    }
}

Status read_host_file(std::string_view path, std::string& out) {
    // A stack buffer: the CPU list fallback reads the host's online file on the read path.
    char absolute[PATH_MAX];
    auto end = fmt::format_to_n(absolute, sizeof(absolute) - 1, "/{}", path);
    *end.out = '\0';
    return read_file_at(AT_FDCWD, absolute, out);
}

Status read_at(const UniqueFd& fd, std::size_t size, off_t off, std::string& out) {
    // Through a stack buffer, so that @p out grows to what the file holds (a few bytes for
    // most of /sys) rather than to what the reader asked for (cat asks for 128 KiB): @p out is
    // usually a worker thread's buffer, kept for the thread's life.
    char chunk[4096];
    out.clear();
    while (out.size() < size) {
        std::size_t want = std::min(sizeof(chunk), size - out.size());
        ssize_t n = ::pread(fd.get(), chunk, want, off + static_cast<off_t>(out.size()));
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            int code = errno;
            out.clear();
            return make_error(code, "pread");
        }
        out.append(chunk, static_cast<std::size_t>(n));
        if (static_cast<std::size_t>(n) < want) {
            break; // the end of the file
        }
    }
    return Ok{};
}

} // namespace lensfs::host
