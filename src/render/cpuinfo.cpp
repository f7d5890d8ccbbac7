#include <algorithm>
#include <vector>

#include "render/detail.hpp"
#include "render/render.hpp"
#include "util/parse.hpp"

namespace lensfs::render {

namespace {

/// Finds the block of host CPU @p cpu; blocks are in ascending order on every kernel, but a
/// struct from elsewhere might not be, hence the fallback.
const CpuinfoBlock* find_block(const HostCpuinfo& host, unsigned cpu, bool sorted) {
    const auto& blocks = host.blocks;
    if (sorted) {
        auto it =
            std::lower_bound(blocks.begin(), blocks.end(), cpu,
                             [](const CpuinfoBlock& b, unsigned c) { return b.processor < c; });
        return it != blocks.end() && it->processor == cpu ? &*it : nullptr;
    }
    auto it = std::find_if(blocks.begin(), blocks.end(),
                           [cpu](const CpuinfoBlock& b) { return b.processor == cpu; });
    return it != blocks.end() ? &*it : nullptr;
}

/// Lines that count the CPUs of a package: the container's package has all its CPUs.
bool is_count_line(std::string_view key) {
    key = trim(key);
    return key == "siblings" || key == "cpu cores";
}

void append_block(std::string& out, unsigned number, std::string_view body, std::size_t count) {
    out.append("processor\t: ");
    detail::append_u64(out, number);
    out.push_back('\n');
    for_each_line(body, [&](std::string_view line) {
        auto colon = line.find(':');
        if (colon != std::string_view::npos && is_count_line(line.substr(0, colon))) {
            out.append(line.substr(0, colon + 1));
            out.push_back(' ');
            detail::append_u64(out, count);
        } else {
            out.append(line);
        }
        out.push_back('\n');
    });
}

void append_host(const HostCpuinfo& host, std::string& out) {
    for (const CpuinfoBlock& block : host.blocks) {
        out.append("processor\t: ");
        detail::append_u64(out, block.processor);
        out.push_back('\n');
        out.append(block.body);
        if (!block.body.empty() && block.body.back() != '\n') {
            out.push_back('\n');
        }
    }
    out.append(host.trailer);
}

} // namespace

void cpuinfo(const HostCpuinfo& host, const CpuSet& visible, std::string& out) {
    bool sorted = std::is_sorted(
        host.blocks.begin(), host.blocks.end(),
        [](const CpuinfoBlock& a, const CpuinfoBlock& b) { return a.processor < b.processor; });
    std::size_t count = 0;
    for (unsigned cpu : visible.cpus()) {
        count += find_block(host, cpu, sorted) != nullptr ? 1 : 0;
    }
    if (count == 0) {
        // Never an empty file: a CPU set that matches nothing gets the host's file.
        append_host(host, out);
        return;
    }
    unsigned number = 0;
    for (unsigned cpu : visible.cpus()) {
        if (const CpuinfoBlock* block = find_block(host, cpu, sorted)) {
            append_block(out, number++, block->body, count);
        }
    }
    out.append(host.trailer);
}

} // namespace lensfs::render
