// The fixed tree: the files of view::kAllFiles, their directories and the CPU list files.
#include <ctime>
#include <fcntl.h>
#include <memory>

#include "fuse/ops_internal.hpp"
#include "view/engine.hpp"

namespace lensfs::fuse {

namespace {

// A CPU list file the table lacks: rendered for a container; the host's own for the host.
void render_cpu_list(Context& cx, view::CpuListFile list, const view::Container& container,
                     std::string& out) {
    out.clear();
    if (!container.is_host()) {
        view::render_cpu_list_file(list, cx.engine.visible_cpus(container).size(), out);
        return;
    }
    std::string name(view::cpu_list_file_name(list));
    if (Status st = cx.host.read(name, out); !st) {
        static RateLimit limit;
        log_warn_limited(limit, "{}: using the online CPUs: {}", name, st.error().message());
        out.clear();
        view::render_cpu_list_file(list, cx.engine.visible_cpus(container).size(), out);
    }
}

void render_node(Context& cx, const Node& node, pid_t pid, std::string& out) {
    view::Container container = cx.container_of(pid);
    if (node.kind == NodeKind::cpu_list) {
        render_cpu_list(cx, node.list, container, out);
    } else {
        cx.engine.render(node.file, container, out);
    }
}

} // namespace

struct stat static_attributes(const Node& node, std::size_t size) {
    static const time_t kMountTime = ::time(nullptr);
    struct stat st {};
    st.st_ino = node.ino;
    st.st_mode = node.is_dir() ? (S_IFDIR | 0555) : (S_IFREG | view::file_mode(node.file));
    st.st_nlink = node.is_dir() ? 2 : 1;
    st.st_blksize = 4096;
    st.st_size = static_cast<off_t>(size);
    st.st_atime = st.st_mtime = st.st_ctime = kMountTime;
    return st;
}

int static_lookup(fuse_req_t req, const Node& node) {
    fuse_entry_param e{};
    e.ino = node.ino;
    e.attr = static_attributes(node, context_of(req).slots.size(node.ino, 0));
    e.attr_timeout = kStaticTimeout;
    e.entry_timeout = kStaticTimeout;
    fuse_reply_entry(req, &e);
    return 0;
}

int static_getattr(fuse_req_t req, const Node& node, fuse_file_info* fi) {
    std::uint64_t fh = fi != nullptr ? fi->fh : 0;
    struct stat st = static_attributes(node, context_of(req).slots.size(node.ino, fh));
    fuse_reply_attr(req, &st, kStaticTimeout);
    return 0;
}

int static_open(fuse_req_t req, const Node& node, fuse_file_info* fi) {
    if (node.is_dir()) {
        return EISDIR;
    }
    if (wants_write(fi->flags)) {
        return EACCES;
    }
    Context& cx = context_of(req);
    auto file = std::make_unique<OpenFile>();
    render_node(cx, node, fuse_req_ctx(req)->pid, file->text);
    auto fh = reinterpret_cast<std::uint64_t>(file.get());
    file->in_page_cache = cx.page_cache && cx.slots.acquire(cx.session, node.ino, file->text, fh);
    // Either the text now sits in the page cache for this open alone, or the reads must
    // bypass the cache. keep_cache: opening must not drop what was just stored.
    fi->direct_io = file->in_page_cache ? 0 : 1;
    fi->keep_cache = 1;
    fi->fh = fh;
    if (fuse_reply_open(req, fi) == 0) {
        static_cast<void>(file.release()); // owned by the open file until release
    } else if (file->in_page_cache) {
        cx.slots.release(node.ino);
    }
    return 0;
}

} // namespace lensfs::fuse
