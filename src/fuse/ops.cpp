#include "fuse/ops.hpp"

#include <memory>
#include <string>

#include "fuse/ops_internal.hpp"

namespace lensfs::fuse {

namespace {

constexpr unsigned kMaxWrite = 128 * 1024;
constexpr unsigned kMaxBackground = 1024;

// Requests go to a template node or to a host entry, in the tree their inode names.

void op_lookup(fuse_req_t req, fuse_ino_t parent, const char* name) {
    guarded(req, "lookup", [&] {
        NodeId id = node_id(parent);
        if (!tree_exists(context_of(req), id.tree)) {
            return ENOENT;
        }
        if (const Node* dir = template_node(id.local)) {
            return node_lookup(req, id, *dir, name);
        }
        auto rel = context_of(req).host.path_of(id.local);
        std::string_view n(name);
        if (!rel || n == "." || n == ".." || n.find('/') != std::string_view::npos) {
            return ENOENT;
        }
        return host_lookup(req, id.tree, join_path(*rel, n), kShortTimeout);
    });
}

void op_getattr(fuse_req_t req, fuse_ino_t ino, fuse_file_info* /*fi*/) {
    guarded(req, "getattr", [&] {
        NodeId id = node_id(ino);
        if (!tree_exists(context_of(req), id.tree)) {
            return ENOENT;
        }
        if (const Node* node = template_node(id.local)) {
            return node_getattr(req, id, *node);
        }
        return host_getattr(req, id);
    });
}

void op_setattr(fuse_req_t req, fuse_ino_t /*ino*/, struct stat* /*attr*/, int /*to_set*/,
                fuse_file_info* /*fi*/) {
    fuse_reply_err(req, EACCES);
}

void op_open(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi) {
    guarded(req, "open", [&] { return open_node(req, node_id(ino), fi); });
}

void op_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, fuse_file_info* fi) {
    guarded(req, "read", [&] { return read_file(req, ino, size, off, fi); });
}

void op_release(fuse_req_t req, fuse_ino_t /*ino*/, fuse_file_info* fi) {
    release_file(req, fi);
}

void op_readlink(fuse_req_t req, fuse_ino_t ino) {
    guarded(req, "readlink", [&] {
        NodeId id = node_id(ino);
        return id.local < kFirstHostLocal ? EINVAL : host_readlink(req, id);
    });
}

void op_opendir(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi) {
    guarded(req, "opendir", [&] {
        auto dir = std::make_unique<DirSnapshot>();
        if (int err = list_dir(req, node_id(ino), *dir); err != 0) {
            return err;
        }
        fi->fh = reinterpret_cast<std::uint64_t>(dir.get());
        if (fuse_reply_open(req, fi) == 0) {
            static_cast<void>(dir.release()); // owned by the open directory until releasedir
        }
        return 0;
    });
}

void op_readdir(fuse_req_t req, fuse_ino_t /*ino*/, size_t size, off_t off, fuse_file_info* fi) {
    guarded(req, "readdir", [&] {
        const auto* dir = reinterpret_cast<const DirSnapshot*>(fi->fh);
        return dir ? reply_dir_slice(req, *dir, size, off) : EBADF;
    });
}

void op_releasedir(fuse_req_t req, fuse_ino_t /*ino*/, fuse_file_info* fi) {
    delete reinterpret_cast<DirSnapshot*>(fi->fh);
    fuse_reply_err(req, 0);
}

void op_access(fuse_req_t req, fuse_ino_t ino, int mask) {
    guarded(req, "access", [&] {
        NodeId id = node_id(ino);
        Context& cx = context_of(req);
        bool known = id.local < kFirstHostLocal ? template_node(id.local) != nullptr
                                                : cx.host.path_of(id.local).has_value();
        if (!known || !tree_exists(cx, id.tree)) {
            return ENOENT;
        }
        fuse_reply_err(req, (mask & W_OK) != 0 ? EACCES : 0);
        return 0;
    });
}

// Negotiated once per connection by the keeper, and replayed by every server after it: it
// must give the same answer in every build (a connection cannot be renegotiated).
void op_init(void* /*userdata*/, fuse_conn_info* conn) {
    // Sizes come from the daemon's accounting of the page cache (files.cpp); a size change
    // must not make the kernel ask for attributes on every cached read.
    conn->want &= ~FUSE_CAP_AUTO_INVAL_DATA;
    // Nothing is ever written; this bounds the request buffers (session.cpp) and keeps reads
    // at up to 32 pages per request.
    conn->max_write = kMaxWrite;
    // Releases are background requests, of which the kernel keeps only max_background in the
    // daemon's queue at once (12 by default) while opens and reads go in without limit:
    // readers that open and close in a loop then outrun the releases, and the handles they
    // leave behind pile up by the ten thousand. With a limit above any plausible number of
    // concurrent readers, releases keep pace.
    conn->max_background = kMaxBackground;
    conn->congestion_threshold = kMaxBackground * 3 / 4;
}

// Requests that would change the tree. Root passes the kernel's mode checks, so they arrive
// here; everyone gets the answer an unwritable file would give.
void deny_entry(fuse_req_t req, fuse_ino_t, const char*) {
    fuse_reply_err(req, EACCES);
}
void deny_make(fuse_req_t req, fuse_ino_t, const char*, mode_t) {
    fuse_reply_err(req, EACCES);
}

void set_denials(fuse_lowlevel_ops& ops) {
    ops.unlink = deny_entry;
    ops.rmdir = deny_entry;
    ops.mkdir = deny_make;
    ops.mknod = [](fuse_req_t req, fuse_ino_t, const char*, mode_t, dev_t) {
        fuse_reply_err(req, EACCES);
    };
    ops.create = [](fuse_req_t req, fuse_ino_t, const char*, mode_t, fuse_file_info*) {
        fuse_reply_err(req, EACCES);
    };
    ops.symlink = [](fuse_req_t req, const char*, fuse_ino_t, const char*) {
        fuse_reply_err(req, EACCES);
    };
    ops.link = [](fuse_req_t req, fuse_ino_t, fuse_ino_t, const char*) {
        fuse_reply_err(req, EACCES);
    };
    ops.rename = [](fuse_req_t req, fuse_ino_t, const char*, fuse_ino_t, const char*, unsigned) {
        fuse_reply_err(req, EACCES);
    };
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
    ops.readlink = op_readlink;
    ops.opendir = op_opendir;
    ops.readdir = op_readdir;
    ops.releasedir = op_releasedir;
    ops.access = op_access;
    set_denials(ops);
    // No flush handler: opens ask for no FLUSH (FOPEN_NOFLUSH), and should one come anyway,
    // ENOSYS makes the kernel stop sending them.
    return ops;
}

} // namespace

const fuse_lowlevel_ops& lowlevel_ops() {
    static const fuse_lowlevel_ops kOps = make_ops();
    return kOps;
}

} // namespace lensfs::fuse
