#include <iterator>

#include <fmt/compile.h>
#include <fmt/format.h>

#include "render/render.hpp"

namespace lensfs::render {

namespace {

/// fs/proc/loadavg.c shows two decimals, rounded to nearest by adding 0.005 before cutting.
constexpr std::uint64_t kRounding = loadavg::kFixed1 / 200;

void append_average(std::string& out, std::uint64_t fixed) {
    std::uint64_t value = fixed + kRounding;
    std::uint64_t whole = value >> loadavg::kFshift;
    std::uint64_t hundredths = ((value & (loadavg::kFixed1 - 1)) * 100) >> loadavg::kFshift;
    fmt::format_to(std::back_inserter(out), FMT_COMPILE("{}.{:02} "), whole, hundredths);
}

} // namespace

void loadavg(const LoadavgFigures& figures, std::string& out) {
    for (std::uint64_t fixed : figures.averages.fixed) {
        append_average(out, fixed);
    }
    fmt::format_to(std::back_inserter(out), FMT_COMPILE("{}/{} {}\n"), figures.running,
                   figures.total, figures.last_pid);
}

} // namespace lensfs::render
