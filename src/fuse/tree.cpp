#include "fuse/tree.hpp"

#include <string>
#include <vector>

namespace lensfs::fuse {

namespace {

using view::FileId;

// The tree is derived from the list of served files (view/files.hpp), so a file added there
// appears in the mount with its parent directories. Inode numbers are positions in the table.
struct Tree {
    std::vector<std::string> names; // owns the strings Node::name points into
    std::vector<Node> nodes;

    Tree() {
        names.reserve(64);
        nodes.push_back({kRootIno, kRootIno, "", true, FileId::meminfo});
        for (FileId file : view::kAllFiles) {
            add_path(view::file_path(file), file);
        }
    }

    std::uint64_t find_or_add(std::uint64_t parent, std::string_view name, bool dir, FileId file) {
        for (const auto& node : nodes) {
            if (node.parent == parent && node.ino != kRootIno && node.name == name) {
                return node.ino;
            }
        }
        names.emplace_back(name);
        std::uint64_t ino = nodes.size() + 1;
        nodes.push_back({ino, parent, names.back(), dir, file});
        return ino;
    }

    void add_path(std::string_view path, FileId file) {
        std::uint64_t parent = kRootIno;
        while (!path.empty()) {
            auto slash = path.find('/');
            bool last = slash == std::string_view::npos;
            parent = find_or_add(parent, path.substr(0, slash), !last, file);
            path = last ? std::string_view() : path.substr(slash + 1);
        }
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
