// Open files: what an open shows and how reads are served.
//
// Every file is opened with FOPEN_DIRECT_IO, so read() and pread() reach the daemon: a read
// at offset 0 of a file that was already read renders the text again (procfs's seq_file
// semantics, on which top, vmstat and free -s rely), other offsets continue the current
// text, and one READ is always answered from one rendering.
//
// Splice, sendfile, mmap, fadvise and readahead() go through the kernel's page cache of the
// inode instead, even under FOPEN_DIRECT_IO, and that cache is shared by everyone who reads
// the inode. The daemon tells these reads from direct ones by their lock owner: the kernel
// names the reader's file table in direct reads only. Then:
//  - in a per-container tree (and on a --view-of mount) every reader of an inode gets the
//    same container's view, so page-cache reads are served from the open's text and the
//    cache only ever holds that container's text;
//  - in the shared tree, where the view depends on the reader, they are refused (EINVAL, the
//    error sendfile(2) documents for an input that cannot be mapped): no text of one reader
//    can ever reach the cache, so nobody can read another's text or plant text for others.
//    sendfile users such as busybox cat, Go and Python fall back to read() on that error.
#include <algorithm>
#include <fcntl.h>
#include <unistd.h>

#include "fuse/ops_internal.hpp"
#include "view/sys_cpu.hpp"

namespace lensfs::fuse {

namespace {

constexpr std::uint64_t kPage = 4096;
// How far past the end of the text an open grows the kernel's size: beyond the pages a
// reader's readahead window takes with the text, so the byte that grows it lands in a page
// no reader of this text uses.
constexpr std::uint64_t kGrowPad = 256 * 1024;

void render_into(Context& cx, const OpenFile& f, std::string& out) {
    out.clear();
    if (f.file != nullptr) {
        cx.engine.render_recent(*f.file, f.viewer, out);
        return;
    }
    thread_local std::string host_text;
    if (Status st = cx.host.dir().read(f.host_rel, host_text); !st) {
        static RateLimit limit;
        log_warn_limited(limit, "sys cpu tree: {}", st.error().message());
        return;
    }
    view::renumber_cpu_file(host_text, f.format, cx.engine.visible_cpus(f.viewer), out);
}

int prepare_template(OpenFile& f, const Node* node, const Viewer& viewer) {
    if (node == nullptr) {
        return ENOENT;
    }
    if (node->is_dir()) {
        return EISDIR;
    }
    f.file = node->file;
    f.page_cache = !viewer.per_reader;
    return 0;
}

// Fills @p f for an open of @p id. The viewer is found only where the content needs one.
int prepare(fuse_req_t req, OpenFile& f, NodeId id) {
    Context& cx = context_of(req);
    f.ino = ino_of(id);
    std::optional<std::string> rel;
    if (id.local >= kFirstHostLocal) {
        rel = cx.host.path_of(id.local);
        if (!rel) {
            return ENOENT;
        }
        if (view::cpu_file_format(*rel) == view::CpuFileFormat::none) {
            auto fd = cx.host.dir().open_entry(*rel, O_RDONLY);
            if (!fd) {
                return fd.error().code;
            }
            f.host = std::move(*fd);
            f.page_cache = true; // the host's own text, the same for every reader
            return tree_exists(cx, id.tree) ? 0 : ENOENT;
        }
    }
    auto viewer = viewer_for(req, id.tree);
    if (!viewer) {
        return viewer.error().code;
    }
    int err = 0;
    if (rel) {
        f.host_rel = std::move(*rel);
        f.format = viewer->container.is_host() ? view::CpuFileFormat::none
                                               : view::cpu_file_format(f.host_rel);
        f.page_cache = !viewer->per_reader;
        if (f.format == view::CpuFileFormat::none) {
            auto fd = cx.host.dir().open_entry(f.host_rel, O_RDONLY);
            err = fd ? 0 : fd.error().code;
            f.host = fd ? std::move(*fd) : UniqueFd();
        }
    } else {
        err = prepare_template(f, template_node(id.local), *viewer);
    }
    f.viewer = std::move(viewer->container);
    f.slot = viewer->slot;
    if (err == 0 && f.rendered()) {
        render_into(cx, f, f.text);
    }
    return err;
}

// A page-cache reader stops at the kernel's size for the inode, which a short page-cache read
// cut to the end of an earlier text. Storing one byte past the end grows it again; a stored
// byte takes no lock a worker could be waiting for. The read that follows is short again and
// cuts the size to this text's end.
void grow_if_needed(Context& cx, const OpenFile& f) {
    if (!f.page_cache || !f.rendered() || cx.session == nullptr) {
        return;
    }
    if (f.text.size() <= static_cast<std::size_t>(kRenderedSize) && !cx.page_sizes.was_cut(f.ino)) {
        return;
    }
    std::uint64_t end = (f.text.size() + kPage - 1) / kPage * kPage + kGrowPad;
    char zero = 0;
    fuse_bufvec buf = FUSE_BUFVEC_INIT(1);
    buf.buf[0].mem = &zero;
    fuse_lowlevel_notify_store(cx.session, f.ino, static_cast<off_t>(end - 1), &buf,
                               FUSE_BUF_SPLICE_NONBLOCK);
    cx.page_sizes.note_grown(f.ino, end);
}

struct Opened {
    std::uint64_t fh;
    OpenFile* file;
};

Result<Opened> open_handle(fuse_req_t req, NodeId id) {
    Context& cx = context_of(req);
    auto acquired = cx.handles.acquire();
    if (!acquired) {
        static RateLimit limit;
        log_warn_limited(limit, "too many open files ({})", cx.handles.in_use());
        return Error{ENFILE, "handle table full"};
    }
    if (int err = prepare(req, *acquired->file, id); err != 0) {
        cx.handles.release(acquired->fh);
        return Error{err, "open"};
    }
    return Opened{acquired->fh, acquired->file};
}

// A handle of a server that held the connection before this one: opened again here, for
// the same inode, with the viewer found from this read's reader.
OpenFile* adopt(fuse_req_t req, fuse_ino_t ino, std::uint64_t foreign) {
    Context& cx = context_of(req);
    if (OpenFile* f = cx.handles.find_adopted(foreign)) {
        return f;
    }
    auto opened = open_handle(req, node_id(ino));
    if (!opened) {
        return nullptr;
    }
    std::uint64_t winner = cx.handles.adopt(foreign, opened->fh);
    if (winner != opened->fh) {
        cx.handles.release(opened->fh);
        return cx.handles.find(winner);
    }
    return opened->file;
}

int read_host(fuse_req_t req, const OpenFile& f, std::size_t size, off_t off) {
    thread_local std::string buf;
    if (Status st = host::read_at(f.host, size, off, buf); !st) {
        return st.error().code;
    }
    fuse_reply_buf(req, buf.data(), buf.size());
    return 0;
}

// Whether a direct read at offset 0 renders the text again. A per-container file whose
// container was unregistered keeps the text it has until it is closed.
bool wants_fresh_text(Context& cx, const OpenFile& f) {
    return f.slot == 0 || (cx.containers.by_slot && cx.containers.by_slot(f.slot));
}

int read_text(fuse_req_t req, OpenFile& f, std::size_t size, off_t off, bool direct) {
    Context& cx = context_of(req);
    thread_local std::string fresh;
    thread_local std::string slice;
    bool again = false;
    if (direct && off == 0) {
        std::lock_guard lock(f.mu);
        again = f.served;
    }
    if (again && wants_fresh_text(cx, f)) {
        render_into(cx, f, fresh); // no lock held while the files are read
    } else {
        again = false;
    }
    {
        std::lock_guard lock(f.mu);
        if (again) {
            f.text.swap(fresh);
        }
        f.served = true;
        slice.clear();
        if (off >= 0 && static_cast<std::size_t>(off) < f.text.size()) {
            auto start = static_cast<std::size_t>(off);
            slice.assign(f.text, start, std::min(size, f.text.size() - start));
        }
    }
    if (!direct && slice.size() < size) {
        cx.page_sizes.note_short_read(f.ino);
    }
    fuse_reply_buf(req, slice.data(), slice.size());
    return 0;
}

} // namespace

int open_node(fuse_req_t req, NodeId id, fuse_file_info* fi) {
    if (wants_write(fi->flags)) {
        return EACCES;
    }
    auto opened = open_handle(req, id);
    if (!opened) {
        return opened.error().code;
    }
    Context& cx = context_of(req);
    grow_if_needed(cx, *opened->file);
    fi->fh = opened->fh;
    fi->direct_io = 1;
    fi->keep_cache = 0;
    fi->noflush = 1;
    if (fuse_reply_open(req, fi) != 0) {
        cx.handles.release(opened->fh); // the opener is gone: no RELEASE will come
    }
    return 0;
}

int read_file(fuse_req_t req, fuse_ino_t ino, std::size_t size, off_t off, fuse_file_info* fi) {
    Context& cx = context_of(req);
    OpenFile* f = cx.handles.find(fi->fh);
    if (f == nullptr && !cx.handles.is_own(fi->fh)) {
        f = adopt(req, ino, fi->fh);
    }
    if (f == nullptr) {
        return EBADF;
    }
    // Page-cache reads carry no lock owner; direct reads always name the reader's files.
    bool direct = fi->lock_owner != 0;
    if (!direct && !f->page_cache) {
        return EINVAL;
    }
    if (f->host) {
        return read_host(req, *f, size, off);
    }
    return read_text(req, *f, size, off, direct);
}

void release_file(fuse_req_t req, fuse_file_info* fi) {
    context_of(req).handles.release(fi->fh);
    fuse_reply_err(req, 0);
}

} // namespace lensfs::fuse
