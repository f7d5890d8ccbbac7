// cgroup v1: one hierarchy per controller; memory + swap accounted together; CFS quota and
// period in two files; CPU time per CPU in cpuacct; I/O in the blkio families.
#include <algorithm>
#include <array>

#include <fmt/format.h>

#include "cgroup/backend.hpp"
#include "cgroup/parse.hpp"
#include "cgroup/parse_io.hpp"

namespace lensfs::cgroup {

namespace {

struct BlkioFile {
    const char* name = nullptr;
    IoField field = nullptr;
};

/// One family of v1 blkio statistics; the first file holds the byte counts.
using BlkioSource = std::array<BlkioFile, 5>;

// The proportional-weight schedulers' statistics count requests as the device completes
// them; CFQ (gone since 5.0) and BFQ keep times and merges only in debug builds. The throttle
// statistics count bios as they enter the block layer, before merging and splitting.
constexpr BlkioSource kCfq = {{{"blkio.io_service_bytes_recursive", &DeviceIo::bytes},
                               {"blkio.io_serviced_recursive", &DeviceIo::ios},
                               {"blkio.io_service_time_recursive", &DeviceIo::service_ns},
                               {"blkio.io_wait_time_recursive", &DeviceIo::wait_ns},
                               {"blkio.io_merged_recursive", &DeviceIo::merged}}};
constexpr BlkioSource kBfq = {{{"blkio.bfq.io_service_bytes_recursive", &DeviceIo::bytes},
                               {"blkio.bfq.io_serviced_recursive", &DeviceIo::ios},
                               {"blkio.bfq.io_service_time_recursive", &DeviceIo::service_ns},
                               {"blkio.bfq.io_wait_time_recursive", &DeviceIo::wait_ns},
                               {"blkio.bfq.io_merged_recursive", &DeviceIo::merged}}};
constexpr BlkioSource kThrottleRecursive = {
    {{"blkio.throttle.io_service_bytes_recursive", &DeviceIo::bytes},
     {"blkio.throttle.io_serviced_recursive", &DeviceIo::ios}}};
/// Older kernels have only these, which count the cgroup without its descendants.
constexpr BlkioSource kThrottle = {{{"blkio.throttle.io_service_bytes", &DeviceIo::bytes},
                                    {"blkio.throttle.io_serviced", &DeviceIo::ios}}};

bool has_io(const std::vector<DeviceIo>& devices, const DeviceIo& d) {
    return std::any_of(devices.begin(), devices.end(), [&](const DeviceIo& e) {
        return e.major == d.major && e.minor == d.minor && e.has_io();
    });
}

/// Reads the files of @p source through @p read(name) and adds the devices with I/O that
/// @p out does not have yet. Returns whether any of the files exists.
template <typename ReadFn>
Result<bool> add_source(const BlkioSource& source, ReadFn&& read, std::vector<DeviceIo>& out,
                        std::string& scratch) {
    thread_local std::vector<DeviceIo> found;
    found.clear();
    bool any_file = false;
    for (const BlkioFile& file : source) {
        if (file.name == nullptr || !read(file.name)) {
            continue; // statistics this kernel does not keep
        }
        any_file = true;
        if (Status st = parse_blkio(scratch, file.field, found); !st) {
            return Error{st.error().code, std::string(file.name) + ": " + st.error().context};
        }
    }
    // A device's figures all come from one family: the first that saw I/O on it.
    for (const DeviceIo& dev : found) {
        if (dev.has_io() && !has_io(out, dev)) {
            out.push_back(dev);
        }
    }
    return any_file;
}

class V1 final : public Backend {
public:
    Status memory(DirCache& dirs, const Where& w, MemoryStats& stats,
                  std::string& scratch) const override {
        V1HierarchicalLimits limits;
        if (Status st =
                read_usage_and_stat(dirs, w, "memory.usage_in_bytes", stats, &limits, scratch);
            !st) {
            return st;
        }
        if (limits.memory) {
            stats.limit = limits.memory; // memory.stat did the walk to the root already
        } else {
            auto limit = min_limit_on_path(dirs, w, "memory.limit_in_bytes", scratch);
            if (!limit) {
                return std::move(limit).error();
            }
            stats.limit = *limit;
        }
        // Swap accounting is optional (no swap, or swapaccount=0): its absence is no error.
        [[maybe_unused]] Status swap = this->swap(dirs, w, limits.memsw, stats, scratch);
        return Ok{};
    }

    Result<std::optional<CpuLimit>> cpu_limit_at(DirCache& dirs, int hierarchy,
                                                 std::string_view level,
                                                 std::string& scratch) const override {
        if (!dirs.read(hierarchy, level, "cpu.cfs_quota_us", scratch)) {
            return std::optional<CpuLimit>();
        }
        auto quota = parse_cfs_quota(scratch);
        if (!quota) {
            return std::move(quota).error();
        }
        if (!*quota || !dirs.read(hierarchy, level, "cpu.cfs_period_us", scratch)) {
            return std::optional<CpuLimit>();
        }
        auto period = parse_number(scratch);
        if (!period || *period == 0) {
            return Error{EINVAL, fmt::format("{}/cpu.cfs_period_us: not a period", level)};
        }
        return std::optional<CpuLimit>(CpuLimit{**quota, *period});
    }

    Result<CpuUsage> cpu_usage(DirCache& dirs, const Where& w,
                               std::string& scratch) const override {
        Result<std::vector<CpuUsagePerCpu>> per_cpu = Error{ENOENT, "cpuacct.usage_all"};
        if (dirs.read(w.hierarchy, w.path, "cpuacct.usage_all", scratch)) {
            per_cpu = parse_cpuacct_usage_all(scratch);
        } else if (Status st = dirs.read(w.hierarchy, w.path, "cpuacct.usage_percpu", scratch);
                   st) {
            per_cpu = parse_cpuacct_usage_percpu(scratch);
        } else {
            return std::move(st).error();
        }
        if (!per_cpu) {
            return std::move(per_cpu).error();
        }
        return usage_from_per_cpu(std::move(*per_cpu));
    }

    Status block_io(DirCache& dirs, const Where& w, std::vector<DeviceIo>& out,
                    std::string& scratch) const override {
        auto read = [&](const char* name) {
            return bool(dirs.read(w.hierarchy, w.path, name, scratch));
        };
        for (const BlkioSource* source : {&kCfq, &kBfq, &kThrottleRecursive}) {
            auto found = add_source(*source, read, out, scratch);
            if (!found) {
                return std::move(found).error();
            }
            if (source == &kThrottleRecursive && !*found) {
                if (auto plain = add_source(kThrottle, read, out, scratch); !plain) {
                    return std::move(plain).error();
                }
            }
        }
        return Ok{};
    }

    [[nodiscard]] const char* cpuset_file() const override { return "cpuset.effective_cpus"; }
    [[nodiscard]] const char* tasks_file() const override { return "tasks"; }

private:
    // v1 accounts memory + swap together; swap alone is the difference.
    static Status swap(DirCache& dirs, const Where& w, std::optional<std::uint64_t> memsw_limit,
                       MemoryStats& stats, std::string& scratch) {
        std::optional<std::uint64_t> memsw = memsw_limit;
        if (!memsw) {
            auto walked = min_limit_on_path(dirs, w, "memory.memsw.limit_in_bytes", scratch);
            if (!walked) {
                return std::move(walked).error();
            }
            memsw = *walked;
        }
        if (memsw && stats.limit && *memsw >= *stats.limit) {
            stats.swap_limit = *memsw - *stats.limit;
        }
        if (dirs.read(w.hierarchy, w.path, "memory.memsw.usage_in_bytes", scratch) && stats.usage) {
            if (auto both = parse_number(scratch)) {
                stats.swap_usage = *both > *stats.usage ? *both - *stats.usage : 0;
            }
        }
        return Ok{};
    }
};

} // namespace

const Backend& backend_v1() {
    static const V1 backend;
    return backend;
}

} // namespace lensfs::cgroup
