#include "view/loadavg_sampler.hpp"

#include <algorithm>
#include <limits>
#include <tuple>

#include <fmt/format.h>

#include "util/file.hpp"
#include "util/log.hpp"
#include "util/maps.hpp"
#include "util/parse.hpp"
#include "view/ns_cache.hpp"

namespace lensfs::view {

namespace {

/// Samples folded in at once after a stall; beyond an hour every average has forgotten the
/// past anyway, and the schedule restarts from now.
constexpr unsigned kMaxCatchUp = 720;

bool cgroup_gone(const Error& e) {
    return e.code == ENOENT || e.code == ENODEV;
}

std::uint32_t clamp32(std::uint64_t v) {
    return static_cast<std::uint32_t>(std::min<std::uint64_t>(v, UINT32_MAX));
}

/// @p part of the @p read tasks, scaled to all @p listed ones.
std::uint64_t scale(std::uint64_t part, std::uint64_t read, std::uint64_t listed) {
    return read == 0 ? 0 : (part * listed + read / 2) / read;
}

} // namespace

std::optional<char> parse_task_state(std::string_view stat_text) {
    auto close = stat_text.rfind(')');
    if (close == std::string_view::npos || close + 2 >= stat_text.size() ||
        stat_text[close + 1] != ' ') {
        return std::nullopt;
    }
    char state = stat_text[close + 2];
    bool letter = (state >= 'A' && state <= 'Z') || (state >= 'a' && state <= 'z');
    return letter ? std::optional<char>(state) : std::nullopt;
}

std::optional<std::uint32_t> LoadavgSampler::visible_pid(pid_t host_pid,
                                                         std::string& scratch) const {
    if (!proc_.task_file(host_pid, "status", scratch)) {
        return std::nullopt; // exited
    }
    // Kernels before 4.1 have no NSpid line: the host's number is all there is.
    auto inner = parse_innermost_nspid(scratch);
    return static_cast<std::uint32_t>(inner ? *inner : host_pid);
}

std::pair<pid_t, std::uint32_t> LoadavgSampler::newest_task(const std::vector<pid_t>& ids,
                                                            const TaskCounts* previous,
                                                            std::string& scratch) const {
    constexpr int kTries = 8; // tasks that exited since the list was read are passed over
    pid_t below = std::numeric_limits<pid_t>::max();
    pid_t first = 0;
    for (int i = 0; i < kTries; ++i) {
        pid_t best = 0;
        for (pid_t id : ids) {
            best = id < below && id > best ? id : best;
        }
        if (best == 0) {
            break;
        }
        first = first == 0 ? best : first;
        if (previous != nullptr && previous->newest_host_pid == best) {
            return {best, previous->last_pid};
        }
        if (auto inner = visible_pid(best, scratch)) {
            return {best, *inner};
        }
        below = best;
    }
    return {first, static_cast<std::uint32_t>(first)};
}

Result<TaskCounts> LoadavgSampler::count_tasks(const cgroup::TaskSource& source,
                                               std::string& scratch, const TaskCounts* previous,
                                               std::size_t max_reads) {
    thread_local cgroup::TaskList list;
    list.ids.clear();
    list.skipped = 0;
    if (Status st = reader_.list_tasks(source, list, kMaxTasksListed, scratch); !st) {
        return std::move(st).error();
    }
    const std::size_t listed = list.ids.size();
    const std::size_t stride =
        listed > max_reads && max_reads > 0 ? (listed + max_reads - 1) / max_reads : 1;
    std::uint64_t running = 0;
    std::uint64_t blocked = 0;
    std::uint64_t read = 0;
    std::uint64_t gone = 0;
    for (std::size_t i = 0; i < listed; i += stride) {
        pid_t tid = list.ids[i];
        std::optional<char> state;
        if (proc_.task_file(tid, "stat", scratch)) {
            state = parse_task_state(scratch);
        }
        char s = state.value_or('\0');
        if (s == '\0') {
            ++gone; // exited since the list was read
            continue;
        }
        ++read;
        running += s == 'R' ? 1 : 0;
        blocked += s == 'D' ? 1 : 0;
    }
    // Threads not read stand for as many as their share; exited ones are left out.
    std::uint64_t total = listed + list.skipped - std::min<std::uint64_t>(gone * stride, listed);
    TaskCounts counts;
    counts.running = clamp32(scale(running, read, total));
    counts.uninterruptible = clamp32(scale(blocked, read, total));
    counts.total = clamp32(total);
    std::tie(counts.newest_host_pid, counts.last_pid) = newest_task(list.ids, previous, scratch);
    return counts;
}

Result<LoadavgFigures> LoadavgSampler::note_read(const cgroup::ProcCgroups& cg,
                                                 Clock::time_point now) {
    auto source = reader_.task_source(cg);
    if (!source) {
        return std::move(source).error();
    }
    std::string key = source->key();
    {
        std::lock_guard lock(mutex_);
        if (auto it = entries_.find(key); it != entries_.end()) {
            it->second.last_read = now;
            return it->second.figures;
        }
    }
    // A first read walks the tasks once, so that RUNNING/TOTAL and LAST_PID are right from
    // the start; the averages wait for the sampler.
    thread_local std::string scratch;
    auto counts = count_tasks(*source, scratch);
    if (!counts) {
        return std::move(counts).error();
    }
    std::lock_guard lock(mutex_);
    auto [it, inserted] = entries_.try_emplace(std::move(key));
    Entry& entry = it->second;
    entry.last_read = now;
    if (inserted) {
        entry.source = std::move(*source);
        entry.figures.running = counts->running;
        entry.figures.total = counts->total;
        entry.figures.last_pid = counts->last_pid;
        entry.counts = *counts;
        if (entries_.size() > kMaxContainers) {
            evict_one();
        }
    }
    return entry.figures;
}

void LoadavgSampler::evict_one() {
    auto oldest =
        std::min_element(entries_.begin(), entries_.end(), [](const auto& a, const auto& b) {
            return a.second.last_read < b.second.last_read;
        });
    if (oldest != entries_.end()) {
        entries_.erase(oldest);
    }
}

std::vector<LoadavgSampler::Job> LoadavgSampler::take_jobs(Clock::time_point now) {
    std::vector<Job> jobs;
    std::lock_guard lock(mutex_);
    jobs.reserve(entries_.size());
    for (auto it = entries_.begin(); it != entries_.end();) {
        if (now - it->second.last_read > kIdleExpiry) {
            it = entries_.erase(it);
            continue;
        }
        const Entry& e = it->second;
        jobs.push_back({it->first, e.source, e.last_sample, e.sampled, e.counts, Error{}});
        ++it;
    }
    return jobs;
}

void LoadavgSampler::apply(Job& job, Clock::time_point now) {
    auto it = entries_.find(job.key);
    if (it == entries_.end()) {
        return;
    }
    Entry& e = it->second;
    if (!job.counts) {
        if (cgroup_gone(job.counts.error())) {
            entries_.erase(it);
            return;
        }
        static RateLimit limit;
        log_warn_limited(limit, "loadavg: cannot count the tasks of {}: {}", job.source.path,
                         job.counts.error().message());
        return; // keeps its averages until the tasks can be counted again
    }
    unsigned periods = 1;
    if (!e.sampled) {
        e.sampled = true;
        e.last_sample = now;
    } else {
        auto elapsed = now - e.last_sample;
        // Samples owed, to the nearest: a timer a little early or late still counts one.
        auto due = (elapsed + std::chrono::milliseconds(kInterval) / 2) / kInterval;
        periods = static_cast<unsigned>(std::clamp<decltype(due)>(due, 0, kMaxCatchUp));
        e.last_sample = due > kMaxCatchUp ? now : e.last_sample + periods * kInterval;
    }
    const TaskCounts& c = *job.counts;
    if (periods > 0) {
        e.figures.averages.update(std::uint64_t{c.running} + c.uninterruptible, periods);
    }
    e.figures.running = c.running;
    e.figures.total = c.total;
    e.figures.last_pid = c.last_pid;
    e.counts = c;
}

void LoadavgSampler::sample(Clock::time_point now) {
    std::vector<Job> jobs = take_jobs(now);
    thread_local std::string scratch;
    std::size_t share = kStatReadsPerSample / std::max<std::size_t>(jobs.size(), 1);
    share = std::clamp(share, kMinReadsPerContainer, kMaxReadsPerContainer);
    for (Job& job : jobs) {
        job.counts = count_tasks(job.source, scratch, &job.previous, share);
    }
    std::lock_guard lock(mutex_);
    for (Job& job : jobs) {
        apply(job, now);
    }
    shrink_buckets(entries_); // containers gone since the last sample
}

std::size_t LoadavgSampler::tracked() const {
    std::lock_guard lock(mutex_);
    return entries_.size();
}

// Line format: hierarchy, v2 (0/1), the three fixed-point averages, then the cgroup path to the
// end of the line (paths with a newline are not saved).
std::string LoadavgSampler::save() const {
    std::string out;
    std::lock_guard lock(mutex_);
    for (const auto& [key, e] : entries_) {
        if (!e.sampled || e.source.path.find('\n') != std::string::npos) {
            continue;
        }
        const auto& f = e.figures.averages.fixed;
        out += fmt::format("{} {} {} {} {} {}\n", e.source.hierarchy, e.source.v2 ? 1 : 0, f[0],
                           f[1], f[2], e.source.path);
    }
    return out;
}

std::size_t LoadavgSampler::restore(std::string_view text, Clock::time_point now) {
    std::size_t taken = 0;
    std::lock_guard lock(mutex_);
    while (!text.empty() && entries_.size() < kMaxContainers) {
        auto [line, rest] = split_first(text, '\n');
        text = rest;
        std::array<std::uint64_t, 5> n{};
        std::string_view tail = line;
        bool ok = take_u64_words(tail, n);
        if (!ok || n[0] > 64 || n[1] > 1 || tail.empty() || tail.front() != '/') {
            continue;
        }
        Entry e;
        e.source = cgroup::TaskSource{static_cast<int>(n[0]), n[1] == 1, std::string(tail)};
        e.figures.averages.fixed = {n[2], n[3], n[4]};
        e.last_read = now;
        e.last_sample = now;
        e.sampled = true;
        taken += entries_.try_emplace(e.source.key(), std::move(e)).second ? 1 : 0;
    }
    return taken;
}

} // namespace lensfs::view
