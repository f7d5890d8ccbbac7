// libFuzzer target for the pure parsers of cgroup files and the host's /proc files. The first
// input byte picks the parser; the rest is the file's text. The parsers return errors for bad
// input, so the results are ignored: only a crash, a sanitizer report or an escaping
// exception is a finding.

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <sys/types.h>
#include <utility>
#include <vector>

#include "cgroup/layout.hpp"
#include "cgroup/parse.hpp"
#include "cgroup/parse_io.hpp"
#include "host/process.hpp"
#include "host/proc_files.hpp"

namespace {

using namespace lensfs;

void run(std::uint8_t which, std::string_view text) {
    switch (which % 24) {
    case 0: (void)cgroup::parse_number(text); break;
    case 1: (void)cgroup::parse_max(text); break;
    case 2: (void)cgroup::parse_limit(text, false); break;
    case 3: (void)cgroup::parse_limit(text, true); break;
    case 4: (void)cgroup::parse_cfs_quota(text); break;
    case 5: (void)cgroup::parse_cpu_max(text); break;
    case 6: {
        MemoryStats stats{};
        cgroup::V1HierarchicalLimits limits;
        (void)cgroup::parse_memory_stat(text, false, stats, &limits);
        break;
    }
    case 7: {
        MemoryStats stats{};
        (void)cgroup::parse_memory_stat(text, true, stats);
        break;
    }
    case 8: {
        auto usage = cgroup::parse_cpuacct_usage_all(text);
        if (usage) {
            (void)cgroup::usage_from_per_cpu(std::move(*usage));
        }
        break;
    }
    case 9: {
        auto usage = cgroup::parse_cpuacct_usage_percpu(text);
        if (usage) {
            (void)cgroup::usage_from_per_cpu(std::move(*usage));
        }
        break;
    }
    case 10: (void)cgroup::parse_cpu_stat(text); break;
    case 11: {
        std::vector<DeviceIo> devices;
        (void)cgroup::parse_blkio(text, &DeviceIo::bytes, devices);
        (void)cgroup::parse_blkio(text, &DeviceIo::wait_ns, devices);
        break;
    }
    case 12: {
        std::vector<DeviceIo> devices;
        (void)cgroup::parse_io_stat(text, devices);
        break;
    }
    case 13: {
        std::vector<pid_t> ids;
        std::size_t skipped = 0;
        (void)cgroup::parse_task_ids(text, ids, 16, skipped);
        break;
    }
    case 14: (void)cgroup::parse_mountinfo(text); break;
    case 15: (void)cgroup::parse_proc_cgroup(text); break;
    case 16: (void)host::parse_meminfo(text); break;
    case 17: {
        auto stat = host::parse_stat(text);
        if (stat) {
            (void)host::parse_stat_counters(stat->tail);
        }
        break;
    }
    case 18: (void)host::parse_stat_counters(text); break;
    case 19: (void)host::parse_cpuinfo(text); break;
    case 20: (void)host::parse_uptime(text); break;
    case 21: (void)host::parse_ppid(text); break;
    case 22: (void)host::parse_starttime_ticks(text); break;
    default: {
        std::vector<pid_t> ids;
        std::size_t skipped = 0;
        (void)cgroup::parse_task_ids(text, ids, 0, skipped);
        break;
    }
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) {
        return 0;
    }
    run(data[0], std::string_view(reinterpret_cast<const char*>(data + 1), size - 1));
    return 0;
}
