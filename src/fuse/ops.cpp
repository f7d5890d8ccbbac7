#include "fuse/ops.hpp"

#include <cerrno>
#include <ctime>
#include <fcntl.h>
#include <new>
#include <string>
#include <sys/stat.h>

#include "fuse/context.hpp"
#include "fuse/tree.hpp"
#include "util/log.hpp"
#include "view/engine.hpp"

namespace lensfs::fuse {

namespace {

// The tree never changes while mounted: let the kernel cache names and attributes.
constexpr double kTimeout = 86400.0;

Context& context_of(fuse_req_t req) { return *static_cast<Context*>(fuse_req_userdata(req)); }

// One open file: the text rendered at open, served in slices until release.
struct Snapshot {
    std::string text;
    bool in_page_cache = false;
};

struct stat attributes(const Node& node, std::size_t size = 0) {
    static const time_t kMountTime = ::time(nullptr);
    struct stat st {};
    st.st_ino = node.ino;
    st.st_mode = node.dir ? (S_IFDIR | 0555) : (S_IFREG | 0444);
    st.st_nlink = node.dir ? 2 : 1;
    st.st_blksize = 4096;
    st.st_size = static_cast<off_t>(size);
    st.st_atime = st.st_mtime = st.st_ctime = kMountTime;
    return st;
}

// Runs @p fn, which returns 0 after replying or an errno to reply with. Exceptions stop here.
template <typename Fn>
void guarded(fuse_req_t req, const char* op, Fn&& fn) noexcept {
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

void op_lookup(fuse_req_t req, fuse_ino_t parent, const char* name) {
    guarded(req, "lookup", [&] {
        const Node* node = child(parent, name);
        if (!node) {
            return ENOENT;
        }
        fuse_entry_param e{};
        e.ino = node->ino;
        e.attr = attributes(*node, context_of(req).slots.size(node->ino, 0));
        e.attr_timeout = kTimeout;
        e.entry_timeout = kTimeout;
        fuse_reply_entry(req, &e);
        return 0;
    });
}

void op_getattr(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi) {
    guarded(req, "getattr", [&] {
        const Node* node = node_by_ino(ino);
        if (!node) {
            return ENOENT;
        }
        std::uint64_t fh = fi != nullptr ? fi->fh : 0;
        struct stat st = attributes(*node, context_of(req).slots.size(node->ino, fh));
        fuse_reply_attr(req, &st, kTimeout);
        return 0;
    });
}

void op_setattr(fuse_req_t req, fuse_ino_t /*ino*/, struct stat* /*attr*/, int /*to_set*/,
                fuse_file_info* /*fi*/) {
    fuse_reply_err(req, EACCES);
}

void op_open(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi) {
    guarded(req, "open", [&] {
        const Node* node = node_by_ino(ino);
        if (!node) {
            return ENOENT;
        }
        if (node->dir) {
            return EISDIR;
        }
        if ((fi->flags & O_ACCMODE) != O_RDONLY || (fi->flags & O_TRUNC) != 0) {
            return EACCES;
        }
        Context& cx = context_of(req);
        view::Container container = cx.engine.resolve_pid(fuse_req_ctx(req)->pid);
        auto snapshot = std::make_unique<Snapshot>();
        cx.engine.render(node->file, container, snapshot->text);
        snapshot->in_page_cache =
            cx.page_cache && cx.slots.acquire(cx.session, node->ino, snapshot->text,
                                              reinterpret_cast<std::uint64_t>(snapshot.get()));
        // Either the text now sits in the page cache for this open alone, or the reads must
        // bypass the cache. keep_cache: opening must not drop what was just stored.
        fi->direct_io = snapshot->in_page_cache ? 0 : 1;
        fi->keep_cache = 1;
        fi->fh = reinterpret_cast<std::uint64_t>(snapshot.get());
        if (fuse_reply_open(req, fi) == 0) {
            snapshot.release(); // owned by the open file until release
        }
        return 0;
    });
}

void op_read(fuse_req_t req, fuse_ino_t /*ino*/, size_t size, off_t off, fuse_file_info* fi) {
    guarded(req, "read", [&] {
        const auto* snapshot = reinterpret_cast<const Snapshot*>(fi->fh);
        if (!snapshot) {
            return EBADF;
        }
        const std::string& text = snapshot->text;
        if (off < 0 || static_cast<std::size_t>(off) >= text.size()) {
            fuse_reply_buf(req, nullptr, 0);
            return 0;
        }
        std::size_t start = static_cast<std::size_t>(off);
        std::size_t len = std::min(size, text.size() - start);
        fuse_reply_buf(req, text.data() + start, len);
        return 0;
    });
}

void op_release(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi) {
    auto* snapshot = reinterpret_cast<Snapshot*>(fi->fh);
    if (snapshot != nullptr && snapshot->in_page_cache) {
        context_of(req).slots.release(ino);
    }
    delete snapshot;
    fuse_reply_err(req, 0);
}

void op_opendir(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi) {
    guarded(req, "opendir", [&] {
        const Node* node = node_by_ino(ino);
        if (!node) {
            return ENOENT;
        }
        if (!node->dir) {
            return ENOTDIR;
        }
        fuse_reply_open(req, fi);
        return 0;
    });
}

// Entry k of a directory: ".", "..", then the children in table order.
bool dir_entry(const Node& dir, std::size_t k, std::string_view& name, struct stat& st) {
    if (k < 2) {
        const Node* target = k == 0 ? &dir : node_by_ino(dir.parent);
        st = attributes(*target);
        name = k == 0 ? "." : "..";
        return true;
    }
    const Node* node = nth_child(dir.ino, k - 2);
    if (!node) {
        return false;
    }
    st = attributes(*node);
    name = node->name;
    return true;
}

void op_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, fuse_file_info* /*fi*/) {
    guarded(req, "readdir", [&] {
        const Node* dir = node_by_ino(ino);
        if (!dir || !dir->dir) {
            return ENOTDIR;
        }
        std::string buf(size, '\0');
        std::size_t used = 0;
        std::string_view name;
        struct stat st {};
        for (auto k = static_cast<std::size_t>(off < 0 ? 0 : off); dir_entry(*dir, k, name, st);
             ++k) {
            std::string zname(name);
            std::size_t need = fuse_add_direntry(req, buf.data() + used, size - used,
                                                 zname.c_str(), &st, static_cast<off_t>(k + 1));
            if (need > size - used) {
                break;
            }
            used += need;
        }
        fuse_reply_buf(req, buf.data(), used);
        return 0;
    });
}

void op_access(fuse_req_t req, fuse_ino_t ino, int mask) {
    guarded(req, "access", [&] {
        if (!node_by_ino(ino)) {
            return ENOENT;
        }
        fuse_reply_err(req, (mask & W_OK) != 0 ? EACCES : 0);
        return 0;
    });
}

void op_init(void* /*userdata*/, fuse_conn_info* conn) {
    // The daemon invalidates and stores page-cache content itself; a size change reported
    // by GETATTR must not throw the stored pages away.
    conn->want &= ~FUSE_CAP_AUTO_INVAL_DATA;
    if ((conn->capable & FUSE_CAP_EXPLICIT_INVAL_DATA) != 0) {
        conn->want |= FUSE_CAP_EXPLICIT_INVAL_DATA;
    }
}

fuse_lowlevel_ops make_ops() {
    fuse_lowlevel_ops ops{};
    ops.init = op_init;
    ops.lookup = op_lookup;
    ops.getattr = op_getattr;
    ops.setattr = op_setattr;
    ops.open = op_open;
    ops.read = op_read;
    ops.release = op_release;
    ops.opendir = op_opendir;
    ops.readdir = op_readdir;
    ops.access = op_access;
    // No flush handler on purpose: the first FLUSH gets ENOSYS and the kernel stops sending
    // them, which saves one round trip per close().
    return ops;
}

} // namespace

const fuse_lowlevel_ops& lowlevel_ops() {
    static const fuse_lowlevel_ops kOps = make_ops();
    return kOps;
}

} // namespace lensfs::fuse
