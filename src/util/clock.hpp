#pragma once

#include <cstdint>
#include <ctime>

namespace lensfs {

/// Seconds on @p clock (CLOCK_BOOTTIME for container start times and uptimes).
double clock_seconds(clockid_t clock) noexcept;

/// Milliseconds on CLOCK_MONOTONIC, for timeouts and rate limits.
std::int64_t monotonic_ms() noexcept;

} // namespace lensfs
