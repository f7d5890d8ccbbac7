#include "host/proc_files.hpp"

#include <array>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <vector>

#include <fmt/format.h>

#include "util/parse.hpp"

namespace lensfs::host {

namespace {

constexpr std::size_t kContextChars = 80; // a garbage file must not make a huge message

Error bad_input(std::string_view file, std::size_t line_no, std::string_view line) {
    return make_error(EINVAL, fmt::format("{} line {}: unexpected {:?}", file, line_no,
                                          line.substr(0, kContextChars)));
}

Error bad_file(std::string_view file, std::string_view why) {
    return make_error(EINVAL, fmt::format("{}: {}", file, why));
}

/// One line of a text, with where the next one starts.
struct Line {
    std::string_view text; ///< without the newline
    std::size_t next = 0;  ///< offset just past the newline (or the end)
};

Line line_at(std::string_view text, std::size_t pos) {
    auto nl = text.find('\n', pos);
    if (nl == std::string_view::npos) {
        return {text.substr(pos), text.size()};
    }
    return {text.substr(pos, nl - pos), nl + 1};
}

// ---- meminfo -------------------------------------------------------------------------------

bool parse_meminfo_line(std::string_view line, MeminfoEntry& entry) {
    auto colon = line.find(':');
    if (colon == 0 || colon == std::string_view::npos) {
        return false;
    }
    std::string_view name = line.substr(0, colon);
    if (name.find_first_of(" \t") != std::string_view::npos) {
        return false;
    }
    std::string_view rest = line.substr(colon + 1);
    auto value = parse_u64(next_word(rest));
    std::string_view unit = next_word(rest);
    if (!value || !trim(rest).empty() || (!unit.empty() && unit != "kB")) {
        return false;
    }
    entry.name.assign(name);
    entry.value = *value;
    entry.kb = !unit.empty();
    return true;
}

// ---- stat ----------------------------------------------------------------------------------

/// Linux 2.4 printed user, nice, system, idle; every later kernel prints more.
constexpr std::size_t kMinCpuFields = 4;
constexpr std::size_t kCpuFields = 10;

bool parse_cpu_times(std::string_view rest, CpuTimes& times) {
    std::array<std::uint64_t*, kCpuFields> fields = {
        &times.user, &times.nice,    &times.system, &times.idle,  &times.iowait,
        &times.irq,  &times.softirq, &times.steal,  &times.guest, &times.guest_nice};
    std::size_t count = 0;
    for (auto word = next_word(rest); !word.empty(); word = next_word(rest)) {
        auto value = parse_u64(word);
        if (!value) {
            return false;
        }
        // Figures a future kernel may add are ignored: the renderer prints the ten it knows.
        if (count < kCpuFields) {
            *fields[count] = *value;
        }
        ++count;
    }
    return count >= kMinCpuFields;
}

enum class CpuLineKind { aggregate, per_cpu, other, bad };

/// Classifies a /proc/stat line by its first word and parses it when it is a cpu line.
CpuLineKind parse_cpu_line(std::string_view line, unsigned& cpu, CpuTimes& times) {
    std::string_view rest = line;
    std::string_view word = next_word(rest);
    if (word.substr(0, 3) != "cpu") {
        return CpuLineKind::other;
    }
    CpuLineKind kind = CpuLineKind::aggregate;
    if (word.size() > 3) {
        auto number = parse_u64(word.substr(3));
        if (!number || *number > kMaxCpuId) {
            return CpuLineKind::bad;
        }
        cpu = static_cast<unsigned>(*number);
        kind = CpuLineKind::per_cpu;
    }
    times = CpuTimes{};
    return parse_cpu_times(rest, times) ? kind : CpuLineKind::bad;
}

// ---- cpuinfo -------------------------------------------------------------------------------

enum class ProcessorLine { no, yes, bad };

/// "processor<blanks>: N" starts a block; s390's "processor 0: ..." does not.
ProcessorLine parse_processor_line(std::string_view line, unsigned& number) {
    constexpr std::string_view kKey = "processor";
    if (line.substr(0, kKey.size()) != kKey || line.size() == kKey.size() ||
        (line[kKey.size()] != ' ' && line[kKey.size()] != '\t')) {
        return ProcessorLine::no;
    }
    std::string_view rest = line.substr(kKey.size());
    auto colon = rest.find(':');
    if (colon == std::string_view::npos || !trim(rest.substr(0, colon)).empty()) {
        return ProcessorLine::no;
    }
    auto value = parse_u64(trim(rest.substr(colon + 1)));
    if (!value || *value > kMaxCpuId) {
        return ProcessorLine::bad;
    }
    number = static_cast<unsigned>(*value);
    return ProcessorLine::yes;
}

/// Where the last block ends: just past its first blank line, or the end of the text.
std::size_t last_block_end(std::string_view text, std::size_t pos) {
    while (pos < text.size()) {
        Line line = line_at(text, pos);
        pos = line.next;
        if (line.text.empty()) {
            break;
        }
    }
    return pos;
}

// ---- uptime --------------------------------------------------------------------------------

/// A plain non-negative decimal ("123", "123.45"): no sign, exponent, inf or nan.
std::optional<double> parse_seconds(std::string_view word) {
    constexpr std::size_t kMaxChars = 32;
    if (word.empty() || word.size() > kMaxChars || word.front() == '.' ||
        word.find_first_not_of("0123456789.") != std::string_view::npos ||
        word.find('.') != word.rfind('.')) {
        return std::nullopt;
    }
    double value = 0;
    auto [end, ec] = std::from_chars(word.data(), word.data() + word.size(), value);
    if (ec != std::errc{} || end != word.data() + word.size() || !std::isfinite(value)) {
        return std::nullopt;
    }
    return value;
}

} // namespace

Result<HostMeminfo> parse_meminfo(std::string_view text) {
    HostMeminfo info;
    info.entries.reserve(64);
    std::size_t line_no = 0;
    for (std::size_t pos = 0; pos < text.size();) {
        Line line = line_at(text, pos);
        pos = line.next;
        ++line_no;
        if (trim(line.text).empty()) {
            continue;
        }
        MeminfoEntry entry;
        if (!parse_meminfo_line(line.text, entry)) {
            return bad_input("meminfo", line_no, line.text);
        }
        info.entries.push_back(std::move(entry));
    }
    if (!info.get("MemTotal")) {
        return bad_file("meminfo", "no MemTotal line");
    }
    return info;
}

Result<HostStat> parse_stat(std::string_view text) {
    HostStat stat;
    std::size_t line_no = 0;
    std::size_t pos = 0;
    while (pos < text.size()) {
        Line line = line_at(text, pos);
        ++line_no;
        unsigned cpu = 0;
        CpuTimes times;
        CpuLineKind kind = parse_cpu_line(line.text, cpu, times);
        if (kind == CpuLineKind::other && line_no > 1) {
            break; // the tail starts here
        }
        bool first = line_no == 1;
        if (kind == CpuLineKind::bad || first != (kind == CpuLineKind::aggregate) ||
            (!stat.per_cpu.empty() && cpu <= stat.per_cpu.back().first)) {
            return bad_input("stat", line_no, line.text);
        }
        if (first) {
            stat.total = times;
        } else {
            stat.per_cpu.emplace_back(cpu, times);
        }
        pos = line.next;
    }
    if (stat.per_cpu.empty()) {
        return bad_file("stat", "no cpuN line");
    }
    stat.tail.assign(text.substr(pos));
    return stat;
}

StatCounters parse_stat_counters(std::string_view tail) {
    StatCounters c;
    while (!tail.empty()) {
        auto [line, rest] = split_first(tail, '\n');
        tail = rest;
        auto [key, values] = split_first(line, ' ');
        std::uint64_t first = parse_u64(split_first(trim(values), ' ').first).value_or(0);
        if (key == "intr") {
            c.intr = first;
        } else if (key == "ctxt") {
            c.ctxt = first;
        } else if (key == "processes") {
            c.processes = first;
        } else if (key == "softirq") {
            c.softirq = first;
        }
    }
    return c;
}

Result<HostCpuinfo> parse_cpuinfo(std::string_view text) {
    if (text.empty() || text.find('\0') != std::string_view::npos) {
        return bad_file("cpuinfo", "empty or binary");
    }
    HostCpuinfo info;
    unsigned number = 0;
    if (parse_processor_line(line_at(text, 0).text, number) == ProcessorLine::no) {
        info.trailer.assign(text); // a layout without per-processor blocks: kept as it is
        return info;
    }
    std::vector<bool> seen(kMaxCpuId + 1);
    std::size_t line_no = 0;
    std::size_t body_start = 0;
    for (std::size_t pos = 0; pos < text.size();) {
        Line line = line_at(text, pos);
        ++line_no;
        ProcessorLine kind = parse_processor_line(line.text, number);
        if (kind == ProcessorLine::bad || (kind == ProcessorLine::yes && seen[number])) {
            return bad_input("cpuinfo", line_no, line.text);
        }
        if (kind == ProcessorLine::yes) {
            if (!info.blocks.empty()) {
                info.blocks.back().body.assign(text.substr(body_start, pos - body_start));
            }
            seen[number] = true;
            info.blocks.push_back({number, {}});
            body_start = line.next;
        }
        pos = line.next;
    }
    std::size_t end = last_block_end(text, body_start);
    info.blocks.back().body.assign(text.substr(body_start, end - body_start));
    info.trailer.assign(text.substr(end));
    return info;
}

Result<HostUptime> parse_uptime(std::string_view text) {
    std::string_view rest = text;
    auto uptime = parse_seconds(next_word(rest));
    auto idle = parse_seconds(next_word(rest));
    if (!uptime || !idle || !trim(rest).empty()) {
        return bad_input("uptime", 1, text);
    }
    return HostUptime{*uptime, *idle};
}

} // namespace lensfs::host
