#pragma once

#include <cstdint>
#include <string_view>

#include "view/files.hpp"
#include "view/sys_cpu.hpp"

namespace lensfs::fuse {

/// What a node of the fixed tree is.
enum class NodeKind : std::uint8_t {
    dir,      ///< a directory with fixed children
    file,     ///< a file of view::kAllFiles, rendered by the engine
    cpu_list, ///< a CPU list file of the sys cpu directory that view::kAllFiles lacks
    cpu_dir,  ///< sys/devices/system/cpu: fixed children plus the host's, per reader
};

/// One node of the fixed tree the mount shows: view::kAllFiles with their parent directories,
/// plus the sys cpu directory and its CPU list files.
struct Node {
    std::uint64_t ino;
    std::uint64_t parent;
    std::string_view name;
    NodeKind kind;
    view::FileId file = view::FileId::meminfo;          ///< kind file
    view::CpuListFile list = view::CpuListFile::online; ///< kind cpu_list

    [[nodiscard]] bool is_dir() const { return kind == NodeKind::dir || kind == NodeKind::cpu_dir; }
};

inline constexpr std::uint64_t kRootIno = 1;

/// The node with inode number @p ino (nullptr outside the fixed tree).
const Node* node_by_ino(std::uint64_t ino);
/// The child @p name of directory @p parent.
const Node* child(std::uint64_t parent, std::string_view name);
/// The sys cpu directory (kind cpu_dir), whose children include the host's.
const Node& cpu_dir_node();
/// The @p index-th child of directory @p parent, or nullptr past the end.
const Node* nth_child(std::uint64_t parent, std::size_t index);

} // namespace lensfs::fuse
