#include "fuse/tree.hpp"

#include <deque>
#include <string>
#include <vector>

#include "view/sys_cpu.hpp"

namespace lensfs::fuse {

namespace {

constexpr std::string_view kContainersName = "containers";

// A node's number comes from its path alone, so that a server built with more or fewer files
// gives every path the kernel already knows the number the previous server gave it (live
// upgrade). The table is small and the range large; tree_test checks there is no collision,
// and should one ever appear the next free number is taken.
constexpr std::uint32_t kNumberRange = kFirstHostLocal - kRootLocal - 1;

std::uint32_t number_for(std::string_view path) {
    std::uint32_t h = 2166136261U; // FNV-1a
    for (char c : path) {
        h = (h ^ static_cast<unsigned char>(c)) * 16777619U;
    }
    return kRootLocal + 1 + h % kNumberRange;
}

// Derived from the table of served files, so a file added there appears in every tree with
// its parent directories.
struct Template {
    std::deque<std::string> names; // owns the strings Node::name points into; never moves them
    std::deque<std::string> paths; // each node's path, for its number
    std::vector<Node> nodes;
    std::vector<std::int32_t> by_local = std::vector<std::int32_t>(kFirstHostLocal, -1);
    std::uint32_t cpu_dir = 0;

    Template() {
        nodes.push_back({kRootLocal, kRootLocal, "", NodeKind::dir});
        by_local[kRootLocal] = 0;
        cpu_dir = add_path(view::kSysCpuDir, Node{0, 0, "", NodeKind::cpu_dir});
        for (const view::ServedFile& file : view::served_files()) {
            add_path(file.path, Node{0, 0, "", NodeKind::file, &file});
        }
        find_or_add(kRootLocal, kContainersName, Node{0, 0, "", NodeKind::containers});
    }

    const std::string& path_of(std::uint32_t local) const {
        static const std::string kRoot;
        return local == kRootLocal ? kRoot : paths[static_cast<std::size_t>(by_local[local]) - 1];
    }

    std::uint32_t free_number(std::string_view path) const {
        std::uint32_t local = number_for(path);
        while (by_local[local] >= 0) {
            local = local + 1 < kFirstHostLocal ? local + 1 : kRootLocal + 1;
        }
        return local;
    }

    std::uint32_t find_or_add(std::uint32_t parent, std::string_view name, const Node& leaf) {
        for (const auto& node : nodes) {
            if (node.parent == parent && node.local != kRootLocal && node.name == name) {
                return node.local;
            }
        }
        std::string path =
            parent == kRootLocal ? std::string(name) : path_of(parent) + "/" + std::string(name);
        names.emplace_back(name);
        Node node = leaf;
        node.local = free_number(path);
        node.parent = parent;
        node.name = names.back();
        by_local[node.local] = static_cast<std::int32_t>(nodes.size());
        nodes.push_back(node);
        paths.push_back(std::move(path));
        return node.local;
    }

    // Adds the directories of @p path and its last component as @p leaf; returns its number.
    std::uint32_t add_path(std::string_view path, const Node& leaf) {
        std::uint32_t parent = kRootLocal;
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

const Template& tmpl() {
    static const Template kTemplate;
    return kTemplate;
}

bool visible_in(const Node& node, bool shared_tree) {
    return node.local != kRootLocal && (shared_tree || node.kind != NodeKind::containers);
}

} // namespace

const Node* template_node(std::uint32_t local) {
    const Template& t = tmpl();
    if (local >= kFirstHostLocal || t.by_local[local] < 0) {
        return nullptr;
    }
    return &t.nodes[static_cast<std::size_t>(t.by_local[local])];
}

std::uint32_t template_number(std::string_view path) {
    return number_for(path);
}

const Node* template_child(std::uint32_t parent, std::string_view name, bool shared_tree) {
    for (const auto& node : tmpl().nodes) {
        if (node.parent == parent && visible_in(node, shared_tree) && node.name == name) {
            return &node;
        }
    }
    return nullptr;
}

const Node* template_nth_child(std::uint32_t parent, std::size_t index, bool shared_tree) {
    for (const auto& node : tmpl().nodes) {
        if (node.parent == parent && visible_in(node, shared_tree) && index-- == 0) {
            return &node;
        }
    }
    return nullptr;
}

const Node& cpu_dir_node() {
    return *template_node(tmpl().cpu_dir);
}

const Node& file_node(const view::ServedFile& file) {
    for (const auto& node : tmpl().nodes) {
        if (node.file == &file) {
            return node;
        }
    }
    return tmpl().nodes.front(); // unreachable: every served file is in the template
}

} // namespace lensfs::fuse
