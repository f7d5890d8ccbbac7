#include "seccomp/sysinfo.hpp"

#include <charconv>
#include <cmath>
#include <limits>

#include "util/parse.hpp"

namespace lensfs::seccomp {

namespace {

std::optional<double> parse_decimal(std::string_view text) {
    double v = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc() || end != text.data() + text.size() || !(v >= 0) || std::isinf(v)) {
        return std::nullopt;
    }
    return v;
}

// The next space-separated word of @p text, which moves past it.
std::string_view next_word(std::string_view& text) {
    std::size_t start = text.find_first_not_of(" \t\n");
    if (start == std::string_view::npos) {
        text = {};
        return {};
    }
    std::size_t end = text.find_first_of(" \t\n", start);
    std::string_view word = text.substr(start, end == std::string_view::npos ? end : end - start);
    text = end == std::string_view::npos ? std::string_view{} : text.substr(end);
    return word;
}

struct MeminfoLine {
    std::string_view name;
    std::uint64_t SysinfoFacts::*field;
    bool required;
};

constexpr MeminfoLine kMeminfo[] = {
    {"MemTotal", &SysinfoFacts::total_kb, true},
    {"MemFree", &SysinfoFacts::free_kb, true},
    {"Shmem", &SysinfoFacts::shared_kb, false},
    {"Buffers", &SysinfoFacts::buffer_kb, false},
    {"SwapTotal", &SysinfoFacts::swap_total_kb, false},
    {"SwapFree", &SysinfoFacts::swap_free_kb, false},
};

bool read_meminfo(std::string_view text, SysinfoFacts& f) {
    bool seen[std::size(kMeminfo)] = {};
    while (!text.empty()) {
        auto [line, rest] = split_first(text, '\n');
        text = rest;
        auto [name, value] = split_first(line, ':');
        for (std::size_t i = 0; i < std::size(kMeminfo); ++i) {
            if (seen[i] || name != kMeminfo[i].name) {
                continue;
            }
            std::string_view words = value;
            auto n = parse_u64(next_word(words));
            if (!n) {
                return false;
            }
            f.*kMeminfo[i].field = *n;
            seen[i] = true;
        }
    }
    for (std::size_t i = 0; i < std::size(kMeminfo); ++i) {
        if (kMeminfo[i].required && !seen[i]) {
            return false;
        }
    }
    return true;
}

bool read_loadavg(std::string_view text, SysinfoFacts& f) {
    for (double& load : f.loads) {
        auto v = parse_decimal(next_word(text));
        if (!v) {
            return false;
        }
        load = *v;
    }
    auto [running, total] = split_first(next_word(text), '/');
    auto tasks = parse_u64(total);
    if (!parse_u64(running) || !tasks) {
        return false;
    }
    f.procs = *tasks;
    return true;
}

} // namespace

std::optional<SysinfoFacts> facts_from_proc(std::string_view meminfo, std::string_view uptime,
                                            std::string_view loadavg) {
    SysinfoFacts f;
    auto up = parse_decimal(next_word(uptime));
    if (!up || !read_meminfo(meminfo, f) || !read_loadavg(loadavg, f)) {
        return std::nullopt;
    }
    f.uptime_s = *up;
    return f;
}

struct sysinfo pack_sysinfo(const SysinfoFacts& f, unsigned long page_size) {
    struct sysinfo si {};
    // /proc/uptime shows hundredths; the kernel rounds its nanoseconds up to a second.
    si.uptime = static_cast<long>(std::ceil(f.uptime_s - 1e-9));
    for (int i = 0; i < 3; ++i) {
        double fixed = std::round(f.loads[i] * 65536.0);
        si.loads[i] = fixed >= 4294967295.0 ? 4294967295UL : static_cast<unsigned long>(fixed);
    }
    si.procs = static_cast<unsigned short>(std::min<std::uint64_t>(f.procs, 65535));
    unsigned long kb_per_page = page_size >= 1024 ? page_size / 1024 : 1;
    const auto pages = [kb_per_page](std::uint64_t kb) {
        return static_cast<unsigned long>(kb / kb_per_page);
    };
    si.totalram = pages(f.total_kb);
    si.freeram = pages(f.free_kb);
    si.sharedram = pages(f.shared_kb);
    si.bufferram = pages(f.buffer_kb);
    si.totalswap = pages(f.swap_total_kb);
    si.freeswap = pages(f.swap_free_kb);
    si.mem_unit = static_cast<unsigned int>(page_size);
    // As the kernel: bytes when RAM plus swap in bytes fit an unsigned long, else pages.
    unsigned long total = si.totalram + si.totalswap;
    if (total < si.totalram) {
        return si;
    }
    unsigned bits = 0;
    for (unsigned long unit = page_size; unit > 1; unit >>= 1) {
        if (total > (std::numeric_limits<unsigned long>::max() >> 1)) {
            return si;
        }
        total <<= 1;
        ++bits;
    }
    si.mem_unit = 1;
    for (unsigned long* v : {&si.totalram, &si.freeram, &si.sharedram, &si.bufferram,
                             &si.totalswap, &si.freeswap}) {
        *v <<= bits;
    }
    return si;
}

} // namespace lensfs::seccomp
