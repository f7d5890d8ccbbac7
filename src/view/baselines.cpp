#include "view/baselines.hpp"

#include <fmt/format.h>
#include <utility>
#include <vector>

#include "util/maps.hpp"
#include "util/parse.hpp"
#include "view/engine.hpp"

namespace lensfs::view {

std::string Baselines::key_of(const Container& c) {
    std::string key = fmt::format("{:.6f}", c.start_boottime_s);
    key += '|';
    key += c.cgroups.unified.value_or("-");
    for (const auto& path : c.cgroups.v1) {
        key += '|';
        key += path.value_or("-");
    }
    return key;
}

std::optional<CpuBaseline> Baselines::find(const Container& c) {
    std::string key = key_of(c);
    std::lock_guard lock(mu_);
    auto it = items_.find(key);
    if (it == items_.end()) {
        return std::nullopt;
    }
    lru_.splice(lru_.begin(), lru_, it->second.use);
    if (!it->second.cgroups) {
        it->second.cgroups = c.cgroups;
    }
    return it->second.base;
}

void Baselines::add(std::string key, const CpuBaseline& base,
                    std::optional<cgroup::ProcCgroups> cgroups) {
    if (items_.size() >= kMaxContainers) {
        items_.erase(lru_.back());
        lru_.pop_back();
    }
    lru_.push_front(key);
    items_.emplace(std::move(key), Item{base, lru_.begin(), std::move(cgroups)});
}

std::size_t Baselines::forget_if(const std::function<bool(const cgroup::ProcCgroups&)>& gone) {
    // The cgroups are copied out and checked without the lock: a check reads the filesystem.
    std::vector<std::pair<std::string, cgroup::ProcCgroups>> known;
    {
        std::lock_guard lock(mu_);
        for (const auto& [key, item] : items_) {
            if (item.cgroups) {
                known.emplace_back(key, *item.cgroups);
            }
        }
    }
    std::vector<std::string> dead;
    for (auto& [key, cg] : known) {
        if (gone(cg)) {
            dead.push_back(std::move(key));
        }
    }
    std::size_t dropped = 0;
    std::lock_guard lock(mu_);
    for (const auto& key : dead) {
        if (auto it = items_.find(key); it != items_.end()) {
            lru_.erase(it->second.use);
            items_.erase(it);
            ++dropped;
        }
    }
    shrink_buckets(items_);
    return dropped;
}

CpuBaseline Baselines::keep(const Container& c, const CpuBaseline& base) {
    std::string key = key_of(c);
    std::lock_guard lock(mu_);
    if (auto it = items_.find(key); it != items_.end()) {
        return it->second.base;
    }
    add(std::move(key), base, c.cgroups);
    return base;
}

// One line per container: the baseline's figures, then the key to the end of the line.
std::string Baselines::save() const {
    std::string out;
    std::lock_guard lock(mu_);
    for (const std::string& key : lru_) {
        const CpuBaseline& b = items_.at(key).base;
        if (key.find('\n') != std::string::npos) {
            continue;
        }
        out += fmt::format("{:.6f} {} {} {} {} {} {} {}\n", b.at_boottime_s, b.user_ns, b.system_ns,
                           b.host.intr, b.host.ctxt, b.host.processes, b.host.softirq, key);
    }
    return out;
}

std::size_t Baselines::restore(std::string_view text) {
    std::size_t taken = 0;
    std::lock_guard lock(mu_);
    while (!text.empty() && items_.size() < kMaxContainers) {
        auto [line, rest] = split_first(text, '\n');
        text = rest;
        auto [at_text, tail] = split_first(line, ' ');
        char* end = nullptr;
        std::string at_copy(at_text);
        double at = std::strtod(at_copy.c_str(), &end);
        std::uint64_t n[6] = {};
        bool ok = end != at_copy.c_str() && *end == '\0' && at >= 0;
        ok = take_u64_words(tail, n) && ok;
        if (!ok || tail.empty() || items_.count(std::string(tail)) != 0) {
            continue;
        }
        add(std::string(tail), CpuBaseline{at, n[0], n[1], {n[2], n[3], n[4], n[5]}}, std::nullopt);
        ++taken;
    }
    return taken;
}

std::size_t Baselines::size() const {
    std::lock_guard lock(mu_);
    return items_.size();
}

} // namespace lensfs::view
