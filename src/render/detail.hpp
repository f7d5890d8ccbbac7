#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "model/memory.hpp"

/// Helpers shared by the renderers; not part of the module's interface.
namespace lensfs::render::detail {

/// Appends @p value in decimal.
void append_u64(std::string& out, std::uint64_t value);

/// Appends @p value right-aligned in @p width columns (wider numbers are not cut).
void append_padded(std::string& out, std::uint64_t value, std::size_t width);

/// a * b / c without intermediate overflow; @p c must not be 0. Saturates at UINT64_MAX.
std::uint64_t mul_div(std::uint64_t a, std::uint64_t b, std::uint64_t c);

/// a - b, or 0 when b > a.
constexpr std::uint64_t sat_sub(std::uint64_t a, std::uint64_t b) {
    return a > b ? a - b : 0;
}

/// A byte count from memory.stat in kB; a field the cgroup does not report counts as 0.
constexpr std::uint64_t to_kb(const std::optional<std::uint64_t>& bytes) {
    return bytes ? *bytes / 1024 : 0;
}

/// The container's swap, shared by meminfo and swaps so the two files agree.
struct SwapView {
    std::uint64_t total_kb = 0;           ///< min(host SwapTotal, swap limit)
    std::optional<std::uint64_t> used_kb; ///< at most total_kb; nullopt when unreadable
};

SwapView swap_view(std::uint64_t host_swap_total_kb, const MemoryStats& mem);

} // namespace lensfs::render::detail
