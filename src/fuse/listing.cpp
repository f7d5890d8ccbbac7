// Directory listings. Each opendir lists the directory once, for the reader who opened it, and
// readdir serves that snapshot at any offset: the sys cpu directory differs from viewer to
// viewer, so it must never be assembled from two readers' views.
#include <dirent.h>

#include "fuse/ops_internal.hpp"
#include "util/log.hpp"
#include "view/sys_cpu.hpp"

namespace lensfs::fuse {

namespace {

mode_t node_type(const Node& node) {
    return node.is_dir() ? S_IFDIR : S_IFREG;
}

void note_list_failure(const Error& error) {
    static RateLimit limit;
    log_warn_limited(limit, "sys cpu tree: cannot list {}", error.message());
}

std::uint64_t containers_ino() {
    return ino_of({0, template_child(kRootLocal, "containers", true)->local});
}

// ".." of a template directory: its parent in the same tree; a container's root sits in
// the shared tree's containers/.
std::uint64_t parent_of(NodeId id, const Node& dir) {
    if (dir.local == kRootLocal) {
        return id.tree == 0 ? kRootIno : containers_ino();
    }
    return ino_of({id.tree, dir.parent});
}

// The host's entries of the sys cpu directory as the viewer sees them, after the fixed
// children (a name of the template hides the host entry of the same name).
int add_cpu_dir_entries(fuse_req_t req, NodeId id, const Node& dir, DirSnapshot& out) {
    Context& cx = context_of(req);
    auto host = cx.host.dir().list("");
    if (!host) {
        note_list_failure(host.error());
        return 0;
    }
    std::vector<std::string> names;
    names.reserve(host->size());
    for (const auto& entry : *host) {
        names.push_back(entry.name);
    }
    auto viewer = viewer_for(req, id.tree);
    if (!viewer) {
        return viewer.error().code;
    }
    std::optional<CpuSet> cpus = visible_cpus_of(cx, *viewer);
    for (const auto& seen : view::cpu_dir_entries(names, cpus ? &*cpus : nullptr)) {
        if (template_child(dir.local, seen.name, id.tree == 0) != nullptr) {
            continue;
        }
        const auto& entry = (*host)[seen.host_index];
        if (auto local = cx.host.local_of(entry.name)) {
            out.entries.push_back(
                {seen.name, ino_of({id.tree, *local}), static_cast<mode_t>(DTTOIF(entry.type))});
        }
    }
    return 0;
}

void add_containers(Context& cx, DirSnapshot& out) {
    if (!cx.containers.list) {
        return;
    }
    for (const auto& record : cx.containers.list()) {
        if (record.slot != 0 && record.slot <= kMaxTree) {
            out.entries.push_back({record.id, ino_of({record.slot, kRootLocal}), S_IFDIR});
        }
    }
}

int list_template_dir(fuse_req_t req, NodeId id, const Node& dir, DirSnapshot& out) {
    out.entries.push_back({".", ino_of(id), S_IFDIR});
    out.entries.push_back({"..", parent_of(id, dir), S_IFDIR});
    bool shared = id.tree == 0;
    for (std::size_t k = 0; const Node* node = template_nth_child(dir.local, k, shared); ++k) {
        out.entries.push_back(
            {std::string(node->name), ino_of({id.tree, node->local}), node_type(*node)});
    }
    if (dir.kind == NodeKind::containers) {
        add_containers(context_of(req), out);
    }
    return dir.kind == NodeKind::cpu_dir ? add_cpu_dir_entries(req, id, dir, out) : 0;
}

std::uint64_t host_parent(Context& cx, NodeId id, const std::string& rel) {
    auto slash = rel.rfind('/');
    if (slash == std::string::npos) {
        return ino_of({id.tree, cpu_dir_node().local});
    }
    auto local = cx.host.local_of(std::string_view(rel).substr(0, slash));
    return local ? ino_of({id.tree, *local}) : ino_of({id.tree, cpu_dir_node().local});
}

int list_host_dir(fuse_req_t req, NodeId id, DirSnapshot& out) {
    Context& cx = context_of(req);
    return cx.host.with_path(id.local, [&](const std::string& rel) {
        auto host = cx.host.dir().list(rel);
        if (!host) {
            return host.error().code;
        }
        out.entries.push_back({".", ino_of(id), S_IFDIR});
        out.entries.push_back({"..", host_parent(cx, id, rel), S_IFDIR});
        for (auto& entry : *host) {
            if (auto local = cx.host.local_of(join_path(rel, entry.name))) {
                out.entries.push_back({std::move(entry.name), ino_of({id.tree, *local}),
                                       static_cast<mode_t>(DTTOIF(entry.type))});
            }
        }
        return 0;
    });
}

} // namespace

int list_dir(fuse_req_t req, NodeId id, DirSnapshot& out) {
    if (!tree_exists(context_of(req), id.tree)) {
        return ENOENT;
    }
    if (id.local >= kFirstHostLocal) {
        return list_host_dir(req, id, out);
    }
    const Node* node = template_node(id.local);
    if (node == nullptr) {
        return ENOENT;
    }
    if (!node->is_dir()) {
        return ENOTDIR;
    }
    return list_template_dir(req, id, *node, out);
}

int reply_dir_slice(fuse_req_t req, const DirSnapshot& dir, std::size_t size, off_t off) {
    std::string buf(size, '\0');
    std::size_t used = 0;
    for (auto k = static_cast<std::size_t>(off < 0 ? 0 : off); k < dir.entries.size(); ++k) {
        const auto& entry = dir.entries[k];
        struct stat st {};
        st.st_ino = entry.ino;
        st.st_mode = entry.type;
        std::size_t need = fuse_add_direntry(req, buf.data() + used, size - used,
                                             entry.name.c_str(), &st, static_cast<off_t>(k + 1));
        if (need > size - used) {
            break;
        }
        used += need;
    }
    fuse_reply_buf(req, buf.data(), used);
    return 0;
}

} // namespace lensfs::fuse
