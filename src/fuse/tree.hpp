#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuse/node_id.hpp"
#include "view/served_files.hpp"

namespace lensfs::fuse {

/// What a node of the template tree is.
enum class NodeKind : std::uint8_t {
    dir,        ///< a directory with fixed children
    file,       ///< a row of view::served_files()
    cpu_dir,    ///< sys/devices/system/cpu: fixed children plus the host's entries
    containers, ///< containers/: one directory per registered container (shared tree only)
};

/// One node of the template every tree is an instance of: the served files with their parent
/// directories, the sys cpu directory, and (in the shared tree only) containers/.
struct Node {
    std::uint32_t local;
    std::uint32_t parent;
    std::string_view name;
    NodeKind kind;
    const view::ServedFile* file = nullptr; ///< kind file

    [[nodiscard]] bool is_dir() const { return kind != NodeKind::file; }
};

/// The template node numbered @p local (nullptr for host entries and unknown numbers).
const Node* template_node(std::uint32_t local);
/// The child @p name of template directory @p parent in a tree; containers/ exists in the
/// shared tree only.
const Node* template_child(std::uint32_t parent, std::string_view name, bool shared_tree);
/// The @p index-th child of template directory @p parent, or nullptr past the end.
const Node* template_nth_child(std::uint32_t parent, std::size_t index, bool shared_tree);
/// The number a node at @p path ("proc/meminfo") gets when no other path took it first: it
/// depends on the path alone, so it is the same in every build (see tree.cpp).
std::uint32_t template_number(std::string_view path);
/// The sys cpu directory.
const Node& cpu_dir_node();
/// The template node of served file @p file.
const Node& file_node(const view::ServedFile& file);

} // namespace lensfs::fuse
