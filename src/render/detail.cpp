#include "render/detail.hpp"

#include <algorithm>
#include <iterator>
#include <limits>

#include <fmt/compile.h>
#include <fmt/format.h>

namespace lensfs::render::detail {

void append_u64(std::string& out, std::uint64_t value) {
    fmt::format_to(std::back_inserter(out), FMT_COMPILE("{}"), value);
}

void append_padded(std::string& out, std::uint64_t value, std::size_t width) {
    char digits[24];
    auto* end = fmt::format_to(digits, FMT_COMPILE("{}"), value);
    auto length = static_cast<std::size_t>(end - digits);
    if (length < width) {
        out.append(width - length, ' ');
    }
    out.append(digits, length);
}

std::uint64_t mul_div(std::uint64_t a, std::uint64_t b, std::uint64_t c) {
    __extension__ using Wide = unsigned __int128;
    Wide result = static_cast<Wide>(a) * b / c;
    constexpr auto kMax = std::numeric_limits<std::uint64_t>::max();
    return result > kMax ? kMax : static_cast<std::uint64_t>(result);
}

SwapView swap_view(std::uint64_t host_swap_total_kb, const MemoryStats& mem) {
    SwapView view;
    view.total_kb = host_swap_total_kb;
    if (mem.swap_limit) {
        view.total_kb = std::min(view.total_kb, *mem.swap_limit / 1024);
    }
    if (mem.swap_usage) {
        view.used_kb = std::min(view.total_kb, *mem.swap_usage / 1024);
    }
    return view;
}

} // namespace lensfs::render::detail
