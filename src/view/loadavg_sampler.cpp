#include "view/loadavg_sampler.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "util/file.hpp"
#include "util/log.hpp"
#include "view/ns_cache.hpp"

namespace lensfs::view {

namespace {

/// Samples folded in at once after a stall; beyond an hour every average has forgotten the
/// past anyway, and the schedule restarts from now.
constexpr unsigned kMaxCatchUp = 720;

/// "<tid>/<leaf>" in a stack buffer: built for every task of every sample, so no allocation.
class TaskPath {
public:
    TaskPath(pid_t tid, std::string_view leaf) {
        auto result = fmt::format_to_n(buf_, sizeof(buf_) - 1, "{}/{}", tid, leaf);
        *result.out = '\0';
    }
    [[nodiscard]] const char* c_str() const { return buf_; }

private:
    char buf_[32];
};

bool cgroup_gone(const Error& e) { return e.code == ENOENT || e.code == ENODEV; }

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

std::uint32_t LoadavgSampler::visible_pid(pid_t host_pid, std::string& scratch) const {
    if (read_file_at(proc_.dirfd(), TaskPath(host_pid, "status").c_str(), scratch)) {
        if (auto inner = parse_innermost_nspid(scratch)) {
            return static_cast<std::uint32_t>(*inner);
        }
    }
    return static_cast<std::uint32_t>(host_pid);
}

Result<TaskCounts> LoadavgSampler::count_tasks(const cgroup::TaskSource& source,
                                               std::string& scratch) {
    thread_local cgroup::TaskList list;
    list.ids.clear();
    list.skipped = 0;
    if (Status st = reader_.list_tasks(source, list, kMaxTasksRead, scratch); !st) {
        return std::move(st).error();
    }
    std::uint64_t running = 0;
    std::uint64_t blocked = 0;
    std::uint64_t alive = 0;
    pid_t newest = 0;
    for (pid_t tid : list.ids) {
        if (!read_file_at(proc_.dirfd(), TaskPath(tid, "stat").c_str(), scratch)) {
            continue; // exited since the list was read
        }
        auto state = parse_task_state(scratch);
        if (!state) {
            continue;
        }
        ++alive;
        running += *state == 'R' ? 1 : 0;
        blocked += *state == 'D' ? 1 : 0;
        newest = std::max(newest, tid);
    }
    std::uint64_t total = alive + list.skipped;
    TaskCounts counts;
    counts.running = clamp32(scale(running, alive, total));
    counts.uninterruptible = clamp32(scale(blocked, alive, total));
    counts.total = clamp32(total);
    counts.last_pid = newest > 0 ? visible_pid(newest, scratch) : 0;
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
        if (entries_.size() > kMaxContainers) {
            evict_one();
        }
    }
    return entry.figures;
}

void LoadavgSampler::evict_one() {
    auto oldest = std::min_element(entries_.begin(), entries_.end(), [](const auto& a,
                                                                         const auto& b) {
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
        jobs.push_back({it->first, e.source, e.last_sample, e.sampled, Error{}});
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
}

void LoadavgSampler::sample(Clock::time_point now) {
    std::vector<Job> jobs = take_jobs(now);
    thread_local std::string scratch;
    for (Job& job : jobs) {
        job.counts = count_tasks(job.source, scratch);
    }
    std::lock_guard lock(mutex_);
    for (Job& job : jobs) {
        apply(job, now);
    }
}

std::size_t LoadavgSampler::tracked() const {
    std::lock_guard lock(mutex_);
    return entries_.size();
}

} // namespace lensfs::view
