#include "fuse/tree.hpp"

#include <array>

namespace lensfs::fuse {

namespace {

using view::FileId;

// The layout LXCFS users already bind-mount: MOUNT/proc/... and MOUNT/sys/devices/system/cpu/...
constexpr std::array<Node, 14> kNodes = {{
    {1, 1, "", true, FileId::meminfo},
    {2, 1, "proc", true, FileId::meminfo},
    {3, 1, "sys", true, FileId::meminfo},
    {4, 3, "devices", true, FileId::meminfo},
    {5, 4, "system", true, FileId::meminfo},
    {6, 5, "cpu", true, FileId::meminfo},
    {10, 2, "cpuinfo", false, FileId::cpuinfo},
    {11, 2, "diskstats", false, FileId::diskstats},
    {12, 2, "loadavg", false, FileId::loadavg},
    {13, 2, "meminfo", false, FileId::meminfo},
    {14, 2, "stat", false, FileId::stat},
    {15, 2, "swaps", false, FileId::swaps},
    {16, 2, "uptime", false, FileId::uptime},
    {20, 6, "online", false, FileId::cpu_online},
}};

} // namespace

const Node* node_by_ino(std::uint64_t ino) {
    for (const auto& node : kNodes) {
        if (node.ino == ino) {
            return &node;
        }
    }
    return nullptr;
}

const Node* child(std::uint64_t parent, std::string_view name) {
    for (const auto& node : kNodes) {
        if (node.parent == parent && node.ino != kRootIno && node.name == name) {
            return &node;
        }
    }
    return nullptr;
}

const Node* nth_child(std::uint64_t parent, std::size_t index) {
    for (const auto& node : kNodes) {
        if (node.parent == parent && node.ino != kRootIno && index-- == 0) {
            return &node;
        }
    }
    return nullptr;
}

} // namespace lensfs::fuse
