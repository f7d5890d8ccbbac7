#include "view/sys_cpu.hpp"

#include <charconv>
#include <unordered_map>

#include <fmt/format.h>

namespace lensfs::view {

namespace {

constexpr std::string_view kCpuPrefix = "cpu";

} // namespace

std::optional<unsigned> cpu_dir_number(std::string_view name) {
    if (!name.starts_with(kCpuPrefix)) {
        return std::nullopt;
    }
    std::string_view digits = name.substr(kCpuPrefix.size());
    // "cpu01" is not the name of CPU 1: the kernel never prints leading zeros.
    if (digits.empty() || (digits.size() > 1 && digits.front() == '0')) {
        return std::nullopt;
    }
    unsigned n = 0;
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
    if (ec != std::errc() || end != digits.data() + digits.size() || n > kMaxCpuId) {
        return std::nullopt;
    }
    return n;
}

std::string cpu_dir_name(unsigned n) {
    return fmt::format("cpu{}", n);
}

CpuFileFormat cpu_file_format(std::string_view rel) {
    auto slash = rel.find('/');
    if (slash == std::string_view::npos || !cpu_dir_number(rel.substr(0, slash))) {
        return CpuFileFormat::none;
    }
    std::string_view name = rel.substr(rel.rfind('/') + 1);
    if (name.ends_with("_list")) {
        return CpuFileFormat::list;
    }
    if (name.ends_with("_cpus") || name.ends_with("_siblings") || name == "shared_cpu_map") {
        return CpuFileFormat::mask;
    }
    return CpuFileFormat::none;
}

void renumber_cpu_file(std::string_view host_text, CpuFileFormat format, const CpuSet& visible,
                       std::string& out) {
    auto set = format == CpuFileFormat::list   ? CpuSet::parse(host_text)
               : format == CpuFileFormat::mask ? CpuSet::parse_mask(host_text)
                                               : std::nullopt;
    if (!set) {
        out.append(host_text);
        return;
    }
    CpuSet mine = set->renumbered(visible);
    out.append(format == CpuFileFormat::list ? mine.format() : mine.format_mask(visible.size()));
    out.push_back('\n');
}

std::optional<std::string> host_entry_for(std::string_view name, const CpuSet* visible) {
    auto n = cpu_dir_number(name);
    if (!n || visible == nullptr) {
        return std::string(name);
    }
    if (*n >= visible->size()) {
        return std::nullopt;
    }
    return cpu_dir_name(visible->cpus()[*n]);
}

std::vector<CpuDirEntry> cpu_dir_entries(std::span<const std::string> host_names,
                                         const CpuSet* visible) {
    std::vector<CpuDirEntry> entries;
    entries.reserve(host_names.size());
    if (visible != nullptr) {
        std::unordered_map<unsigned, std::size_t> host_cpu_dirs;
        for (std::size_t i = 0; i < host_names.size(); ++i) {
            if (auto n = cpu_dir_number(host_names[i])) {
                host_cpu_dirs.emplace(*n, i);
            }
        }
        // cpuK stands for the K-th visible CPU even when an earlier one has no directory,
        // so that the listing agrees with host_entry_for().
        const auto& cpus = visible->cpus();
        for (std::size_t k = 0; k < cpus.size(); ++k) {
            if (auto it = host_cpu_dirs.find(cpus[k]); it != host_cpu_dirs.end()) {
                entries.push_back({cpu_dir_name(static_cast<unsigned>(k)), it->second});
            }
        }
    }
    for (std::size_t i = 0; i < host_names.size(); ++i) {
        const std::string& name = host_names[i];
        if (visible != nullptr && cpu_dir_number(name)) {
            continue;
        }
        entries.push_back({name, i});
    }
    return entries;
}

} // namespace lensfs::view
