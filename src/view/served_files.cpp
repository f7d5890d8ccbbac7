#include "view/served_files.hpp"

#include <array>

#include "view/gather.hpp"

namespace lensfs::view {

namespace {

constexpr unsigned kPublic = 0444;
constexpr unsigned kRootOnly = 0400;

constexpr std::array kFiles = {
    ServedFile{"proc/meminfo", kPublic, [](Gather& g, std::string& o) { g.meminfo(o); }, true},
    ServedFile{"proc/cpuinfo", kPublic, [](Gather& g, std::string& o) { g.cpuinfo(o); }, true},
    ServedFile{"proc/stat", kPublic, [](Gather& g, std::string& o) { g.stat(o); }, true},
    ServedFile{"proc/uptime", kPublic, [](Gather& g, std::string& o) { g.uptime(o); }, true},
    ServedFile{"proc/swaps", kPublic, [](Gather& g, std::string& o) { g.swaps(o); }, true},
    ServedFile{"proc/loadavg", kPublic, [](Gather& g, std::string& o) { g.loadavg(o); }, true},
    ServedFile{"proc/diskstats", kPublic, [](Gather& g, std::string& o) { g.diskstats(o); }, true},
    ServedFile{"proc/slabinfo", kRootOnly, [](Gather& g, std::string& o) { g.slabinfo(o); }, true},
    ServedFile{"proc/pressure/cpu", kPublic,
               [](Gather& g, std::string& o) { g.pressure("cpu.pressure", o); }, true},
    ServedFile{"proc/pressure/memory", kPublic,
               [](Gather& g, std::string& o) { g.pressure("memory.pressure", o); }, true},
    ServedFile{"proc/pressure/io", kPublic,
               [](Gather& g, std::string& o) { g.pressure("io.pressure", o); }, true},
    ServedFile{"sys/devices/system/cpu/online", kPublic,
               [](Gather& g, std::string& o) { g.cpu_list(o); }, true},
    ServedFile{"sys/devices/system/cpu/present", kPublic,
               [](Gather& g, std::string& o) { g.cpu_list(o); }, true},
    ServedFile{"sys/devices/system/cpu/possible", kPublic,
               [](Gather& g, std::string& o) { g.cpu_list(o); }, true},
    ServedFile{"sys/devices/system/cpu/offline", kPublic,
               [](Gather& /*g*/, std::string& o) { o.push_back('\n'); }, true},
};

} // namespace

std::span<const ServedFile> served_files() {
    return kFiles;
}

const ServedFile* served_file(std::string_view path) {
    while (!path.empty() && path.front() == '/') {
        path.remove_prefix(1);
    }
    for (const ServedFile& file : kFiles) {
        if (file.path == path) {
            return &file;
        }
    }
    return nullptr;
}

std::size_t served_index(const ServedFile& file) {
    return static_cast<std::size_t>(&file - kFiles.data());
}

} // namespace lensfs::view
