#pragma once

// Shared by the files that implement the FUSE operations: ops.cpp dispatches each request to
// the fixed tree (ops_static.cpp), the passed-through host entries (ops_host.cpp) or the
// directory listings (listing.cpp).

#include <fuse_lowlevel.h>

#include <exception>
#include <new>
#include <optional>
#include <string>
#include <sys/stat.h>
#include <vector>

#include "fuse/context.hpp"
#include "fuse/tree.hpp"
#include "model/cpu.hpp"
#include "util/log.hpp"
#include "util/unique_fd.hpp"

namespace lensfs::fuse {

// The fixed tree never changes while mounted: let the kernel cache its names and attributes.
inline constexpr double kStaticTimeout = 86400.0;
// Host entries can come and go (CPU hotplug, cpufreq drivers): a short cache.
inline constexpr double kHostTimeout = 1.0;
// cpuN in the sys cpu directory means a different host CPU for each reader: never cached, so
// each path walk asks again with the walker's pid.
inline constexpr double kPerReaderTimeout = 0.0;

inline Context& context_of(fuse_req_t req) {
    return *static_cast<Context*>(fuse_req_userdata(req));
}

/// One open file: the text rendered at open (fixed tree), or the host file (pass-through).
struct OpenFile {
    std::string text;
    bool in_page_cache = false;
    UniqueFd host; ///< valid for pass-through files, read with pread()
};

/// One open directory: its entries, listed at opendir for the reader who opened it.
struct DirSnapshot {
    struct Entry {
        std::string name;
        std::uint64_t ino;
        mode_t type; ///< S_IF* bits
    };
    std::vector<Entry> entries;
};

/// Runs @p fn, which returns 0 after replying or an errno to reply with. Exceptions stop here.
template <typename Fn> void guarded(fuse_req_t req, const char* op, Fn&& fn) noexcept {
    int err = 0;
    try {
        err = fn();
    } catch (const std::bad_alloc&) {
        err = ENOMEM;
    } catch (const std::exception& e) {
        static RateLimit limit;
        log_warn_limited(limit, "{}: {}", op, e.what());
        err = EIO;
    } catch (...) {
        err = EIO;
    }
    if (err != 0) {
        fuse_reply_err(req, err);
    }
}

/// The host CPUs the reader of @p req sees; nullopt for a host reader, who sees the host's tree.
std::optional<CpuSet> reader_cpus(fuse_req_t req);

// The fixed tree (ops_static.cpp). Each returns 0 after replying, or an errno.
struct stat static_attributes(const Node& node, std::size_t size = 0);
int static_lookup(fuse_req_t req, const Node& node);
int static_getattr(fuse_req_t req, const Node& node, fuse_file_info* fi);
int static_open(fuse_req_t req, const Node& node, fuse_file_info* fi);

// Host entries (ops_host.cpp).
struct stat host_attributes(const struct stat& host, std::uint64_t ino);
int cpu_dir_lookup(fuse_req_t req, std::string_view name);
int host_lookup(fuse_req_t req, const std::string& rel, double entry_timeout);
int host_getattr(fuse_req_t req, std::uint64_t ino);
int host_open(fuse_req_t req, std::uint64_t ino, fuse_file_info* fi);
int host_readlink(fuse_req_t req, std::uint64_t ino);

// Directory listings (listing.cpp).
int list_static_dir(fuse_req_t req, const Node& dir, DirSnapshot& out);
int list_host_dir(fuse_req_t req, std::uint64_t ino, DirSnapshot& out);
int reply_dir_slice(fuse_req_t req, const DirSnapshot& dir, std::size_t size, off_t off);

/// A write-like request: the tree is read-only.
inline bool wants_write(int flags) {
    return (flags & O_ACCMODE) != O_RDONLY || (flags & O_TRUNC) != 0;
}

} // namespace lensfs::fuse
