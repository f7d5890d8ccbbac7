#pragma once

#include <array>
#include <cstdint>

/// The kernel's load average arithmetic (include/linux/sched/loadavg.h, kernel/sched/loadavg.c),
/// reproduced bit for bit so that a container's /proc/loadavg moves exactly as the host's would
/// under the same task counts. Pure; no I/O.
namespace lensfs::loadavg {

inline constexpr unsigned kFshift = 11;                 ///< bits of fraction
inline constexpr std::uint64_t kFixed1 = 1u << kFshift; ///< 1.0 in fixed point
inline constexpr std::uint64_t kExp1 = 1884;            ///< 2048 / exp(5 s / 1 min)
inline constexpr std::uint64_t kExp5 = 2014;            ///< 2048 / exp(5 s / 5 min)
inline constexpr std::uint64_t kExp15 = 2037;           ///< 2048 / exp(5 s / 15 min)
inline constexpr std::array<std::uint64_t, 3> kExps = {kExp1, kExp5, kExp15};
/// Seconds between samples (the kernel's LOAD_FREQ is 5 s and one tick).
inline constexpr unsigned kSampleSeconds = 5;

/// One sample: load * e + active * (1 - e), in fixed point. @p active is the task count times
/// kFixed1. Rounds up while the average rises and down while it falls, as the kernel does since
/// 4.x, so that a steady count of n converges to exactly n.00 and an idle system to 0.00.
constexpr std::uint64_t calc_load(std::uint64_t load, std::uint64_t exp, std::uint64_t active) {
    std::uint64_t next = load * exp + active * (kFixed1 - exp);
    if (active >= load) {
        next += kFixed1 - 1;
    }
    return next / kFixed1;
}

/// x^n in fixed point with @p frac_bits of fraction, rounding each product to nearest
/// (the kernel's fixed_power_int()).
std::uint64_t fixed_power(std::uint64_t x, unsigned frac_bits, unsigned n);

/// @p n samples of the same @p active count at once: calc_load() with e^n (calc_load_n()).
/// Used when samples were missed; n = 0 leaves @p load unchanged.
std::uint64_t calc_load_n(std::uint64_t load, std::uint64_t exp, std::uint64_t active, unsigned n);

} // namespace lensfs::loadavg

namespace lensfs {

/// The 1, 5 and 15 minute averages in the kernel's fixed point (1.0 = loadavg::kFixed1).
struct LoadAverages {
    std::array<std::uint64_t, 3> fixed{};

    /// Folds in @p periods samples (normally 1) during which @p active_tasks tasks were
    /// runnable or uninterruptible.
    void update(std::uint64_t active_tasks, unsigned periods = 1);

    bool operator==(const LoadAverages&) const = default;
};

/// Everything /proc/loadavg shows for one container.
struct LoadavgFigures {
    LoadAverages averages;
    std::uint32_t running = 0;  ///< tasks in state R at the last sample
    std::uint32_t total = 0;    ///< tasks (threads) in the container at the last sample
    std::uint32_t last_pid = 0; ///< see view/loadavg_sampler.hpp for what it stands for
};

} // namespace lensfs
