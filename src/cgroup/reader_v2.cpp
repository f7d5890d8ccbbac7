// cgroup2: one tree; limits in memory.max, memory.swap.max and cpu.max ("max" for none); CPU
// time in cpu.stat (in every group, with or without the cpu controller); I/O in io.stat.
#include <fmt/format.h>

#include "cgroup/backend.hpp"
#include "cgroup/parse.hpp"
#include "cgroup/parse_io.hpp"

namespace lensfs::cgroup {

namespace {

class V2 final : public Backend {
public:
    Status memory(DirCache& dirs, const Where& w, MemoryStats& stats,
                  std::string& scratch) const override {
        if (Status st = read_usage_and_stat(dirs, w, "memory.current", stats, nullptr, scratch);
            !st) {
            return st;
        }
        auto limit = min_limit_on_path(dirs, w, "memory.max", scratch);
        if (!limit) {
            return std::move(limit).error();
        }
        stats.limit = *limit;
        // Swap accounting is optional (no swap, or swapaccount=0): its absence is no error.
        auto swap_limit = min_limit_on_path(dirs, w, "memory.swap.max", scratch);
        if (!swap_limit) {
            return Ok{};
        }
        stats.swap_limit = *swap_limit;
        if (dirs.read(w.hierarchy, w.path, "memory.swap.current", scratch)) {
            if (auto used = parse_number(scratch)) {
                stats.swap_usage = *used;
            }
        }
        return Ok{};
    }

    Result<std::optional<CpuLimit>> cpu_limit_at(DirCache& dirs, int hierarchy,
                                                 std::string_view level,
                                                 std::string& scratch) const override {
        // "max" parses to no limit; a level without the file (the root) sets none either.
        return dirs.read(hierarchy, level, "cpu.max", scratch)
                   ? parse_cpu_max(scratch)
                   : Result<std::optional<CpuLimit>>(std::nullopt);
    }

    Result<CpuUsage> cpu_usage(DirCache& dirs, const Where& w,
                               std::string& scratch) const override {
        if (Status st = dirs.read(w.hierarchy, w.path, "cpu.stat", scratch); !st) {
            return std::move(st).error();
        }
        return parse_cpu_stat(scratch);
    }

    Status block_io(DirCache& dirs, const Where& w, std::vector<DeviceIo>& out,
                    std::string& scratch) const override {
        if (Status st = dirs.read(w.hierarchy, w.path, "io.stat", scratch); !st) {
            return st;
        }
        return parse_io_stat(scratch, out);
    }

    [[nodiscard]] const char* cpuset_file() const override { return "cpuset.cpus.effective"; }
    [[nodiscard]] const char* tasks_file() const override { return "cgroup.threads"; }
};

} // namespace

const Backend& backend_v2() {
    static const V2 backend;
    return backend;
}

} // namespace lensfs::cgroup
