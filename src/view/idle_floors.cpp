#include "view/idle_floors.hpp"

#include <algorithm>

#include "util/clock.hpp"
#include "util/maps.hpp"

namespace lensfs::view {

void IdleFloors::raise(const std::string& key, std::vector<std::uint64_t>& idle) {
    std::int64_t now = monotonic_ms();
    std::lock_guard lock(mu_);
    auto it = items_.find(key);
    if (it == items_.end()) {
        if (items_.size() >= kMaxContainers) {
            items_.clear(); // at worst one tick of idle goes back once
        }
        it = items_.emplace(key, Item{}).first;
    }
    Item& item = it->second;
    if (item.idle.size() == idle.size()) {
        for (std::size_t i = 0; i < idle.size(); ++i) {
            idle[i] = std::max(idle[i], item.idle[i]);
        }
    }
    item.idle = idle;
    item.used_ms = now;
}

std::size_t IdleFloors::evict_idle(std::int64_t idle_ms) {
    std::int64_t cutoff = monotonic_ms() - idle_ms;
    std::lock_guard lock(mu_);
    return erase_and_shrink(items_,
                            [cutoff](const auto& kv) { return kv.second.used_ms <= cutoff; });
}

std::size_t IdleFloors::size() const {
    std::lock_guard lock(mu_);
    return items_.size();
}

} // namespace lensfs::view
