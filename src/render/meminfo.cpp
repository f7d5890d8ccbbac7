#include <algorithm>
#include <array>

#include "render/detail.hpp"
#include "render/render.hpp"

namespace lensfs::render {

namespace {

using detail::sat_sub;
using detail::to_kb;

/// The container's figures, in kB. Fields the cgroup does not report are 0: memory.stat has
/// no Buffers or SwapCached, and cgroup v1 has no slab keys.
struct Figures {
    std::uint64_t mem_total = 0, mem_free = 0, mem_available = 0, buffers = 0, cached = 0;
    std::uint64_t swap_cached = 0, active = 0, inactive = 0, active_anon = 0;
    std::uint64_t inactive_anon = 0, active_file = 0, inactive_file = 0, unevictable = 0;
    std::uint64_t swap_total = 0, swap_free = 0, dirty = 0, writeback = 0, anon_pages = 0;
    std::uint64_t mapped = 0, shmem = 0, slab = 0, s_reclaimable = 0, s_unreclaim = 0;
    std::uint64_t commit_limit = 0, committed_as = 0;
};

struct Field {
    std::string_view name;
    std::uint64_t Figures::*value;
};

constexpr std::array kFields = {
    Field{"MemTotal", &Figures::mem_total},
    Field{"MemFree", &Figures::mem_free},
    Field{"MemAvailable", &Figures::mem_available},
    Field{"Buffers", &Figures::buffers},
    Field{"Cached", &Figures::cached},
    Field{"SwapCached", &Figures::swap_cached},
    Field{"Active", &Figures::active},
    Field{"Inactive", &Figures::inactive},
    Field{"Active(anon)", &Figures::active_anon},
    Field{"Inactive(anon)", &Figures::inactive_anon},
    Field{"Active(file)", &Figures::active_file},
    Field{"Inactive(file)", &Figures::inactive_file},
    Field{"Unevictable", &Figures::unevictable},
    Field{"SwapTotal", &Figures::swap_total},
    Field{"SwapFree", &Figures::swap_free},
    Field{"Dirty", &Figures::dirty},
    Field{"Writeback", &Figures::writeback},
    Field{"AnonPages", &Figures::anon_pages},
    Field{"Mapped", &Figures::mapped},
    Field{"Shmem", &Figures::shmem},
    Field{"KReclaimable", &Figures::s_reclaimable},
    Field{"Slab", &Figures::slab},
    Field{"SReclaimable", &Figures::s_reclaimable},
    Field{"SUnreclaim", &Figures::s_unreclaim},
    Field{"CommitLimit", &Figures::commit_limit},
    Field{"Committed_AS", &Figures::committed_as},
};

/// Host lines kept as they are although they exceed MemTotal: VmallocTotal is address space
/// and Hugepagesize a page size, not amounts of memory.
constexpr std::array<std::string_view, 2> kUnclamped = {"VmallocTotal", "Hugepagesize"};

void memory_figures(const MemoryStats& mem, std::uint64_t host_total, Figures& f) {
    // A limit below 1 kB still shows 1 kB: tools divide by MemTotal.
    f.mem_total = std::max<std::uint64_t>(host_total, 1);
    if (mem.limit) {
        f.mem_total = std::min(f.mem_total, std::max<std::uint64_t>(*mem.limit / 1024, 1));
    }
    auto cap = [&](std::uint64_t kb) { return std::min(kb, f.mem_total); };
    f.mem_free = sat_sub(f.mem_total, to_kb(mem.usage));
    f.cached = cap(to_kb(mem.file));
    f.active_anon = cap(to_kb(mem.active_anon));
    f.inactive_anon = cap(to_kb(mem.inactive_anon));
    f.active_file = cap(to_kb(mem.active_file));
    f.inactive_file = cap(to_kb(mem.inactive_file));
    f.active = cap(f.active_anon + f.active_file);
    f.inactive = cap(f.inactive_anon + f.inactive_file);
    f.unevictable = cap(to_kb(mem.unevictable));
    f.dirty = cap(to_kb(mem.dirty));
    f.writeback = cap(to_kb(mem.writeback));
    f.anon_pages = cap(to_kb(mem.anon));
    f.mapped = cap(to_kb(mem.mapped));
    f.shmem = cap(to_kb(mem.shmem));
    f.s_reclaimable = cap(to_kb(mem.slab_reclaimable));
    f.s_unreclaim = cap(to_kb(mem.slab_unreclaimable));
    f.slab = cap(mem.slab ? to_kb(mem.slab) : f.s_reclaimable + f.s_unreclaim);
    // Reclaimable page cache is the file LRU; without the LRU split, page cache that is not
    // shmem (which cannot be dropped, only swapped).
    bool lru = mem.active_file || mem.inactive_file;
    std::uint64_t file = lru ? f.active_file + f.inactive_file : sat_sub(f.cached, f.shmem);
    f.mem_available = cap(f.mem_free + file + f.s_reclaimable);
}

void swap_figures(const HostMeminfo& host, const MemoryStats& mem, Figures& f) {
    std::uint64_t host_total = host.get("SwapTotal").value_or(0);
    detail::SwapView view = detail::swap_view(host_total, mem);
    f.swap_total = view.total_kb;
    // Without the cgroup's swap usage, the host's use of swap is the best bound there is.
    std::uint64_t host_used = sat_sub(host_total, host.get("SwapFree").value_or(host_total));
    f.swap_free = f.swap_total - view.used_kb.value_or(std::min(host_used, f.swap_total));
}

/// The kernel's CommitLimit is RAM * overcommit_ratio + swap. The host's ratio is applied to
/// the container's RAM. Committed_AS (memory promised to all processes of the host) has no
/// per-cgroup count: the container gets the host's in proportion to its share of the host's
/// anonymous memory (what commitments become when used), its memory use when the anonymous
/// figures are missing. Like the host's, it may exceed CommitLimit (sar -r's %commit over
/// 100); it is never above the host's.
void commit_figures(const HostMeminfo& host, std::uint64_t host_total, const MemoryStats& mem,
                    Figures& f) {
    std::uint64_t host_limit = host.get("CommitLimit").value_or(0);
    std::uint64_t host_ram_part = sat_sub(host_limit, host.get("SwapTotal").value_or(0));
    f.commit_limit =
        detail::mul_div(host_ram_part, f.mem_total, std::max<std::uint64_t>(host_total, 1)) +
        f.swap_total;
    std::uint64_t host_committed = host.get("Committed_AS").value_or(0);
    auto host_anon = host.get("AnonPages");
    std::uint64_t part = 0;
    std::uint64_t whole = 0;
    if (mem.anon && host_anon) {
        part = to_kb(mem.anon);
        whole = *host_anon;
    } else {
        part = to_kb(mem.usage);
        whole = sat_sub(host_total, host.get("MemFree").value_or(0));
    }
    f.committed_as = whole == 0 ? 0 : detail::mul_div(host_committed, std::min(part, whole), whole);
}

/// fs/proc/meminfo.c pads "Name:" to 16 columns and the number to 8. A 16-column name
/// (HugePages_Total) gets one space, its number still ending at column 24 as in mm/hugetlb.c.
void append_entry(std::string& out, std::string_view name, std::uint64_t value, bool kb) {
    constexpr std::size_t kNameColumns = 16;
    constexpr std::size_t kValueEnd = 24;
    out.append(name);
    out.push_back(':');
    std::size_t used = name.size() + 1;
    std::size_t width = 8;
    if (used < kNameColumns) {
        out.append(kNameColumns - used, ' ');
    } else {
        out.push_back(' ');
        width = used + 1 < kValueEnd ? kValueEnd - used - 1 : 1;
    }
    detail::append_padded(out, value, width);
    out.append(kb ? " kB\n" : "\n");
}

/// A host line the cgroup has no figure for: kept, but no amount of memory above MemTotal.
std::uint64_t host_value(const MeminfoEntry& entry, const Figures& f) {
    if (!entry.kb ||
        std::find(kUnclamped.begin(), kUnclamped.end(), entry.name) != kUnclamped.end()) {
        return entry.value;
    }
    if (entry.name == "Mlocked") {
        return std::min(entry.value, f.unevictable); // mlocked pages are unevictable
    }
    return std::min(entry.value, f.mem_total);
}

std::uint64_t container_value(const MeminfoEntry& entry, const Figures& f) {
    for (const Field& field : kFields) {
        if (field.name == entry.name) {
            return f.*field.value;
        }
    }
    return host_value(entry, f);
}

} // namespace

void meminfo(const HostMeminfo& host, const MemoryStats& mem, std::string& out) {
    auto host_total = host.get("MemTotal");
    if (!mem.usage || !host_total) {
        // Nothing to scale: the container sees the host (a log line is the caller's job).
        for (const MeminfoEntry& entry : host.entries) {
            append_entry(out, entry.name, entry.value, entry.kb);
        }
        return;
    }
    Figures f;
    memory_figures(mem, *host_total, f);
    swap_figures(host, mem, f);
    commit_figures(host, *host_total, mem, f);
    for (const MeminfoEntry& entry : host.entries) {
        append_entry(out, entry.name, container_value(entry, f), entry.kb);
    }
}

} // namespace lensfs::render
