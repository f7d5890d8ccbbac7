#include "model/cpu.hpp"

#include <algorithm>

#include "util/parse.hpp"

namespace lensfs {

CpuSet::CpuSet(std::vector<unsigned> cpus) : cpus_(std::move(cpus)) {
    std::sort(cpus_.begin(), cpus_.end());
    cpus_.erase(std::unique(cpus_.begin(), cpus_.end()), cpus_.end());
}

namespace {

bool parse_range(std::string_view item, std::vector<unsigned>& out) {
    auto [lo_text, hi_text] = split_first(item, '-');
    auto lo = parse_u64(lo_text);
    auto hi = item.find('-') == std::string_view::npos ? lo : parse_u64(hi_text);
    if (!lo || !hi || *lo > *hi || *hi > kMaxCpuId) {
        return false;
    }
    for (auto cpu = *lo; cpu <= *hi; ++cpu) {
        out.push_back(static_cast<unsigned>(cpu));
    }
    return true;
}

} // namespace

std::optional<CpuSet> CpuSet::parse(std::string_view text) {
    text = trim(text);
    std::vector<unsigned> cpus;
    while (!text.empty()) {
        auto [item, rest] = split_first(text, ',');
        if (!parse_range(item, cpus)) {
            return std::nullopt;
        }
        if (rest.empty() && text.size() > item.size()) {
            return std::nullopt; // trailing comma
        }
        text = rest;
    }
    return CpuSet(std::move(cpus));
}

namespace {

std::optional<unsigned> hex_digit(char c) {
    if (c >= '0' && c <= '9') {
        return static_cast<unsigned>(c - '0');
    }
    if (c >= 'a' && c <= 'f') {
        return static_cast<unsigned>(c - 'a' + 10);
    }
    if (c >= 'A' && c <= 'F') {
        return static_cast<unsigned>(c - 'A' + 10);
    }
    return std::nullopt;
}

constexpr std::size_t kDigitsPerGroup = 8;

} // namespace

std::optional<CpuSet> CpuSet::parse_mask(std::string_view text) {
    text = trim(text);
    std::vector<unsigned> cpus;
    unsigned bit = 0;
    std::size_t group_digits = 0;
    for (auto it = text.rbegin(); it != text.rend(); ++it) {
        if (*it == ',') {
            if (group_digits != kDigitsPerGroup) {
                return std::nullopt; // only the first group may be short
            }
            group_digits = 0;
            continue;
        }
        auto digit = hex_digit(*it);
        if (!digit || ++group_digits > kDigitsPerGroup) {
            return std::nullopt;
        }
        for (unsigned k = 0; k < 4; ++k, ++bit) {
            if ((*digit & (1U << k)) == 0) {
                continue;
            }
            if (bit > kMaxCpuId) {
                return std::nullopt;
            }
            cpus.push_back(bit);
        }
    }
    if (text.empty() || group_digits == 0) {
        return std::nullopt;
    }
    return CpuSet(std::move(cpus));
}

std::string CpuSet::format_mask(std::size_t nbits) const {
    std::size_t digits = nbits == 0 ? 1 : (nbits + 3) / 4;
    std::string reversed;
    for (std::size_t d = 0; d < digits; ++d) {
        if (d > 0 && d % kDigitsPerGroup == 0) {
            reversed.push_back(',');
        }
        unsigned value = 0;
        for (unsigned k = 0; k < 4; ++k) {
            auto cpu = static_cast<unsigned>(d * 4 + k);
            if (cpu < nbits && contains(cpu)) {
                value |= 1U << k;
            }
        }
        reversed.push_back("0123456789abcdef"[value]);
    }
    return {reversed.rbegin(), reversed.rend()};
}

CpuSet CpuSet::renumbered(const CpuSet& visible) const {
    std::vector<unsigned> out;
    const auto& v = visible.cpus();
    for (unsigned cpu : cpus_) {
        auto it = std::lower_bound(v.begin(), v.end(), cpu);
        if (it != v.end() && *it == cpu) {
            out.push_back(static_cast<unsigned>(it - v.begin()));
        }
    }
    return CpuSet(std::move(out));
}

CpuSet CpuSet::first(unsigned count) {
    std::vector<unsigned> cpus(count);
    for (unsigned i = 0; i < count; ++i) {
        cpus[i] = i;
    }
    return CpuSet(std::move(cpus));
}

std::string CpuSet::format() const {
    std::string out;
    for (std::size_t i = 0; i < cpus_.size();) {
        std::size_t j = i;
        while (j + 1 < cpus_.size() && cpus_[j + 1] == cpus_[j] + 1) {
            ++j;
        }
        if (!out.empty()) {
            out += ',';
        }
        out += std::to_string(cpus_[i]);
        if (j > i) {
            out += '-';
            out += std::to_string(cpus_[j]);
        }
        i = j + 1;
    }
    return out;
}

bool CpuSet::contains(unsigned cpu) const {
    return std::binary_search(cpus_.begin(), cpus_.end(), cpu);
}

CpuSet CpuSet::truncated(std::size_t count) const {
    if (count >= cpus_.size()) {
        return *this;
    }
    return CpuSet(std::vector<unsigned>(cpus_.begin(), cpus_.begin() + static_cast<long>(count)));
}

unsigned cpus_for_limit(const CpuLimit& limit) {
    if (limit.period_us == 0) {
        return 1;
    }
    std::uint64_t n = (limit.quota_us + limit.period_us - 1) / limit.period_us;
    if (n == 0) {
        return 1;
    }
    return n > kMaxCpuId + 1 ? kMaxCpuId + 1 : static_cast<unsigned>(n);
}

CpuSet visible_cpus(const CpuSet& cpuset, const std::optional<CpuLimit>& limit, bool quota_view) {
    if (!quota_view || !limit) {
        return cpuset;
    }
    return cpuset.truncated(cpus_for_limit(*limit));
}

namespace {

constexpr double kNsPerSecond = 1e9;

std::uint64_t scaled(std::uint64_t value, std::uint64_t keep, std::uint64_t of) {
    if (of == 0 || keep >= of) {
        return value;
    }
    // long double keeps 64 bits of mantissa: exact enough for nanosecond counters.
    return static_cast<std::uint64_t>(static_cast<long double>(value) * keep / of);
}

std::uint64_t minus(std::uint64_t a, std::uint64_t b) {
    return a > b ? a - b : 0;
}

} // namespace

std::uint64_t excluded_cpu_ns(const CpuBaseline& base, double start_boottime_s, std::size_t cpus) {
    double window = std::max(0.0, base.at_boottime_s - start_boottime_s);
    double could = window * static_cast<double>(std::max<std::size_t>(cpus, 1)) * kNsPerSecond;
    double before = static_cast<double>(base.total_ns());
    return before > could ? static_cast<std::uint64_t>(before - could) : 0;
}

CpuUsage without(const CpuUsage& usage, std::uint64_t excluded) {
    std::uint64_t total = usage.total_ns();
    if (excluded == 0 || total == 0) {
        return usage;
    }
    std::uint64_t keep = minus(total, excluded);
    CpuUsage out;
    out.user_ns = scaled(usage.user_ns, keep, total);
    out.system_ns = scaled(usage.system_ns, keep, total);
    out.per_cpu.reserve(usage.per_cpu.size());
    for (const CpuUsagePerCpu& c : usage.per_cpu) {
        out.per_cpu.push_back(
            {c.cpu, scaled(c.user_ns, keep, total), scaled(c.system_ns, keep, total)});
    }
    return out;
}

StatCounters counters_since_start(const StatCounters& now, const CpuBaseline& base,
                                  double start_boottime_s) {
    double window = std::max(0.0, base.at_boottime_s - start_boottime_s);
    double share = base.at_boottime_s > 0 ? std::min(1.0, window / base.at_boottime_s) : 0;
    auto one = [&](std::uint64_t n, std::uint64_t b) {
        return minus(n, b) + static_cast<std::uint64_t>(static_cast<double>(b) * share);
    };
    return {one(now.intr, base.host.intr), one(now.ctxt, base.host.ctxt),
            one(now.processes, base.host.processes), one(now.softirq, base.host.softirq)};
}

} // namespace lensfs
