#include "view/files.hpp"

namespace lensfs::view {

namespace {

// In FileId order.
constexpr std::array<std::string_view, kFileCount> kPaths = {
    "proc/meminfo",
    "proc/cpuinfo",
    "proc/stat",
    "proc/uptime",
    "proc/swaps",
    "proc/loadavg",
    "proc/diskstats",
    "sys/devices/system/cpu/online",
    "proc/pressure/cpu",
    "proc/pressure/memory",
    "proc/pressure/io",
    "proc/slabinfo",
};

} // namespace

std::string_view file_path(FileId id) { return kPaths[static_cast<std::size_t>(id)]; }

unsigned file_mode(FileId id) { return id == FileId::slabinfo ? 0400 : 0444; }

std::optional<FileId> file_from_path(std::string_view path) {
    while (!path.empty() && path.front() == '/') {
        path.remove_prefix(1);
    }
    for (std::size_t i = 0; i < kPaths.size(); ++i) {
        if (kPaths[i] == path) {
            return static_cast<FileId>(i);
        }
    }
    return std::nullopt;
}

} // namespace lensfs::view
