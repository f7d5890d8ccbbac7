#pragma once

// Shared by the files that implement the FUSE operations: ops.cpp dispatches each request by
// what its inode names: a node of the template tree (nodes.cpp), a host entry of the sys cpu
// directory (ops_host.cpp), an open file (files.cpp) or a directory listing (listing.cpp).

#include <fuse_lowlevel.h>

#include <exception>
#include <new>
#include <optional>
#include <string>
#include <sys/stat.h>
#include <vector>

#include "fuse/context.hpp"
#include "fuse/node_id.hpp"
#include "fuse/tree.hpp"
#include "model/cpu.hpp"
#include "util/boundary.hpp"
#include "util/log.hpp"
#include "util/result.hpp"

namespace lensfs::fuse {

// The template never changes while mounted: let the kernel cache its names and attributes.
inline constexpr double kStaticTimeout = 86400.0;
// Host entries can come and go (CPU hotplug, cpufreq drivers): a short cache. The same for
// the names under containers/ (registrations come and go) and a container's cpuN entries
// (its cpuset may change).
inline constexpr double kShortTimeout = 1.0;
// cpuN in the shared tree's sys cpu directory means a different host CPU for each reader:
// never cached, so each path walk asks again with the walker's pid.
inline constexpr double kPerReaderTimeout = 0.0;

/// The size rendered files report, as sysfs attributes do: their text differs from read to
/// read, and procfs's 0 would make page-cache readers (sendfile) see an empty file.
inline constexpr off_t kRenderedSize = 4096;

inline Context& context_of(fuse_req_t req) {
    return *static_cast<Context*>(fuse_req_userdata(req));
}

/// Runs @p fn, which returns 0 after replying or an errno to reply with. Exceptions stop here.
template <typename Fn> void guarded(fuse_req_t req, const char* op, Fn&& fn) noexcept {
    int err = at_boundary(fn, [op](const Error& e) {
        if (e.code != ENOMEM) {
            static RateLimit limit;
            log_warn_limited(limit, "{}: {}", op, e.context);
        }
        return e.code;
    });
    if (err != 0) {
        fuse_reply_err(req, err);
    }
}

/// Whose view a request on one tree shows.
struct Viewer {
    view::Container container;
    /// The shared tree, where each reader gets its own view: what one reader is shown must
    /// never reach another through the kernel's caches of the inode.
    bool per_reader = false;
    std::uint64_t slot = 0; ///< per-container tree: the registry slot
};

/// The viewer of a request on tree @p tree: the reader's container on the shared tree, the
/// registered container on a per-container tree (ENOENT once it is unregistered).
Result<Viewer> viewer_for(fuse_req_t req, std::uint64_t tree);

/// The host CPUs @p viewer sees; nullopt for a host reader, who sees the host's tree.
std::optional<CpuSet> visible_cpus_of(Context& cx, const Viewer& viewer);

/// Whether @p tree is a live tree: the shared tree, or a registered container's.
bool tree_exists(Context& cx, std::uint64_t tree);

// Template nodes (nodes.cpp). Each returns 0 after replying, or an errno.
struct stat node_attributes(const Node& node, std::uint64_t ino);
int node_lookup(fuse_req_t req, NodeId parent, const Node& dir, std::string_view name);
int node_getattr(fuse_req_t req, NodeId id, const Node& node);

// Host entries (ops_host.cpp).
struct stat host_attributes(const struct stat& host, std::uint64_t ino);
int cpu_dir_lookup(fuse_req_t req, std::uint64_t tree, std::string_view name);
int host_lookup(fuse_req_t req, std::uint64_t tree, const std::string& rel, double timeout);
int host_getattr(fuse_req_t req, NodeId id);
int host_readlink(fuse_req_t req, NodeId id);

// Open files (files.cpp).
int open_node(fuse_req_t req, NodeId id, fuse_file_info* fi);
int read_file(fuse_req_t req, fuse_ino_t ino, std::size_t size, off_t off, fuse_file_info* fi);
void release_file(fuse_req_t req, fuse_file_info* fi);

/// One open directory: its entries, listed at opendir for the reader who opened it.
struct DirSnapshot {
    struct Entry {
        std::string name;
        std::uint64_t ino;
        mode_t type; ///< S_IF* bits
    };
    std::vector<Entry> entries;
};

// Directory listings (listing.cpp).
int list_dir(fuse_req_t req, NodeId id, DirSnapshot& out);
int reply_dir_slice(fuse_req_t req, const DirSnapshot& dir, std::size_t size, off_t off);

/// A write-like request: the tree is read-only.
inline bool wants_write(int flags) {
    return (flags & O_ACCMODE) != O_RDONLY || (flags & O_TRUNC) != 0;
}

} // namespace lensfs::fuse
