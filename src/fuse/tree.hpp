#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "view/files.hpp"

namespace lensfs::fuse {

/// One node of the fixed directory tree the mount shows, built from view::kAllFiles.
struct Node {
    std::uint64_t ino;
    std::uint64_t parent;
    std::string_view name;
    bool dir;
    view::FileId file; ///< meaningful for files only
};

inline constexpr std::uint64_t kRootIno = 1;

/// The node with inode number @p ino.
const Node* node_by_ino(std::uint64_t ino);
/// The child @p name of directory @p parent.
const Node* child(std::uint64_t parent, std::string_view name);
/// The @p index-th child of directory @p parent (for readdir), or nullptr past the end.
const Node* nth_child(std::uint64_t parent, std::size_t index);

} // namespace lensfs::fuse
