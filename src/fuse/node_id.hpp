#pragma once

#include <cstdint>

namespace lensfs::fuse {

/// What an inode number names. The mount holds several trees of the same shape: tree 0 is
/// the shared tree at the mount's root (each reader gets its own container's view), tree N
/// (N >= 1) is containers/<ID>/, the per-container tree of the registered container whose
/// registry slot is N (every reader gets that container's view). Within a tree, `local`
/// names a node of the fixed template (below kFirstHostLocal) or a host entry of
/// /sys/devices/system/cpu (from kFirstHostLocal on, numbered by HostTree).
///
/// Numbers are derived, never handed out at random: a slot is never reused by the registry,
/// template numbers are fixed, host entries keep their numbers across servers, so an inode
/// number means the same to every server process that takes the connection over.
struct NodeId {
    std::uint64_t tree = 0;
    std::uint32_t local = 0;

    bool operator==(const NodeId&) const = default;
};

inline constexpr std::uint32_t kRootLocal = 1;
inline constexpr std::uint32_t kFirstHostLocal = 1024;
/// Registry slots fit in 31 bits, so an inode number stays below 2^63.
inline constexpr std::uint64_t kMaxTree = (std::uint64_t{1} << 31) - 1;

inline constexpr std::uint64_t ino_of(NodeId id) {
    return (id.tree << 32) | id.local;
}
inline constexpr NodeId node_id(std::uint64_t ino) {
    return NodeId{ino >> 32, static_cast<std::uint32_t>(ino)};
}

/// FUSE's root: tree 0's root.
inline constexpr std::uint64_t kRootIno = ino_of({0, kRootLocal});
static_assert(kRootIno == 1);

} // namespace lensfs::fuse
