#pragma once

#include <cstdint>
#include <ctime>

namespace lensfs {

/// Seconds on @p clock (CLOCK_BOOTTIME for container start times and uptimes).
double clock_seconds(clockid_t clock) noexcept;

/// Seconds since boot, suspend included (CLOCK_BOOTTIME): the time base of container start
/// times and uptimes. The one place lensfs reads it.
double boottime_now() noexcept;
/// Seconds since the epoch (CLOCK_REALTIME).
double wall_now() noexcept;

/// Milliseconds on CLOCK_MONOTONIC, for timeouts and rate limits.
std::int64_t monotonic_ms() noexcept;

} // namespace lensfs
