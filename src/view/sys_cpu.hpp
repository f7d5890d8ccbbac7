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

/// The CPU list files of the directory, rendered for each reader.
enum class CpuListFile : std::uint8_t { online, present, possible, offline };
inline constexpr std::array<CpuListFile, 4> kCpuListFiles = {
    CpuListFile::online, CpuListFile::present, CpuListFile::possible, CpuListFile::offline};

/// "online", "present", ...
std::string_view cpu_list_file_name(CpuListFile file);
/// The list file called @p name, if it is one.
std::optional<CpuListFile> cpu_list_file_from_name(std::string_view name);

/// N for a CPU directory name "cpuN": decimal, no sign, no leading zero, N <= kMaxCpuId.
std::optional<unsigned> cpu_dir_number(std::string_view name);
/// "cpu" followed by @p n.
std::string cpu_dir_name(unsigned n);

/// The text of @p file for a container that sees @p visible_count CPUs: every visible CPU is
/// online, present and possible ("0-(n-1)\n"); none is offline, which the kernel prints as a
/// bare newline.
void render_cpu_list_file(CpuListFile file, std::size_t visible_count, std::string& out);

/// The host entry that entry @p name of the directory stands for, for a reader that sees the
/// host CPUs @p visible (nullptr: a host reader). nullopt: the reader has no such entry. The
/// list files are never host entries (they are rendered), so they give nullopt too.
std::optional<std::string> host_entry_for(std::string_view name, const CpuSet* visible);

/// One entry of the directory listing: its name, and the index in the host's listing of the
/// entry it stands for.
struct CpuDirEntry {
    std::string name;
    std::size_t host_index = 0;
};

/// The entries a reader sees, the list files aside, given the host's entry names: for a
/// container its visible CPUs as cpu0..cpu(n-1) (those whose host directory exists), then the
/// host's entries other than CPU directories; for a host reader the host's entries.
std::vector<CpuDirEntry> cpu_dir_entries(std::span<const std::string> host_names,
                                         const CpuSet* visible);

} // namespace lensfs::view
