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
    pressure_cpu,
    pressure_memory,
    pressure_io,
    slabinfo,
};
inline constexpr std::size_t kFileCount = 12;

inline constexpr std::array<FileId, kFileCount> kAllFiles = {
    FileId::meminfo,      FileId::cpuinfo,         FileId::stat,        FileId::uptime,
    FileId::swaps,        FileId::loadavg,         FileId::diskstats,   FileId::cpu_online,
    FileId::pressure_cpu, FileId::pressure_memory, FileId::pressure_io, FileId::slabinfo,
};

/// Path below the mount point, e.g. "proc/meminfo".
std::string_view file_path(FileId id);
/// Permission bits the file should carry: the kernel's for the file it stands for. 0444 for
/// all but slabinfo, which the kernel keeps 0400 (root only) because slab addresses and
/// counts help kernel heap exploits; lensfs serves the host's slabinfo when the cgroup has
/// none, so a wider mode would hand it to every unprivileged reader.
unsigned file_mode(FileId id);
/// The file at @p path ("proc/meminfo" or "/proc/meminfo"), if lensfs serves it.
std::optional<FileId> file_from_path(std::string_view path);

} // namespace lensfs::view
