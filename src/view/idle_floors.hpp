#pragma once

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

namespace lensfs::view {

/// The idle time each container was last shown per visible CPU, so that what /proc/stat
/// shows never goes back. Idle is elapsed time minus the cgroup's CPU time, two clocks read
/// at slightly different moments: under a full CPU the difference can step back a tick, and
/// procps (vmstat, top) then prints an idle CPU for a busy one. Thread-safe.
class IdleFloors {
public:
    static constexpr std::size_t kMaxContainers = 4096;

    /// Raises each of @p idle to what container @p key was last shown on that CPU, and keeps
    /// the result. A change in the number of CPUs starts afresh.
    void raise(const std::string& key, std::vector<std::uint64_t>& idle);
    /// Forgets containers not shown for @p idle_ms; returns how many.
    std::size_t evict_idle(std::int64_t idle_ms);
    [[nodiscard]] std::size_t size() const;

private:
    struct Item {
        std::vector<std::uint64_t> idle;
        std::int64_t used_ms = 0;
    };
    mutable std::mutex mu_;
    std::unordered_map<std::string, Item> items_;
};

} // namespace lensfs::view
