// Directory listings. Each opendir lists the directory once, for the reader who opened it, and
// readdir serves that snapshot at any offset: the sys cpu directory differs from reader to
// reader, so it must never be assembled from two readers' views.
#include <dirent.h>

#include "fuse/ops_internal.hpp"
#include "util/log.hpp"

namespace lensfs::fuse {

namespace {

mode_t node_type(const Node& node) {
    return node.is_dir() ? S_IFDIR : S_IFREG;
}

void note_list_failure(const Error& error) {
    static RateLimit limit;
    log_warn_limited(limit, "sys cpu tree: cannot list {}", error.message());
}

// The host's entries of the sys cpu directory as the reader of @p req sees them, after the
// fixed children (a name of the fixed tree hides the host entry of the same name).
void add_cpu_dir_entries(fuse_req_t req, const Node& dir, DirSnapshot& out) {
    Context& cx = context_of(req);
    auto host = cx.host.list("");
    if (!host) {
        return note_list_failure(host.error());
    }
    std::vector<std::string> names;
    names.reserve(host->size());
    for (const auto& entry : *host) {
        names.push_back(entry.name);
    }
    std::optional<CpuSet> cpus = reader_cpus(req);
    for (const auto& seen : view::cpu_dir_entries(names, cpus ? &*cpus : nullptr)) {
        if (child(dir.ino, seen.name) != nullptr) {
            continue;
        }
        const auto& entry = (*host)[seen.host_index];
        auto ino = cx.host.ino_of(entry.name);
        if (ino) {
            out.entries.push_back({seen.name, *ino, static_cast<mode_t>(DTTOIF(entry.type))});
        }
    }
}

std::uint64_t parent_ino(Context& cx, const std::string& rel) {
    auto slash = rel.rfind('/');
    if (slash == std::string::npos) {
        return cpu_dir_node().ino;
    }
    return cx.host.ino_of(std::string_view(rel).substr(0, slash)).value_or(cpu_dir_node().ino);
}

} // namespace

int list_static_dir(fuse_req_t req, const Node& dir, DirSnapshot& out) {
    out.entries.push_back({".", dir.ino, S_IFDIR});
    out.entries.push_back({"..", dir.parent, S_IFDIR});
    for (std::size_t k = 0; const Node* node = nth_child(dir.ino, k); ++k) {
        out.entries.push_back({std::string(node->name), node->ino, node_type(*node)});
    }
    if (dir.kind == NodeKind::cpu_dir) {
        add_cpu_dir_entries(req, dir, out);
    }
    return 0;
}

int list_host_dir(fuse_req_t req, std::uint64_t ino, DirSnapshot& out) {
    Context& cx = context_of(req);
    auto rel = cx.host.path_of(ino);
    if (!rel) {
        return ENOENT;
    }
    auto host = cx.host.list(*rel);
    if (!host) {
        return host.error().code;
    }
    out.entries.push_back({".", ino, S_IFDIR});
    out.entries.push_back({"..", parent_ino(cx, *rel), S_IFDIR});
    for (auto& entry : *host) {
        auto child_ino = cx.host.ino_of(join_path(*rel, entry.name));
        if (child_ino) {
            out.entries.push_back(
                {std::move(entry.name), *child_ino, static_cast<mode_t>(DTTOIF(entry.type))});
        }
    }
    return 0;
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
