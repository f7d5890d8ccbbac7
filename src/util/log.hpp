#pragma once

#include <atomic>
#include <cstdint>
#include <string_view>

#include <fmt/format.h>

namespace lensfs {

enum class LogLevel { debug = 0, info = 1, warning = 2, error = 3 };
enum class LogSink { stderr_stream, syslog };

/// The one logger. Thread-safe; every line is written with a single write().
void log_configure(LogLevel min_level, LogSink sink);
bool log_enabled(LogLevel level) noexcept;
void log_write(LogLevel level, std::string_view message) noexcept;

/// Lets one line through per interval; the next line that passes reports how many were dropped.
/// Declare one per call site on the read path (a function-local static).
class RateLimit {
public:
    explicit constexpr RateLimit(std::int64_t interval_ms = 10'000) : interval_ms_(interval_ms) {}
    /// True when a line may be written now; @p suppressed receives the count dropped since.
    bool allow(std::uint64_t& suppressed) noexcept;

private:
    std::int64_t interval_ms_;
    std::atomic<std::int64_t> next_ms_{0};
    std::atomic<std::uint64_t> dropped_{0};
};

template <typename... Args>
void log(LogLevel level, fmt::format_string<Args...> format, Args&&... args) noexcept {
    if (!log_enabled(level)) {
        return;
    }
    try {
        log_write(level, fmt::format(format, std::forward<Args>(args)...));
    } catch (...) {
        log_write(LogLevel::error, "log message could not be formatted");
    }
}

template <typename... Args>
void log_debug(fmt::format_string<Args...> format, Args&&... args) noexcept {
    log(LogLevel::debug, format, std::forward<Args>(args)...);
}
template <typename... Args>
void log_info(fmt::format_string<Args...> format, Args&&... args) noexcept {
    log(LogLevel::info, format, std::forward<Args>(args)...);
}
template <typename... Args>
void log_warn(fmt::format_string<Args...> format, Args&&... args) noexcept {
    log(LogLevel::warning, format, std::forward<Args>(args)...);
}
template <typename... Args>
void log_error(fmt::format_string<Args...> format, Args&&... args) noexcept {
    log(LogLevel::error, format, std::forward<Args>(args)...);
}

/// A warning through @p limit: for conditions that can repeat on every read.
template <typename... Args>
void log_warn_limited(RateLimit& limit, fmt::format_string<Args...> format,
                      Args&&... args) noexcept {
    std::uint64_t suppressed = 0;
    if (!log_enabled(LogLevel::warning) || !limit.allow(suppressed)) {
        return;
    }
    try {
        std::string line = fmt::format(format, std::forward<Args>(args)...);
        if (suppressed > 0) {
            line += fmt::format(" ({} similar messages suppressed)", suppressed);
        }
        log_write(LogLevel::warning, line);
    } catch (...) {
        log_write(LogLevel::error, "log message could not be formatted");
    }
}

} // namespace lensfs
