#include "util/log.hpp"

#include "util/clock.hpp"

#include <ctime>
#include <syslog.h>
#include <unistd.h>

namespace lensfs {

namespace {

std::atomic<int> g_min_level{static_cast<int>(LogLevel::info)};
std::atomic<int> g_sink{static_cast<int>(LogSink::stderr_stream)};

const char* level_name(LogLevel level) {
    switch (level) {
    case LogLevel::debug:
        return "debug";
    case LogLevel::info:
        return "info";
    case LogLevel::warning:
        return "warning";
    case LogLevel::error:
        return "error";
    }
    return "?";
}

int syslog_priority(LogLevel level) {
    switch (level) {
    case LogLevel::debug:
        return LOG_DEBUG;
    case LogLevel::info:
        return LOG_INFO;
    case LogLevel::warning:
        return LOG_WARNING;
    case LogLevel::error:
        return LOG_ERR;
    }
    return LOG_INFO;
}

} // namespace

void log_configure(LogLevel min_level, LogSink sink) {
    g_min_level = static_cast<int>(min_level);
    g_sink = static_cast<int>(sink);
    if (sink == LogSink::syslog) {
        openlog("lensfs", LOG_PID | LOG_NDELAY, LOG_DAEMON);
    }
}

bool log_enabled(LogLevel level) noexcept { return static_cast<int>(level) >= g_min_level; }

void log_write(LogLevel level, std::string_view message) noexcept {
    if (!log_enabled(level)) {
        return;
    }
    if (g_sink == static_cast<int>(LogSink::syslog)) {
        syslog(syslog_priority(level), "%.*s", static_cast<int>(message.size()), message.data());
        return;
    }
    char line[2048];
    int len = snprintf(line, sizeof line, "lensfs: %s: %.*s\n", level_name(level),
                       static_cast<int>(message.size()), message.data());
    if (len > 0) {
        auto n = static_cast<std::size_t>(len) < sizeof line ? static_cast<std::size_t>(len)
                                                             : sizeof line - 1;
        line[n - 1] = '\n';
        [[maybe_unused]] auto written = ::write(STDERR_FILENO, line, n);
    }
}

bool RateLimit::allow(std::uint64_t& suppressed) noexcept {
    std::int64_t now = monotonic_ms();
    std::int64_t next = next_ms_.load(std::memory_order_relaxed);
    if (now < next || !next_ms_.compare_exchange_strong(next, now + interval_ms_)) {
        dropped_.fetch_add(1, std::memory_order_relaxed);
        return false;
    }
    suppressed = dropped_.exchange(0, std::memory_order_relaxed);
    return true;
}

} // namespace lensfs
