#include "fuse/ops.hpp"

#include <algorithm>
#include <cerrno>
#include <fcntl.h>
#include <memory>
#include <string>
#include <unistd.h>

#include "fuse/ops_internal.hpp"

namespace lensfs::fuse {

namespace {

// Requests go to the fixed tree (inodes below HostTree::kFirstIno) or to a host entry.

void op_lookup(fuse_req_t req, fuse_ino_t parent, const char* name) {
    guarded(req, "lookup", [&] {
        if (const Node* dir = node_by_ino(parent)) {
            if (const Node* node = child(parent, name)) {
                return static_lookup(req, *node);
            }
            return dir->kind == NodeKind::cpu_dir ? cpu_dir_lookup(req, name) : ENOENT;
        }
        auto rel = context_of(req).host.path_of(parent);
        if (!rel) {
            return ENOENT;
        }
        std::string_view n(name);
        if (n == "." || n == ".." || n.find('/') != std::string_view::npos) {
            return ENOENT;
        }
        return host_lookup(req, join_path(*rel, n), kHostTimeout);
    });
}

void op_getattr(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi) {
    guarded(req, "getattr", [&] {
        if (const Node* node = node_by_ino(ino)) {
            return static_getattr(req, *node, fi);
        }
        return host_getattr(req, ino);
    });
}

void op_setattr(fuse_req_t req, fuse_ino_t /*ino*/, struct stat* /*attr*/, int /*to_set*/,
                fuse_file_info* /*fi*/) {
    fuse_reply_err(req, EACCES);
}

void op_open(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi) {
    guarded(req, "open", [&] {
        if (const Node* node = node_by_ino(ino)) {
            return static_open(req, *node, fi);
        }
        return host_open(req, ino, fi);
    });
}

// Host files are read where they are; rendered files are served from their snapshot.
int read_host(fuse_req_t req, const OpenFile& file, std::size_t size, off_t off) {
    thread_local std::string buf;
    buf.resize(size);
    ssize_t n = ::pread(file.host.get(), buf.data(), size, off);
    if (n < 0) {
        return errno;
    }
    fuse_reply_buf(req, buf.data(), static_cast<std::size_t>(n));
    return 0;
}

void op_read(fuse_req_t req, fuse_ino_t /*ino*/, size_t size, off_t off, fuse_file_info* fi) {
    guarded(req, "read", [&] {
        const auto* file = reinterpret_cast<const OpenFile*>(fi->fh);
        if (!file) {
            return EBADF;
        }
        if (file->host) {
            return read_host(req, *file, size, off);
        }
        const std::string& text = file->text;
        if (off < 0 || static_cast<std::size_t>(off) >= text.size()) {
            fuse_reply_buf(req, nullptr, 0);
            return 0;
        }
        auto start = static_cast<std::size_t>(off);
        fuse_reply_buf(req, text.data() + start, std::min(size, text.size() - start));
        return 0;
    });
}

void op_release(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi) {
    auto* file = reinterpret_cast<OpenFile*>(fi->fh);
    if (file != nullptr && file->in_page_cache) {
        context_of(req).slots.release(ino);
    }
    delete file;
    fuse_reply_err(req, 0);
}

void op_readlink(fuse_req_t req, fuse_ino_t ino) {
    guarded(req, "readlink", [&] { return node_by_ino(ino) ? EINVAL : host_readlink(req, ino); });
}

void op_opendir(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi) {
    guarded(req, "opendir", [&] {
        auto dir = std::make_unique<DirSnapshot>();
        const Node* node = node_by_ino(ino);
        if (node && !node->is_dir()) {
            return ENOTDIR;
        }
        int err = node ? list_static_dir(req, *node, *dir) : list_host_dir(req, ino, *dir);
        if (err != 0) {
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
        if (!node_by_ino(ino) && !context_of(req).host.path_of(ino)) {
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
