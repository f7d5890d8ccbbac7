#include <catch2/catch.hpp>

#include <set>
#include <string>

#include "fuse/node_id.hpp"
#include "fuse/tree.hpp"

using namespace lensfs;
using namespace lensfs::fuse;

namespace {

std::string path_of(const Node& node) {
    std::string path(node.name);
    for (const Node* n = template_node(node.parent); n && n->local != kRootLocal;
         n = template_node(n->parent)) {
        path = std::string(n->name) + "/" + path;
    }
    return path;
}

} // namespace

TEST_CASE("inode numbers name a tree and a node") {
    CHECK(kRootIno == 1);
    CHECK(node_id(ino_of({7, 42})) == NodeId{7, 42});
    CHECK(node_id(ino_of({kMaxTree, kFirstHostLocal + 5})) ==
          NodeId{kMaxTree, kFirstHostLocal + 5});
    CHECK(ino_of({kMaxTree, 0xffffffff}) < (std::uint64_t{1} << 63));
}

TEST_CASE("every template node's number comes from its path alone") {
    std::set<std::uint32_t> seen;
    for (std::uint32_t local = 0; local < kFirstHostLocal; ++local) {
        const Node* node = template_node(local);
        if (node == nullptr || local == kRootLocal) {
            continue;
        }
        INFO(path_of(*node));
        CHECK(node->local == local);
        CHECK(template_number(path_of(*node)) == local); // no collision moved it
        CHECK(seen.insert(local).second);
    }
    CHECK(seen.size() > 10);
    CHECK(template_node(kRootLocal)->is_dir());
    CHECK(template_node(kFirstHostLocal) == nullptr);
}

TEST_CASE("every served file is in the template under its path") {
    for (const auto& file : view::served_files()) {
        INFO(file.path);
        const Node& node = file_node(file);
        CHECK(node.file == &file);
        CHECK(path_of(node) == file.path);
        CHECK(node.local == template_number(file.path));
    }
}

TEST_CASE("containers/ exists in the shared tree only") {
    const Node* shared = template_child(kRootLocal, "containers", true);
    REQUIRE(shared != nullptr);
    CHECK(shared->kind == NodeKind::containers);
    CHECK(template_child(kRootLocal, "containers", false) == nullptr);
    CHECK(template_child(kRootLocal, "proc", false) != nullptr);
    std::size_t in_shared = 0;
    std::size_t in_container = 0;
    while (template_nth_child(kRootLocal, in_shared, true)) {
        ++in_shared;
    }
    while (template_nth_child(kRootLocal, in_container, false)) {
        ++in_container;
    }
    CHECK(in_shared == in_container + 1);
    CHECK(cpu_dir_node().kind == NodeKind::cpu_dir);
    CHECK(path_of(cpu_dir_node()) == "sys/devices/system/cpu");
}
