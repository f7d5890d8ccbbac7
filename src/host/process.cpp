#include "host/process.hpp"

#include <limits>

#include "util/parse.hpp"

namespace lensfs::host {

namespace {

/// The start time is field 22; fields are counted from 3 after the command name.
constexpr int kStarttimeWord = 22 - 2;

} // namespace

std::optional<pid_t> parse_ppid(std::string_view status_text) {
    constexpr std::string_view kKey = "PPid:";
    std::optional<pid_t> ppid;
    for_each_line(status_text, [&](std::string_view line) {
        if (ppid || line.substr(0, kKey.size()) != kKey) {
            return;
        }
        auto value = parse_u64(trim(line.substr(kKey.size())));
        if (value && *value <= static_cast<std::uint64_t>(std::numeric_limits<pid_t>::max())) {
            ppid = static_cast<pid_t>(*value);
        }
    });
    return ppid;
}

std::optional<std::uint64_t> parse_starttime_ticks(std::string_view stat_text) {
    auto open = stat_text.find('(');
    auto close = stat_text.rfind(')');
    if (open == std::string_view::npos || close == std::string_view::npos || close < open ||
        !parse_u64(trim(stat_text.substr(0, open)))) {
        return std::nullopt;
    }
    std::string_view rest = stat_text.substr(close + 1);
    std::string_view word;
    for (int i = 0; i < kStarttimeWord; ++i) {
        word = next_word(rest);
    }
    return parse_u64(word);
}

} // namespace lensfs::host
