#include <algorithm>
#include <cmath>
#include <iterator>
#include <vector>

#include <fmt/compile.h>
#include <fmt/format.h>

#include "render/detail.hpp"
#include "render/render.hpp"
#include "util/parse.hpp"

namespace lensfs::render {

namespace {

constexpr std::uint64_t kNsPerSecond = 1'000'000'000;
constexpr unsigned kDefaultHz = 100; // USER_HZ on every architecture Linux runs containers on

/// One visible CPU: its host number and the host's line for it.
struct Cpu {
    unsigned host_cpu = 0;
    const CpuTimes* host = nullptr;
};

/// The host's line for @p cpu. Lines are in ascending order on every kernel (the parser
/// checks); a struct from elsewhere might not be, hence the linear fallback.
const CpuTimes* find_host_cpu(const HostStat& host, unsigned cpu, bool sorted) {
    const auto& lines = host.per_cpu;
    auto it = sorted ? std::lower_bound(lines.begin(), lines.end(), cpu,
                                        [](const auto& line, unsigned c) { return line.first < c; })
                     : std::find_if(lines.begin(), lines.end(),
                                    [cpu](const auto& line) { return line.first == cpu; });
    return it != lines.end() && it->first == cpu ? &it->second : nullptr;
}

/// The visible CPUs that the host's file lists (an offline CPU has no line), in order. With
/// no visible CPU listed, the host's own CPUs: the file never loses its cpuN lines.
std::vector<Cpu> pick_cpus(const HostStat& host, const CpuSet* visible) {
    bool sorted = std::is_sorted(host.per_cpu.begin(), host.per_cpu.end(),
                                 [](const auto& a, const auto& b) { return a.first < b.first; });
    std::vector<Cpu> cpus;
    if (visible != nullptr) {
        cpus.reserve(visible->size());
        for (unsigned cpu : visible->cpus()) {
            if (const CpuTimes* times = find_host_cpu(host, cpu, sorted)) {
                cpus.push_back({cpu, times});
            }
        }
    }
    if (cpus.empty()) {
        cpus.reserve(host.per_cpu.size());
        for (const auto& [number, times] : host.per_cpu) {
            cpus.push_back({number, &times});
        }
    }
    return cpus;
}

/// The index of host CPU @p cpu in @p cpus, or cpus.size().
std::size_t index_of(const std::vector<Cpu>& cpus, unsigned cpu, bool sorted) {
    auto it = sorted ? std::lower_bound(cpus.begin(), cpus.end(), cpu,
                                        [](const Cpu& c, unsigned n) { return c.host_cpu < n; })
                     : std::find_if(cpus.begin(), cpus.end(),
                                    [cpu](const Cpu& c) { return c.host_cpu == cpu; });
    return it != cpus.end() && it->host_cpu == cpu ? static_cast<std::size_t>(it - cpus.begin())
                                                   : cpus.size();
}

std::uint64_t ns_to_ticks(std::uint64_t ns, unsigned hz) {
    return ns / kNsPerSecond * hz + ns % kNsPerSecond * hz / kNsPerSecond;
}

std::uint64_t seconds_to_ticks(double seconds, unsigned hz) {
    constexpr double kMaxTicks = 1e18; // far beyond any uptime; keeps the cast defined
    double ticks = seconds * hz;
    if (!(ticks > 0)) {
        return 0;
    }
    return static_cast<std::uint64_t>(std::min(std::floor(ticks), kMaxTicks));
}

struct Busy {
    std::uint64_t user = 0;
    std::uint64_t system = 0;
    [[nodiscard]] std::uint64_t total() const { return user + system; }
};

/// CPU time not yet given to a visible CPU.
struct Pool {
    std::uint64_t user = 0;
    std::uint64_t system = 0;
};

/// Adds @p amount to @p field of the CPUs: an even share each (lower CPUs take the
/// remainder, so every share only grows with @p amount), but no CPU busier than @p cap; what
/// does not fit goes to CPUs that still have room, in order. Returns what fit nowhere.
std::uint64_t spread(std::vector<Busy>& cpus, std::uint64_t Busy::*field, std::uint64_t amount,
                     std::uint64_t cap) {
    const std::size_t n = cpus.size();
    if (n == 0) {
        return amount;
    }
    std::uint64_t left = 0;
    for (std::size_t i = 0; i < n; ++i) {
        std::uint64_t share = amount / n + (i < amount % n ? 1 : 0);
        std::uint64_t take = std::min(share, cap - cpus[i].total());
        cpus[i].*field += take;
        left += share - take;
    }
    for (std::size_t i = 0; i < n && left > 0; ++i) {
        std::uint64_t take = std::min(left, cap - cpus[i].total());
        cpus[i].*field += take;
        left -= take;
    }
    return left;
}

/// Cuts a CPU busier than the elapsed time down to it, keeping its user/system ratio; the
/// excess joins @p pool to be placed on CPUs with room.
void cap_cpu(Busy& cpu, std::uint64_t cap, Pool& pool) {
    std::uint64_t busy = cpu.total();
    if (busy <= cap) {
        return;
    }
    std::uint64_t user = detail::mul_div(cpu.user, cap, busy);
    std::uint64_t system = std::min(cpu.system, cap - user);
    pool.user += cpu.user - user;
    pool.system += cpu.system - system;
    cpu = {user, system};
}

/// The cgroup's CPU time per visible CPU, in ticks. Time a CPU's own figure gives it stays
/// there; time without a visible CPU of its own (v2 totals, CPUs cut by the quota view) is
/// spread over all. The total is kept unless it exceeds elapsed time on every CPU.
std::vector<Busy> busy_per_cpu(const std::vector<Cpu>& cpus, const CpuUsage& usage,
                               std::uint64_t cap, unsigned hz) {
    std::vector<Busy> busy(cpus.size());
    bool sorted = std::is_sorted(cpus.begin(), cpus.end(), [](const Cpu& a, const Cpu& b) {
        return a.host_cpu < b.host_cpu;
    });
    Pool pool;
    for (const CpuUsagePerCpu& entry : usage.per_cpu) {
        std::size_t i = index_of(cpus, entry.cpu, sorted);
        auto& user = i < busy.size() ? busy[i].user : pool.user;
        auto& system = i < busy.size() ? busy[i].system : pool.system;
        user += ns_to_ticks(entry.user_ns, hz);
        system += ns_to_ticks(entry.system_ns, hz);
    }
    if (usage.per_cpu.empty()) {
        pool = {ns_to_ticks(usage.user_ns, hz), ns_to_ticks(usage.system_ns, hz)};
    }
    for (Busy& cpu : busy) {
        cap_cpu(cpu, cap, pool);
    }
    spread(busy, &Busy::user, pool.user, cap);
    spread(busy, &Busy::system, pool.system, cap);
    return busy;
}

void add(CpuTimes& sum, const CpuTimes& t) {
    sum.user += t.user;
    sum.nice += t.nice;
    sum.system += t.system;
    sum.idle += t.idle;
    sum.iowait += t.iowait;
    sum.irq += t.irq;
    sum.softirq += t.softirq;
    sum.steal += t.steal;
    sum.guest += t.guest;
    sum.guest_nice += t.guest_nice;
}

void append_times(std::string& out, const CpuTimes& t) {
    fmt::format_to(std::back_inserter(out), FMT_COMPILE(" {} {} {} {} {} {} {} {} {} {}\n"), t.user,
                   t.nice, t.system, t.idle, t.iowait, t.irq, t.softirq, t.steal, t.guest,
                   t.guest_nice);
}

/// "key N c1 c2 ...": N replaced by @p shown, each column scaled by shown / N.
void append_scaled_line(std::string& out, std::string_view key, std::string_view values,
                        std::uint64_t shown) {
    auto [first, columns] = split_first(trim(values), ' ');
    std::uint64_t total = parse_u64(first).value_or(0);
    out.append(key);
    out.push_back(' ');
    detail::append_u64(out, shown);
    while (!columns.empty()) {
        auto [word, rest] = split_first(columns, ' ');
        columns = rest;
        std::uint64_t n = parse_u64(word).value_or(0);
        out.push_back(' ');
        detail::append_u64(out, total == 0 ? 0 : detail::mul_div(n, std::min(shown, total), total));
    }
    out.push_back('\n');
}

void append_tail(std::string& out, std::string_view tail, const StatCounters* shown) {
    if (shown == nullptr) {
        out.append(tail);
        return;
    }
    while (!tail.empty()) {
        auto nl = tail.find('\n');
        std::string_view line = tail.substr(0, nl);
        tail = nl == std::string_view::npos ? std::string_view() : tail.substr(nl + 1);
        auto [key, values] = split_first(line, ' ');
        if (key == "intr" || key == "softirq") {
            append_scaled_line(out, key, values, key == "intr" ? shown->intr : shown->softirq);
        } else if (key == "ctxt" || key == "processes") {
            out.append(key);
            out.push_back(' ');
            detail::append_u64(out, key == "ctxt" ? shown->ctxt : shown->processes);
            out.push_back('\n');
        } else {
            out.append(line);
            out.push_back('\n');
        }
    }
}

/// "cpu  <sum>" (the kernel's two spaces) then "cpuN" renumbered from 0, then the tail.
void append_file(std::string& out, const std::vector<CpuTimes>& lines, std::string_view tail,
                 const StatCounters* counters) {
    CpuTimes sum;
    for (const CpuTimes& t : lines) {
        add(sum, t);
    }
    out.append("cpu ");
    append_times(out, sum);
    for (std::size_t i = 0; i < lines.size(); ++i) {
        out.append("cpu");
        detail::append_u64(out, i);
        append_times(out, lines[i]);
    }
    append_tail(out, tail, counters);
}

} // namespace

void stat(const HostStat& host, const StatInput& in, std::string& out) {
    std::vector<Cpu> cpus = pick_cpus(host, in.visible);
    std::vector<CpuTimes> lines(cpus.size());
    if (in.usage == nullptr) {
        for (std::size_t i = 0; i < cpus.size(); ++i) {
            lines[i] = *cpus[i].host;
        }
    } else {
        unsigned hz = in.ticks_per_second != 0 ? in.ticks_per_second : kDefaultHz;
        std::uint64_t elapsed = seconds_to_ticks(in.container_uptime_s, hz);
        std::vector<Busy> busy = busy_per_cpu(cpus, *in.usage, elapsed, hz);
        std::vector<std::uint64_t> idle(cpus.size());
        for (std::size_t i = 0; i < cpus.size(); ++i) {
            lines[i].user = busy[i].user;
            lines[i].system = busy[i].system;
            idle[i] = elapsed - busy[i].total();
        }
        if (in.keep_idle) {
            in.keep_idle(idle);
        }
        for (std::size_t i = 0; i < cpus.size(); ++i) {
            lines[i].idle = idle[i];
        }
    }
    if (lines.empty()) {
        // Only a hand-made HostStat has no cpuN line; keep its aggregate rather than zeros.
        out.append("cpu ");
        append_times(out, host.total);
        out.append(host.tail);
        return;
    }
    append_file(out, lines, host.tail, in.counters);
}

} // namespace lensfs::render
