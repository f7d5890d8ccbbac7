// The files fuse-floor serves: copies of host files, taken once at start-up, in a tree that
// never changes afterwards (so requests read it without locks).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <sys/types.h>
#include <vector>

namespace lensfs::bench {

/// Inode numbers as FUSE numbers them: the root directory is 1 (FUSE_ROOT_ID); 0 is none.
using Ino = std::uint64_t;
inline constexpr Ino kRootIno = 1;

struct FloorNode {
    std::string name;
    Ino parent = kRootIno;
    bool dir = false;
    mode_t mode = 0555;
    std::string text;          ///< a file's fixed content
    std::vector<Ino> children; ///< a directory's entries, in the order they were added
};

/// Inode N is nodes[N - 1].
struct FloorTree {
    std::vector<FloorNode> nodes;

    /// The node of @p ino, or nullptr.
    [[nodiscard]] const FloorNode* find(Ino ino) const noexcept;
    /// The entry @p name of directory @p dir, or 0.
    [[nodiscard]] Ino child(Ino dir, std::string_view name) const noexcept;
};

/// Fills @p tree with @p files (relative paths such as "proc/meminfo") and the directories
/// above them, each file a copy of the one at the same path below @p root, with its read
/// permissions. Returns an empty string, or what went wrong.
std::string build_floor_tree(const std::string& root, const std::vector<std::string>& files,
                             FloorTree& tree);

} // namespace lensfs::bench
