#include "util/clock.hpp"

namespace lensfs {

double clock_seconds(clockid_t clock) noexcept {
    timespec ts{};
    clock_gettime(clock, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

double boottime_now() noexcept {
    return clock_seconds(CLOCK_BOOTTIME);
}

double wall_now() noexcept {
    return clock_seconds(CLOCK_REALTIME);
}

std::int64_t monotonic_ms() noexcept {
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<std::int64_t>(ts.tv_sec) * 1000 + ts.tv_nsec / 1'000'000;
}

} // namespace lensfs
