#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "model/cpu.hpp"

/// The /sys/devices/system/cpu directory as one reader sees it: which names it shows and which
/// host entry each stands for. Pure: no I/O. A container sees its visible CPUs renumbered from
/// 0 (cpuK stands for the host's cpu<K-th visible CPU>), the CPU list files rendered for it,
/// and every other host entry unchanged. A host reader sees the host's directory as it is.
namespace lensfs::view {

/// The directory below the mount point.
inline constexpr std::string_view kSysCpuDir = "sys/devices/system/cpu";

/// N for a CPU directory name "cpuN": decimal, no sign, no leading zero, N <= kMaxCpuId.
std::optional<unsigned> cpu_dir_number(std::string_view name);
/// "cpu" followed by @p n.
std::string cpu_dir_name(unsigned n);

/// The host entry that entry @p name of the directory stands for, for a reader that sees the
/// host CPUs @p visible (nullptr: a host reader). nullopt: the reader has no such entry. The
/// served CPU list files (online, ...) are looked up before host entries and hide them.
std::optional<std::string> host_entry_for(std::string_view name, const CpuSet* visible);

/// How a host entry lists CPUs, when its numbers must be renumbered for a container.
enum class CpuFileFormat : std::uint8_t { none, list, mask };

/// The format of host entry @p rel (a path below the cpu directory) when it is a CPU list or
/// mask inside a CPU directory ("cpu1/topology/core_cpus_list", "cpu1/cache/index0/
/// shared_cpu_map"); none for everything else, which passes through unchanged.
CpuFileFormat cpu_file_format(std::string_view rel);

/// The text of such a host file for a container that sees the host CPUs @p visible: CPUs it
/// does not see are dropped and the others numbered by their position in @p visible, so that
/// topology and cache files agree with the container's cpu0..cpuN-1. Unparsable host text
/// passes through unchanged.
void renumber_cpu_file(std::string_view host_text, CpuFileFormat format, const CpuSet& visible,
                       std::string& out);

/// One entry of the directory listing: its name, and the index in the host's listing of the
/// entry it stands for.
struct CpuDirEntry {
    std::string name;
    std::size_t host_index = 0;
};

/// The entries a reader sees, given the host's entry names: for a
/// container its visible CPUs as cpu0..cpu(n-1) (those whose host directory exists), then the
/// host's entries other than CPU directories; for a host reader the host's entries.
std::vector<CpuDirEntry> cpu_dir_entries(std::span<const std::string> host_names,
                                         const CpuSet* visible);

} // namespace lensfs::view
