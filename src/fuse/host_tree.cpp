#include "fuse/host_tree.hpp"

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>
#include <fcntl.h>
#include <mutex>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/file.hpp"
#include "util/log.hpp"
#include "util/parse.hpp"

#include <fmt/format.h>

namespace lensfs::fuse {

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
    if (auto dir = host::HostDir::open(root)) {
        dir_ = std::move(*dir);
    } else {
        log_warn("{}: {}; the sys cpu tree shows the CPU list files only", root,
                 dir.error().message());
    }
}

// One line per entry: "<number> <path>\n". Lines that do not parse are skipped.
void HostTree::take_lines(std::string_view text) {
    while (!text.empty()) {
        auto nl = text.find('\n');
        if (nl == std::string_view::npos) {
            break; // a line still being written
        }
        std::string_view line = text.substr(0, nl);
        text.remove_prefix(nl + 1);
        numbers_read_ += nl + 1;
        auto [number, path] = split_first(line, ' ');
        auto local = parse_u64(number);
        if (!local || *local < kFirstHostLocal || *local > 0xffffffffU || path.empty() ||
            locals_.count(std::string(path)) != 0 ||
            paths_.count(static_cast<std::uint32_t>(*local)) != 0) {
            continue;
        }
        auto l = static_cast<std::uint32_t>(*local);
        locals_.emplace(std::string(path), l);
        paths_.emplace(l, std::string(path));
        next_ = std::max(next_, l + 1);
    }
}

void HostTree::read_new_lines() {
    std::string text;
    if (!numbers_ || !pread_all(numbers_.get(), "host entry numbers", text)) {
        return;
    }
    if (text.size() > numbers_read_) {
        take_lines(std::string_view(text).substr(numbers_read_));
    }
}

void HostTree::persist_numbers(const std::string& path) {
    UniqueFd fd(::open(path.c_str(),
                       O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK, 0600));
    struct stat st {};
    if (!fd || ::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode) || st.st_uid != ::geteuid()) {
        log_warn("{}: cannot keep the sys cpu tree's numbers there ({}); they will differ "
                 "after a server restart",
                 path, fd ? "not a regular file of ours" : std::strerror(errno));
        return;
    }
    std::unique_lock lock(mutex_);
    numbers_ = std::move(fd);
    ::flock(numbers_.get(), LOCK_SH);
    read_new_lines();
    ::flock(numbers_.get(), LOCK_UN);
}

Result<std::uint32_t> HostTree::add(std::string key) {
    if (numbers_) {
        ::flock(numbers_.get(), LOCK_EX);
        read_new_lines();
        if (auto it = locals_.find(key); it != locals_.end()) {
            ::flock(numbers_.get(), LOCK_UN);
            return it->second;
        }
    }
    if (paths_.size() >= kMaxEntries || next_ == 0) {
        if (numbers_) {
            ::flock(numbers_.get(), LOCK_UN);
        }
        static RateLimit limit;
        log_warn_limited(limit, "sys cpu tree: more than {} host entries; refusing {}", kMaxEntries,
                         key);
        return make_error(ENOMEM, key);
    }
    std::uint32_t local = next_++;
    if (numbers_) {
        std::string line = fmt::format("{} {}\n", local, key);
        if (::write(numbers_.get(), line.data(), line.size()) ==
            static_cast<ssize_t>(line.size())) {
            numbers_read_ += line.size();
        }
        ::flock(numbers_.get(), LOCK_UN);
    }
    paths_.emplace(local, key);
    locals_.emplace(std::move(key), local);
    return local;
}

Result<std::uint32_t> HostTree::local_of(std::string_view rel) {
    std::string key(rel);
    {
        std::shared_lock lock(mutex_);
        if (auto it = locals_.find(key); it != locals_.end()) {
            return it->second;
        }
    }
    if (key.find('\n') != std::string::npos) {
        return make_error(EINVAL, "a host entry name with a newline");
    }
    std::unique_lock lock(mutex_);
    if (auto it = locals_.find(key); it != locals_.end()) {
        return it->second;
    }
    return add(std::move(key));
}

std::optional<std::string> HostTree::path_of(std::uint32_t local) {
    if (!owns(local)) {
        return std::nullopt;
    }
    {
        std::shared_lock lock(mutex_);
        if (auto it = paths_.find(local); it != paths_.end()) {
            return it->second;
        }
        if (!numbers_) {
            return std::nullopt;
        }
    }
    std::unique_lock lock(mutex_);
    ::flock(numbers_.get(), LOCK_SH);
    read_new_lines();
    ::flock(numbers_.get(), LOCK_UN);
    auto it = paths_.find(local);
    return it == paths_.end() ? std::nullopt : std::optional<std::string>(it->second);
}

} // namespace lensfs::fuse
