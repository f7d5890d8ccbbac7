#include "cgroup/dir_cache.hpp"

#include <fcntl.h>
#include <sys/stat.h>

#include "util/file.hpp"

namespace lensfs::cgroup {

namespace {

// Cgroup paths are absolute; openat() wants them relative to the hierarchy root.
std::string_view relative(std::string_view path) {
    while (!path.empty() && path.front() == '/') {
        path.remove_prefix(1);
    }
    return path;
}

} // namespace

Status DirCache::read(int hierarchy, std::string_view path, const char* file, std::string& out) {
    // "<hierarchy>:<relative path>/<file>": the relative path is also the cache key, so it is
    // built once per read in a buffer reused by this thread.
    thread_local std::string key;
    std::string_view rel = relative(path);
    key.clear();
    key += static_cast<char>('0' + hierarchy);
    key += ':';
    key += rel;
    if (!rel.empty()) {
        key += '/';
    }
    key += file;
    const auto& h = layout_.hierarchies()[static_cast<std::size_t>(hierarchy)];
    const char* rel_file = key.c_str() + 2;
    Status st = h.kernel ? files_.read(h.dirfd.get(), key, rel_file, out)
                         : read_file_at(h.dirfd.get(), rel_file, out);
    if (!st) {
        return Error{st.error().code,
                     h.path + (rel.empty() ? "" : "/") + std::string(rel) + "/" + file};
    }
    return st;
}

bool DirCache::exists(int hierarchy, std::string_view path) const {
    const auto& h = layout_.hierarchies()[static_cast<std::size_t>(hierarchy)];
    std::string rel(relative(path));
    struct stat st {};
    return ::fstatat(h.dirfd.get(), rel.empty() ? "." : rel.c_str(), &st, 0) == 0 &&
           S_ISDIR(st.st_mode);
}

} // namespace lensfs::cgroup
