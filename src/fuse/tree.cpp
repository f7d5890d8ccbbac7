#include "fuse/tree.hpp"

#include <deque>
#include <string>
#include <vector>

namespace lensfs::fuse {

namespace {

using view::FileId;

// The tree is derived from the list of served files (view/files.hpp), so a file added there
// appears in the mount with its parent directories. Inode numbers are positions in the table.
struct Tree {
    std::deque<std::string> names; // owns the strings Node::name points into; never moves them
    std::vector<Node> nodes;
    std::uint64_t cpu_dir = 0;

    Tree() {
        nodes.push_back({kRootIno, kRootIno, "", NodeKind::dir});
        for (FileId file : view::kAllFiles) {
            add_path(view::file_path(file), Node{0, 0, "", NodeKind::file, file});
        }
        add_cpu_dir();
    }

    // The sys cpu directory always exists; list files the table does not serve are ours.
    void add_cpu_dir() {
        std::uint64_t dir = add_path(view::kSysCpuDir, Node{0, 0, "", NodeKind::dir});
        nodes[dir - 1].kind = NodeKind::cpu_dir;
        cpu_dir = dir;
        for (view::CpuListFile list : view::kCpuListFiles) {
            Node leaf{0, 0, "", NodeKind::cpu_list, FileId::meminfo, list};
            find_or_add(dir, view::cpu_list_file_name(list), leaf);
        }
    }

    std::uint64_t find_or_add(std::uint64_t parent, std::string_view name, const Node& leaf) {
        for (const auto& node : nodes) {
            if (node.parent == parent && node.ino != kRootIno && node.name == name) {
                return node.ino;
            }
        }
        names.emplace_back(name);
        Node node = leaf;
        node.ino = nodes.size() + 1;
        node.parent = parent;
        node.name = names.back();
        nodes.push_back(node);
        return node.ino;
    }

    // Adds the directories of @p path and its last component as @p leaf; returns its inode.
    std::uint64_t add_path(std::string_view path, const Node& leaf) {
        std::uint64_t parent = kRootIno;
        while (!path.empty()) {
            auto slash = path.find('/');
            bool last = slash == std::string_view::npos;
            parent = find_or_add(parent, path.substr(0, slash),
                                 last ? leaf : Node{0, 0, "", NodeKind::dir});
            path = last ? std::string_view() : path.substr(slash + 1);
        }
        return parent;
    }
};

const Tree& tree() {
    static const Tree kTree;
    return kTree;
}

} // namespace

const Node* node_by_ino(std::uint64_t ino) {
    const auto& nodes = tree().nodes;
    return ino >= 1 && ino <= nodes.size() ? &nodes[ino - 1] : nullptr;
}

const Node& cpu_dir_node() {
    return tree().nodes[tree().cpu_dir - 1];
}

const Node* child(std::uint64_t parent, std::string_view name) {
    for (const auto& node : tree().nodes) {
        if (node.parent == parent && node.ino != kRootIno && node.name == name) {
            return &node;
        }
    }
    return nullptr;
}

const Node* nth_child(std::uint64_t parent, std::size_t index) {
    for (const auto& node : tree().nodes) {
        if (node.parent == parent && node.ino != kRootIno && index-- == 0) {
            return &node;
        }
    }
    return nullptr;
}

} // namespace lensfs::fuse
