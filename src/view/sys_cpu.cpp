#include "view/sys_cpu.hpp"

#include <charconv>
#include <unordered_map>

#include <fmt/format.h>

#include "render/render.hpp"

namespace lensfs::view {

namespace {

constexpr std::array<std::string_view, kCpuListFiles.size()> kListNames = {"online", "present",
                                                                           "possible", "offline"};

constexpr std::string_view kCpuPrefix = "cpu";

} // namespace

std::string_view cpu_list_file_name(CpuListFile file) {
    return kListNames[static_cast<std::size_t>(file)];
}

std::optional<CpuListFile> cpu_list_file_from_name(std::string_view name) {
    for (CpuListFile file : kCpuListFiles) {
        if (cpu_list_file_name(file) == name) {
            return file;
        }
    }
    return std::nullopt;
}

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

void render_cpu_list_file(CpuListFile file, std::size_t visible_count, std::string& out) {
    if (file == CpuListFile::offline) {
        out.push_back('\n');
        return;
    }
    render::cpu_list(visible_count, out);
}

std::optional<std::string> host_entry_for(std::string_view name, const CpuSet* visible) {
    if (cpu_list_file_from_name(name)) {
        return std::nullopt;
    }
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
        if (cpu_list_file_from_name(name) || (visible != nullptr && cpu_dir_number(name))) {
            continue;
        }
        entries.push_back({name, i});
    }
    return entries;
}

} // namespace lensfs::view
