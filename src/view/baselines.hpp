#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "cgroup/layout.hpp"
#include "model/cpu.hpp"

namespace lensfs::view {

struct Container;

/// The CPU baselines of containers that are not registered (registered ones keep theirs in
/// the registry): taken at a container's first read, kept while it is read, the least
/// recently used dropped past kMaxContainers. Saved to and restored from text so that a
/// server taking over keeps them. Thread-safe.
class Baselines {
public:
    static constexpr std::size_t kMaxContainers = 4096;

    /// The baseline of @p c, if one was taken.
    std::optional<CpuBaseline> find(const Container& c);
    /// Keeps @p base for @p c unless one is kept already; returns the one kept.
    CpuBaseline keep(const Container& c, const CpuBaseline& base);

    /// Forgets the baselines of containers for which @p gone is true (their cgroup was
    /// removed); returns how many. A baseline restored from another server is checked once a
    /// read has named its container again.
    std::size_t forget_if(const std::function<bool(const cgroup::ProcCgroups&)>& gone);

    [[nodiscard]] std::string save() const;
    /// Takes the baselines of @p text (from save()); returns how many.
    std::size_t restore(std::string_view text);
    [[nodiscard]] std::size_t size() const;

    /// The key of @p c: its cgroup paths and start, which tell one container from another.
    static std::string key_of(const Container& c);

private:
    using Lru = std::list<std::string>;
    struct Item {
        CpuBaseline base;
        Lru::iterator use;
        std::optional<cgroup::ProcCgroups> cgroups; ///< unknown for a restored one until read
    };
    void add(std::string key, const CpuBaseline& base, std::optional<cgroup::ProcCgroups> cgroups);

    mutable std::mutex mu_;
    std::unordered_map<std::string, Item> items_;
    Lru lru_; ///< most recently used first
};

} // namespace lensfs::view
