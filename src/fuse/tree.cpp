#include "fuse/tree.hpp"

#include <deque>
#include <string>
#include <vector>

#include "view/sys_cpu.hpp"

namespace lensfs::fuse {

namespace {

constexpr std::string_view kContainersName = "containers";

// Derived from the table of served files, so a file added there appears in every tree with
// its parent directories. Numbers are positions in this table: stable for a given build.
struct Template {
    std::deque<std::string> names; // owns the strings Node::name points into; never moves them
    std::vector<Node> nodes;       // nodes[local - kRootLocal]
    std::uint32_t cpu_dir = 0;

    Template() {
        nodes.push_back({kRootLocal, kRootLocal, "", NodeKind::dir});
        cpu_dir = add_path(view::kSysCpuDir, Node{0, 0, "", NodeKind::cpu_dir});
        for (const view::ServedFile& file : view::served_files()) {
            add_path(file.path, Node{0, 0, "", NodeKind::file, &file});
        }
        find_or_add(kRootLocal, kContainersName, Node{0, 0, "", NodeKind::containers});
    }

    std::uint32_t find_or_add(std::uint32_t parent, std::string_view name, const Node& leaf) {
        for (const auto& node : nodes) {
            if (node.parent == parent && node.local != kRootLocal && node.name == name) {
                return node.local;
            }
        }
        names.emplace_back(name);
        Node node = leaf;
        node.local = static_cast<std::uint32_t>(nodes.size()) + kRootLocal;
        node.parent = parent;
        node.name = names.back();
        nodes.push_back(node);
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
    const auto& nodes = tmpl().nodes;
    return local >= kRootLocal && local - kRootLocal < nodes.size() ? &nodes[local - kRootLocal]
                                                                    : nullptr;
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
