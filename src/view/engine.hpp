#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <sys/types.h>

#include "cgroup/layout.hpp"
#include "cgroup/reader.hpp"
#include "host/host_proc.hpp"
#include "model/container.hpp"
#include "view/baselines.hpp"
#include "view/idle_floors.hpp"
#include "view/loadavg_sampler.hpp"
#include "view/ns_cache.hpp"
#include "view/pid_cache.hpp"
#include "view/served_files.hpp"

namespace lensfs::view {

struct Container;
struct RenderKey;
template <typename Key, typename Value, std::size_t Slots> class RecentTable;

/// How the container of a reader was found; shown by lensctl and in debug logs.
enum class Source : std::uint8_t { host, registry, pid_namespace, own_cgroup };
std::string_view source_name(Source s);

/// The container a read is answered for.
struct Container {
    Source source = Source::host;
    cgroup::ProcCgroups cgroups; ///< the container's cgroup in each hierarchy
    double start_boottime_s = 0; ///< container start on CLOCK_BOOTTIME (0: host boot)
    std::string id;              ///< registry id, when registered
    /// Where its CPU time counts from, when the registry has it (else Engine::baseline_of).
    std::optional<CpuBaseline> cpu_baseline;

    /// Host processes at the cgroup root get the host's files unchanged.
    [[nodiscard]] bool is_host() const { return source == Source::host; }

    bool operator==(const Container&) const = default;
};

struct Options {
    bool cpu_quota_view = true; ///< cut visible CPUs to ceil(quota / period)
    bool swap = true;           ///< false: every container is shown without swap
    /// Reads of one file by one container this close together share one rendering (see
    /// RenderCache); 0: every read renders.
    std::chrono::milliseconds render_window{0};
};

/// Looks a cgroup path up in the registry: the longest registered container containing it.
using ContainerLookup = std::function<std::optional<ContainerRecord>(std::string_view cgroup)>;

/// Per-file counters, for `lensctl status`.
struct FileCounters {
    std::atomic<std::uint64_t> reads{0};
    std::atomic<std::uint64_t> fallbacks{0}; ///< reads answered (partly) with host values
};

/// Turns "who is reading which file" into the file's text: finds the reader's container,
/// gathers its facts through cgroup/ and host/, renders through render/. Thread-safe.
class Engine {
public:
    Engine(cgroup::Layout layout, host::HostProc proc, Options options);
    ~Engine();

    /// Plugs the registry in. Called once before serving.
    void set_lookup(ContainerLookup lookup) { lookup_ = std::move(lookup); }

    /// The container of process @p pid (daemon's pid namespace; 0 = not visible: host view).
    /// Found again at most once per Options::render_window.
    Container resolve_pid(pid_t pid);
    /// The container whose cgroup is @p path in every hierarchy (for debugging views).
    Container resolve_cgroup(const std::string& path, double start_boottime_s);

    /// Renders @p file (a row of served_files()) as @p container sees it into @p out (cleared
    /// first). Never fails: what cannot be read falls back to the host's values and is logged.
    void render(const ServedFile& file, const Container& container, std::string& out);
    /// render(), or a rendering of the same file for the same container made less than
    /// Options::render_window ago (RenderCache). What the FUSE reads use.
    void render_recent(const ServedFile& file, const Container& container, std::string& out);

    /// Samples the load of every container that read /proc/loadavg in the last 10 minutes
    /// (LoadavgSampler). The daemon calls it every kLoadavgInterval (5 s) from one thread,
    /// its Asio loop; each call costs about one task-list walk per such container plus one
    /// /proc/<tid>/stat read per thread in them, and holds no lock while it reads. Thread-safe
    /// with render(). Until the first call a container's averages read 0.00.
    void sample_loadavg() { loadavg_.sample(); }
    static constexpr std::chrono::seconds kLoadavgInterval = LoadavgSampler::kInterval;
    /// The sampler itself (tests, lensctl status).
    LoadavgSampler& loadavg_sampler() { return loadavg_; }

    /// Lets go of what was not used for kEvictIdle: cgroup files kept open, processes and pid
    /// namespaces of readers (those of removed cgroups, exited processes and ended namespaces
    /// among them), renderings past their window, and the CPU baselines of removed cgroups,
    /// so that descriptors and memory follow the containers that read now. The daemon calls
    /// it every kEvictInterval from one thread; thread-safe with render().
    struct Evicted {
        std::size_t files = 0, pids = 0, namespaces = 0, baselines = 0, idle = 0; ///< dropped
        std::size_t files_held = 0, pids_held = 0, namespaces_held = 0;           ///< left
    };
    Evicted evict_idle(std::chrono::milliseconds idle = kEvictIdle);
    static constexpr std::chrono::seconds kEvictIdle{30};
    static constexpr std::chrono::seconds kEvictInterval{10};

    /// Where @p container's CPU time and event counts start from: the registered baseline, or
    /// the one taken at its first read (with @p usage, its cgroup's CPU time now).
    CpuBaseline baseline_of(const Container& container, const CpuUsage& usage);
    /// A baseline of the cgroup at @p path (in every hierarchy) now, for a registration;
    /// nullopt when its CPU time cannot be read.
    std::optional<CpuBaseline> baseline_now(const std::string& path);
    /// The baselines of unregistered containers (save and restore across servers).
    Baselines& baselines() { return baselines_; }
    /// The idle time last shown per container and CPU (/proc/stat never goes back).
    IdleFloors& idle_floors() { return idle_floors_; }

    /// The host CPUs @p container sees (cpuset cut by the CPU quota view), in host numbering.
    /// Visible CPU k of the container is the k-th of these.
    CpuSet visible_cpus(const Container& container);

    [[nodiscard]] const FileCounters& counters(const ServedFile& file) const {
        return counters_[served_index(file)];
    }
    [[nodiscard]] const cgroup::Layout& layout() const { return layout_; }
    cgroup::Reader& reader() { return reader_; }
    host::HostProc& proc() { return proc_; }
    [[nodiscard]] const Options& options() const { return options_; }
    [[nodiscard]] unsigned ticks_per_second() const { return ticks_per_second_; }

private:
    Container find_pid_container(pid_t pid);
    std::optional<Container> from_registry(const cgroup::ProcCgroups& cg);
    std::optional<Container> from_pid_namespace(pid_t pid, std::uint64_t pidns);
    bool at_root(const cgroup::ProcCgroups& cg) const;

    cgroup::Layout layout_;
    host::HostProc proc_;
    Options options_;
    cgroup::Reader reader_;
    LoadavgSampler loadavg_{reader_, proc_};
    std::unique_ptr<RecentTable<RenderKey, std::string, 256>> recent_;
    std::unique_ptr<RecentTable<pid_t, Container, 1024>> pid_views_;
    Baselines baselines_;
    IdleFloors idle_floors_;
    NsCache ns_cache_;
    PidCache pid_cache_;
    ContainerLookup lookup_;
    std::uint64_t self_pidns_ = 0;
    unsigned ticks_per_second_ = 100;
    std::vector<FileCounters> counters_{served_files().size()};
};

} // namespace lensfs::view
