#include "render/detail.hpp"
#include "render/render.hpp"

namespace lensfs::render {

namespace {

constexpr std::string_view kHeader = "Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n";
/// mm/swapfile.c pads the file name to 40 columns.
constexpr std::string_view kName = "none";
constexpr std::size_t kNameColumns = 40;
/// ... and adds a second tab after a figure below this, to keep the columns aligned.
constexpr std::uint64_t kShortFigure = 10'000'000;

void append_figure(std::string& out, std::uint64_t kb) {
    detail::append_u64(out, kb);
    out.append(kb < kShortFigure ? "\t\t" : "\t");
}

} // namespace

void swaps(std::uint64_t host_swap_total_kb, const MemoryStats& mem, std::string& out) {
    out.append(kHeader);
    detail::SwapView view = detail::swap_view(host_swap_total_kb, mem);
    if (view.total_kb == 0) {
        return;
    }
    // The container's swap is not a device: one "virtual" line, as wide as the kernel's.
    out.append(kName);
    out.append(kNameColumns - kName.size(), ' ');
    out.append("virtual\t");
    append_figure(out, view.total_kb);
    // Unreadable usage shows as none used: the size alone is still the truth about the limit.
    append_figure(out, view.used_kb.value_or(0));
    out.append("0\n");
}

} // namespace lensfs::render
