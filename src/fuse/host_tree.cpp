#include "fuse/host_tree.hpp"

#include <cerrno>
#include <climits>
#include <dirent.h>
#include <fcntl.h>
#include <mutex>
#include <unistd.h>

#include "util/file.hpp"
#include "util/log.hpp"

namespace lensfs::fuse {

namespace {

constexpr std::size_t kListBuffer = 16384;

// Appends the records of one getdents64() buffer to @p out.
void parse_dirents(const char* buf, std::size_t len, std::vector<HostTree::Entry>& out) {
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

std::string join_path(std::string_view parent, std::string_view name) {
    std::string path;
    path.reserve(parent.size() + 1 + name.size());
    if (!parent.empty()) {
        path.append(parent);
        path.push_back('/');
    }
    path.append(name);
    return path;
}

HostTree::HostTree(const char* root) {
    if (auto fd = open_dir_at(AT_FDCWD, root)) {
        root_ = std::move(*fd);
    } else {
        log_warn("{}: {}; the sys cpu tree shows the CPU list files only", root,
                 fd.error().message());
    }
}

Result<std::uint32_t> HostTree::local_of(std::string_view rel) {
    std::string key(rel);
    {
        std::shared_lock lock(mutex_);
        if (auto it = locals_.find(key); it != locals_.end()) {
            return it->second;
        }
    }
    std::unique_lock lock(mutex_);
    if (auto it = locals_.find(key); it != locals_.end()) {
        return it->second;
    }
    if (paths_.size() >= kMaxEntries) {
        static RateLimit limit;
        log_warn_limited(limit, "sys cpu tree: more than {} host entries; refusing {}", kMaxEntries,
                         key);
        return make_error(ENOMEM, key);
    }
    auto local = static_cast<std::uint32_t>(kFirstHostLocal + paths_.size());
    paths_.push_back(key);
    locals_.emplace(std::move(key), local);
    return local;
}

std::optional<std::string> HostTree::path_of(std::uint32_t local) const {
    if (!owns(local)) {
        return std::nullopt;
    }
    std::shared_lock lock(mutex_);
    std::size_t index = local - kFirstHostLocal;
    if (index >= paths_.size()) {
        return std::nullopt;
    }
    return paths_[index];
}

const char* HostTree::at(const std::string& rel) const {
    return rel.empty() ? "." : rel.c_str();
}

Result<struct stat> HostTree::stat(const std::string& rel) const {
    struct stat st {};
    if (!root_) {
        return make_error(ENOENT, rel);
    }
    if (::fstatat(root_.get(), at(rel), &st, AT_SYMLINK_NOFOLLOW) != 0) {
        return make_error(errno, rel);
    }
    return st;
}

Result<UniqueFd> HostTree::open(const std::string& rel, int flags) const {
    if (!root_) {
        return make_error(ENOENT, rel);
    }
    UniqueFd fd(::openat(root_.get(), at(rel), flags | O_NOFOLLOW | O_CLOEXEC));
    if (!fd) {
        return make_error(errno, rel);
    }
    return fd;
}

Status HostTree::read(const std::string& rel, std::string& out) const {
    if (!root_) {
        return make_error(ENOENT, rel);
    }
    return read_file_at(root_.get(), at(rel), out);
}

Result<std::string> HostTree::readlink(const std::string& rel) const {
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

Result<std::vector<HostTree::Entry>> HostTree::list(const std::string& rel) const {
    auto dir = open(rel, O_RDONLY | O_DIRECTORY);
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

} // namespace lensfs::fuse
