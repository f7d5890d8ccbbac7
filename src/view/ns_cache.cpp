#include "view/ns_cache.hpp"

#include <ctime>
#include <fmt/format.h>

#include "host/process.hpp"
#include "util/parse.hpp"

namespace lensfs::view {

namespace {

std::int64_t monotonic_ms() {
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<std::int64_t>(ts.tv_sec) * 1000 + ts.tv_nsec / 1'000'000;
}

// A container's processes are rarely more than a few levels below its init.
constexpr int kMaxWalk = 64;

} // namespace

std::optional<pid_t> parse_innermost_nspid(std::string_view status_text) {
    std::optional<pid_t> result;
    for_each_line(status_text, [&](std::string_view line) {
        if (line.substr(0, 6) != "NSpid:") {
            return;
        }
        std::string_view rest = line.substr(6);
        std::string_view last;
        for (auto word = next_word(rest); !word.empty(); word = next_word(rest)) {
            last = word;
        }
        if (auto value = parse_u64(last); value && *value > 0 && *value < (1u << 22)) {
            result = static_cast<pid_t>(*value);
        }
    });
    return result;
}

std::optional<NsInit> NsCache::walk(host::HostProc& proc, std::uint64_t ns, pid_t pid) {
    thread_local std::string status;
    pid_t current = pid;
    for (int step = 0; step < kMaxWalk; ++step) {
        if (!proc.raw(fmt::format("{}/status", current).c_str(), status)) {
            return std::nullopt;
        }
        auto ppid = host::parse_ppid(status);
        if (parse_innermost_nspid(status) == 1 || !ppid || *ppid <= 0) {
            break;
        }
        // A process that joined with setns() has its parent outside: it is the top we can see.
        auto parent_ns = proc.pidns_inode(*ppid);
        if (!parent_ns || *parent_ns != ns) {
            break;
        }
        current = *ppid;
    }
    NsInit init;
    init.pid = current;
    auto start = proc.starttime_ticks(current, status);
    if (!start || !proc.cgroup_text(current, status)) {
        return std::nullopt;
    }
    init.start_ticks = *start;
    auto cg = cgroup::parse_proc_cgroup(status);
    if (!cg) {
        return std::nullopt;
    }
    init.cgroups = std::move(*cg);
    return init;
}

std::optional<NsInit> NsCache::find(host::HostProc& proc, std::uint64_t ns, pid_t pid) {
    std::int64_t now = monotonic_ms();
    {
        std::lock_guard lock(mutex_);
        if (auto it = entries_.find(ns); it != entries_.end() && it->second.expires_ms > now) {
            return it->second.init;
        }
    }
    auto init = walk(proc, ns, pid);
    if (!init) {
        return std::nullopt;
    }
    std::lock_guard lock(mutex_);
    if (entries_.size() >= kMaxEntries) {
        entries_.clear();
    }
    entries_[ns] = Entry{*init, now + kTtlMs};
    return init;
}

} // namespace lensfs::view
