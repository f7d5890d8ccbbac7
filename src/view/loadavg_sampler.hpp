#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "cgroup/reader.hpp"
#include "host/host_proc.hpp"
#include "model/loadavg.hpp"
#include "util/result.hpp"

namespace lensfs::view {

/// The state letter of a /proc/<tid>/stat line (field 3), read after the last ')' since the
/// command name may hold spaces and parentheses.
std::optional<char> parse_task_state(std::string_view stat_text);

/// A container's tasks as one sample sees them.
struct TaskCounts {
    std::uint32_t running = 0;         ///< state R
    std::uint32_t uninterruptible = 0; ///< state D (the kernel's idle 'I' tasks do not count)
    std::uint32_t total = 0;           ///< threads listed
    std::uint32_t last_pid = 0;        ///< the newest task's pid in its own namespace
    pid_t newest_host_pid = 0;         ///< the newest task's pid on the host
};

/// Keeps each container's load averages the way the kernel keeps the host's: every
/// kInterval, the number of its tasks that are runnable (R) or uninterruptible (D) is folded
/// into exponential 1, 5 and 15 minute averages (model/loadavg.hpp). Tasks are the threads of
/// the container's cgroup and its descendants (v1 "tasks", v2 "cgroup.threads"), their
/// states from /proc/<tid>/stat.
///
/// Only containers that read /proc/loadavg are tracked, from their first read on (before the
/// first sample they show 0.00 averages), and one not read for kIdleExpiry is dropped, so
/// the cost follows the containers that use the file. The RUNNING/TOTAL and LAST_PID fields
/// come from the latest sample too (at most kInterval old), so that a read costs no task walk.
///
/// LAST_PID: the kernel shows the last pid allocated in the reader's pid namespace, which
/// no interface exposes for another namespace. lensfs shows the container's newest live task
/// instead: the one with the highest pid on the host (pids are handed out in increasing
/// order in every namespace until they wrap), numbered as its innermost pid namespace sees
/// it (the "NSpid:" of its status), which for a container with its own namespace is the
/// number its processes know.
///
/// note_read() runs on FUSE threads, sample() on one timer thread; neither holds the lock
/// while reading files.
class LoadavgSampler {
public:
    using Clock = std::chrono::steady_clock;
    static constexpr std::chrono::seconds kInterval{loadavg::kSampleSeconds};
    static constexpr std::chrono::minutes kIdleExpiry{10};
    /// Containers tracked at most; past that the least recently read one is dropped.
    static constexpr std::size_t kMaxContainers = 4096;
    /// Threads listed per container at most; more are counted in the total only.
    static constexpr std::size_t kMaxTasksListed = 65536;
    /// Thread states one sample() reads in all (about 12 µs each), shared among the tracked
    /// containers, each getting between kMinReadsPerContainer and kMaxReadsPerContainer.
    /// A container with more threads than its share has every k-th one read and the counts
    /// scaled up. This bounds a sample's cost whatever the containers run.
    static constexpr std::size_t kStatReadsPerSample = 8192;
    static constexpr std::size_t kMinReadsPerContainer = 4;
    static constexpr std::size_t kMaxReadsPerContainer = 4096;

    LoadavgSampler(cgroup::Reader& reader, const host::HostProc& proc)
        : reader_(reader), proc_(proc) {}

    /// The figures the container of cgroups @p cg shows now; starts tracking it. Fails only
    /// when the cgroup has no task list of its own (the root everywhere) or it cannot be read.
    Result<LoadavgFigures> note_read(const cgroup::ProcCgroups& cg,
                                     Clock::time_point now = Clock::now());

    /// Samples every tracked container once and drops those not read for kIdleExpiry or whose
    /// cgroup is gone. Meant to run every kInterval; a late call folds the missed samples in
    /// at once as the kernel does after a tickless stretch (calc_load_n()).
    void sample(Clock::time_point now = Clock::now());

    /// Counts the tasks of the cgroup at @p source: one walk of its task lists, and the
    /// states of at most @p max_reads of its threads (evenly spread; the counts scaled up).
    /// With the @p previous counts of the same cgroup, an unchanged newest task's namespace
    /// pid is taken from them rather than read again.
    Result<TaskCounts> count_tasks(const cgroup::TaskSource& source, std::string& scratch,
                                   const TaskCounts* previous = nullptr,
                                   std::size_t max_reads = kMaxReadsPerContainer);

    /// Containers currently tracked.
    [[nodiscard]] std::size_t tracked() const;

    /// The averages of every sampled container, as text for restore(): what a server that
    /// takes over from this one needs so that load averages carry on instead of restarting
    /// from 0.00. One line per container.
    [[nodiscard]] std::string save() const;
    /// Tracks the containers of @p text (from save()) with their averages, as if read and
    /// sampled at @p now. Lines that do not parse are skipped; returns how many were taken.
    std::size_t restore(std::string_view text, Clock::time_point now = Clock::now());

private:
    struct Entry {
        cgroup::TaskSource source;
        LoadavgFigures figures;
        TaskCounts counts; ///< of the latest sample
        Clock::time_point last_read;
        Clock::time_point last_sample;
        bool sampled = false;
    };
    /// What sample() takes out of the map to work on without the lock.
    struct Job {
        std::string key;
        cgroup::TaskSource source;
        Clock::time_point last_sample;
        bool sampled = false;
        TaskCounts previous;
        Result<TaskCounts> counts = Error{};
    };

    std::vector<Job> take_jobs(Clock::time_point now);
    void apply(Job& job, Clock::time_point now);
    void evict_one();
    std::optional<std::uint32_t> visible_pid(pid_t host_pid, std::string& scratch) const;
    /// The newest live task of @p ids: its host pid and its pid in its own namespace.
    std::pair<pid_t, std::uint32_t> newest_task(const std::vector<pid_t>& ids,
                                                const TaskCounts* previous,
                                                std::string& scratch) const;

    cgroup::Reader& reader_;
    const host::HostProc& proc_;
    mutable std::mutex mutex_;
    std::unordered_map<std::string, Entry> entries_;
};

} // namespace lensfs::view
