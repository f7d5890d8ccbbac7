#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

namespace lensfs::view {

/// Every virtual file lensfs serves. The mount layout is the one LXCFS users bind-mount.
enum class FileId : std::uint8_t {
    meminfo,
    cpuinfo,
    stat,
    uptime,
    swaps,
    loadavg,
    diskstats,
    cpu_online,
};
inline constexpr std::size_t kFileCount = 8;

inline constexpr std::array<FileId, kFileCount> kAllFiles = {
    FileId::meminfo, FileId::cpuinfo,   FileId::stat,       FileId::uptime,
    FileId::swaps,   FileId::loadavg,   FileId::diskstats,  FileId::cpu_online,
};

/// Path below the mount point, e.g. "proc/meminfo".
std::string_view file_path(FileId id);
/// The file at @p path ("proc/meminfo" or "/proc/meminfo"), if lensfs serves it.
std::optional<FileId> file_from_path(std::string_view path);

} // namespace lensfs::view
