#include "view/ns_cache.hpp"

#include <ctime>
#include <fmt/format.h>

#include "host/process.hpp"
#include "util/clock.hpp"
#include "util/file.hpp"
#include "util/maps.hpp"
#include "util/parse.hpp"
#include "view/pid_cache.hpp"

namespace lensfs::view {

namespace {

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

std::shared_ptr<NsCache::Entry> NsCache::walk(host::HostProc& proc, std::uint64_t ns, pid_t pid) {
    thread_local std::string status;
    pid_t current = pid;
    for (int step = 0; step < kMaxWalk; ++step) {
        if (!proc.raw(fmt::format("{}/status", current).c_str(), status)) {
            return nullptr;
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
    auto handle = proc.open_process(current);
    auto start = proc.starttime_ticks(current, status);
    if (!handle || handle->pidns() != ns || !start) {
        return nullptr;
    }
    auto entry = std::make_shared<Entry>();
    entry->pid = current;
    entry->start_ticks = *start;
    entry->process = std::move(*handle);
    return entry;
}

std::optional<NsInit> NsCache::find(host::HostProc& proc, std::uint64_t ns, pid_t pid) {
    thread_local std::string text;
    std::shared_ptr<Entry> entry;
    {
        std::lock_guard lock(mutex_);
        if (auto it = entries_.find(ns); it != entries_.end()) {
            entry = it->second;
        }
    }
    if (!entry || !entry->process.read_cgroup(text)) {
        entry = walk(proc, ns, pid);
        if (!entry || !entry->process.read_cgroup(text)) {
            std::lock_guard lock(mutex_);
            entries_.erase(ns);
            return std::nullopt;
        }
        std::lock_guard lock(mutex_);
        if (entries_.size() >= kMaxEntries) {
            entries_.clear();
        }
        entries_[ns] = entry;
    }
    entry->used_ms.store(monotonic_ms(), std::memory_order_relaxed);
    auto cgroups = cgroup::parse_proc_cgroup(text);
    if (!cgroups) {
        return std::nullopt;
    }
    return NsInit{entry->pid, entry->start_ticks, std::move(*cgroups)};
}

std::size_t NsCache::evict_idle(std::int64_t idle_ms) {
    std::int64_t cutoff = monotonic_ms() - idle_ms;
    std::lock_guard lock(mutex_);
    return erase_and_shrink(entries_, [cutoff](const auto& kv) {
        return kv.second->used_ms.load(std::memory_order_relaxed) <= cutoff;
    });
}

std::size_t NsCache::size() {
    std::lock_guard lock(mutex_);
    return entries_.size();
}

} // namespace lensfs::view
