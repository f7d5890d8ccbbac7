// The template tree in every tree: directories, served files, containers/ and the roots of
// the per-container trees.
#include <ctime>

#include "fuse/ops_internal.hpp"

namespace lensfs::fuse {

namespace {

// containers/ lists the registered containers: root only, like the registry itself.
constexpr mode_t kContainersMode = 0711;
constexpr mode_t kDirMode = 0555;

time_t mount_time() {
    static const time_t kMountTime = ::time(nullptr);
    return kMountTime;
}

struct stat base_attributes(std::uint64_t ino, mode_t mode) {
    struct stat st {};
    st.st_ino = ino;
    st.st_mode = mode;
    st.st_nlink = S_ISDIR(mode) ? 2 : 1;
    st.st_blksize = kRenderedSize;
    st.st_atime = st.st_mtime = st.st_ctime = mount_time();
    return st;
}

int reply_entry(fuse_req_t req, const struct stat& attr, double timeout) {
    fuse_entry_param e{};
    e.ino = attr.st_ino;
    e.attr = attr;
    e.attr_timeout = timeout;
    e.entry_timeout = timeout;
    fuse_reply_entry(req, &e);
    return 0;
}

// containers/<ID>: the root of that container's tree.
int container_lookup(fuse_req_t req, std::string_view name) {
    Context& cx = context_of(req);
    auto record = cx.containers.by_id ? cx.containers.by_id(name) : std::nullopt;
    if (!record || record->slot == 0 || record->slot > kMaxTree) {
        return ENOENT;
    }
    std::uint64_t ino = ino_of({record->slot, kRootLocal});
    return reply_entry(req, base_attributes(ino, S_IFDIR | kDirMode), kShortTimeout);
}

} // namespace

Result<Viewer> viewer_for(fuse_req_t req, std::uint64_t tree) {
    Context& cx = context_of(req);
    if (tree == 0) {
        return Viewer{cx.container_of(fuse_req_ctx(req)->pid), cx.per_reader(), 0};
    }
    auto record = cx.containers.by_slot ? cx.containers.by_slot(tree) : std::nullopt;
    if (!record) {
        return Error{ENOENT, "container gone"};
    }
    view::Container c = cx.engine.resolve_cgroup(record->cgroup, record->start_boottime_s);
    c.source = view::Source::registry;
    c.id = record->id;
    c.start_boottime_s = record->start_boottime_s;
    return Viewer{std::move(c), false, tree};
}

std::optional<CpuSet> visible_cpus_of(Context& cx, const Viewer& viewer) {
    if (viewer.container.is_host()) {
        return std::nullopt;
    }
    return cx.engine.visible_cpus(viewer.container);
}

bool tree_exists(Context& cx, std::uint64_t tree) {
    return tree == 0 || (cx.containers.by_slot && cx.containers.by_slot(tree).has_value());
}

struct stat node_attributes(const Node& node, std::uint64_t ino) {
    if (node.kind == NodeKind::containers) {
        return base_attributes(ino, S_IFDIR | kContainersMode);
    }
    if (node.is_dir()) {
        return base_attributes(ino, S_IFDIR | kDirMode);
    }
    struct stat st = base_attributes(ino, S_IFREG | node.file->mode);
    st.st_size = kRenderedSize;
    return st;
}

namespace {

// A file's size as the page-cache accounting knows it (files.cpp): the size an open last grew
// it to, at least kRenderedSize, so that a stat() never cuts a text a reader is splicing.
struct stat sized_attributes(Context& cx, const Node& node, std::uint64_t ino) {
    struct stat st = node_attributes(node, ino);
    if (!node.is_dir()) {
        st.st_size = static_cast<off_t>(cx.page_sizes.size_of(ino, kRenderedSize));
    }
    return st;
}

} // namespace

int node_lookup(fuse_req_t req, NodeId parent, const Node& dir, std::string_view name) {
    if (!dir.is_dir()) {
        return ENOTDIR;
    }
    if (dir.kind == NodeKind::containers) {
        return container_lookup(req, name);
    }
    if (const Node* node = template_child(dir.local, name, parent.tree == 0)) {
        std::uint64_t ino = ino_of({parent.tree, node->local});
        return reply_entry(req, sized_attributes(context_of(req), *node, ino), kStaticTimeout);
    }
    return dir.kind == NodeKind::cpu_dir ? cpu_dir_lookup(req, parent.tree, name) : ENOENT;
}

int node_getattr(fuse_req_t req, NodeId id, const Node& node) {
    struct stat st = sized_attributes(context_of(req), node, ino_of(id));
    fuse_reply_attr(req, &st, kStaticTimeout);
    return 0;
}

} // namespace lensfs::fuse
