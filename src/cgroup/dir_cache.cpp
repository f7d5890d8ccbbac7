#include "cgroup/dir_cache.hpp"

#include <fcntl.h>
#include <functional>
#include <sys/stat.h>

#include "util/file.hpp"

namespace lensfs::cgroup {

namespace {

// Cgroup paths are absolute; openat() wants them relative to the hierarchy root.
std::string relative(std::string_view path) {
    while (!path.empty() && path.front() == '/') {
        path.remove_prefix(1);
    }
    return path.empty() ? std::string(".") : std::string(path);
}

bool is_removed(int fd) {
    struct stat st {};
    return ::fstat(fd, &st) != 0 || st.st_nlink == 0;
}

} // namespace

Result<std::shared_ptr<UniqueFd>> DirCache::lookup(int hierarchy, std::string_view path,
                                                   bool fresh) {
    std::string key;
    key.reserve(path.size() + 4);
    key += static_cast<char>('0' + hierarchy);
    key += path;
    Shard& shard = shards_[std::hash<std::string>{}(key) % kShards];
    if (!fresh) {
        std::lock_guard lock(shard.mutex);
        if (auto it = shard.fds.find(key); it != shard.fds.end()) {
            return it->second;
        }
    }
    const auto& h = layout_.hierarchies()[static_cast<std::size_t>(hierarchy)];
    auto fd = open_dir_at(h.dirfd.get(), relative(path).c_str());
    if (!fd) {
        std::lock_guard lock(shard.mutex);
        shard.fds.erase(key);
        return Error{fd.error().code, h.path + std::string(path)};
    }
    auto shared = std::make_shared<UniqueFd>(std::move(*fd));
    std::lock_guard lock(shard.mutex);
    if (shard.fds.size() >= kMaxPerShard) {
        shard.fds.clear();
    }
    shard.fds[key] = shared;
    return shared;
}

Status DirCache::read(int hierarchy, std::string_view path, const char* file, std::string& out) {
    for (bool fresh : {false, true}) {
        auto dir = lookup(hierarchy, path, fresh);
        if (!dir) {
            return std::move(dir).error();
        }
        Status st = read_file_at((*dir)->get(), file, out);
        // ENOENT may mean the file does not exist here, or that the cached directory was
        // removed and re-created since: only the second case is worth a retry.
        if (st || st.error().code != ENOENT || fresh || !is_removed((*dir)->get())) {
            if (!st) {
                const auto& h = layout_.hierarchies()[static_cast<std::size_t>(hierarchy)];
                return Error{st.error().code, h.path + std::string(path) + "/" + file};
            }
            return st;
        }
    }
    return Error{ENOENT, file};
}

bool DirCache::exists(int hierarchy, std::string_view path) {
    auto dir = lookup(hierarchy, path, false);
    if (dir && !is_removed((*dir)->get())) {
        return true;
    }
    return static_cast<bool>(lookup(hierarchy, path, true));
}

} // namespace lensfs::cgroup
