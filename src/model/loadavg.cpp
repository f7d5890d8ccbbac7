#include "model/loadavg.hpp"

#include <limits>

namespace lensfs::loadavg {

std::uint64_t fixed_power(std::uint64_t x, unsigned frac_bits, unsigned n) {
    const std::uint64_t half = std::uint64_t{1} << (frac_bits - 1);
    std::uint64_t result = std::uint64_t{1} << frac_bits;
    // Square-and-multiply; every intermediate stays below 2^(2 * frac_bits) for x <= 1.0.
    while (n != 0) {
        if ((n & 1u) != 0) {
            result = (result * x + half) >> frac_bits;
        }
        n >>= 1;
        if (n == 0) {
            break;
        }
        x = (x * x + half) >> frac_bits;
    }
    return result;
}

std::uint64_t calc_load_n(std::uint64_t load, std::uint64_t exp, std::uint64_t active, unsigned n) {
    if (n == 0) {
        return load;
    }
    return calc_load(load, fixed_power(exp, kFshift, n), active);
}

} // namespace lensfs::loadavg

namespace lensfs {

void LoadAverages::update(std::uint64_t active_tasks, unsigned periods) {
    // Far beyond any real task count; keeps active * kFixed1 * kFixed1 inside 64 bits.
    constexpr std::uint64_t kMaxTasks = std::uint64_t{1} << 32;
    std::uint64_t active = (active_tasks < kMaxTasks ? active_tasks : kMaxTasks) * loadavg::kFixed1;
    for (std::size_t i = 0; i < fixed.size(); ++i) {
        fixed[i] = loadavg::calc_load_n(fixed[i], loadavg::kExps[i], active, periods);
    }
}

} // namespace lensfs
