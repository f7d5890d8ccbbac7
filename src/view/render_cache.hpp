#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <mutex>
#include <string>
#include <sys/types.h>

#include "view/engine.hpp"

namespace lensfs::view {

/// A small table of values computed less than a window ago, keyed exactly: a fixed number of
/// slots, each overwritten by the next value whose key hashes to it. Thread-safe, one lock per
/// slot, nothing held while a value is computed.
template <typename Key, typename Value, std::size_t Slots> class RecentTable {
public:
    using Clock = std::chrono::steady_clock;

    explicit RecentTable(Clock::duration window) : window_(window) {}

    [[nodiscard]] bool enabled() const { return window_.count() > 0; }

    /// Copies into @p out the value of @p key stored less than the window before @p now.
    bool find(std::size_t hash, const Key& key, Clock::time_point now, Value& out) {
        Slot& s = slots_[hash % Slots];
        std::lock_guard lock(s.mu);
        if (!s.used || now < s.at || now - s.at >= window_ || !(s.key == key)) {
            return false;
        }
        out = s.value;
        return true;
    }

    void store(std::size_t hash, const Key& key, Clock::time_point now, const Value& value) {
        Slot& s = slots_[hash % Slots];
        std::lock_guard lock(s.mu);
        s.used = true;
        s.key = key;
        s.at = now;
        s.value = value;
    }

    /// Empties the slots whose value is past the window, giving their memory back.
    void forget_stale(Clock::time_point now) {
        for (Slot& s : slots_) {
            std::lock_guard lock(s.mu);
            if (s.used && (now < s.at || now - s.at >= window_)) {
                s.used = false;
                s.key = Key{};
                s.value = Value{};
            }
        }
    }

private:
    struct Slot {
        std::mutex mu;
        bool used = false;
        Key key{};
        Clock::time_point at{};
        Value value{};
    };

    Clock::duration window_;
    std::array<Slot, Slots> slots_;
};

/// Renderings shared by the reads of one file by one container within a short window.
///
/// Many reads of the same file by the same container at nearly the same moment (a burst of
/// processes starting, monitoring agents, hot loops) would each read the same accounting
/// files and get the same numbers: the files lensfs serves count time in ticks of 10 ms
/// (USER_HZ, uptime's two decimals) and memory in kB. A rendering younger than the window is
/// handed to such a read as it is. The key is the whole container (every cgroup path, start,
/// source, id) and the file, compared exactly, so a rendering never reaches another
/// container.
struct RenderKey {
    std::size_t file = 0;
    Container container;
    bool operator==(const RenderKey&) const = default;
};
using RenderCache = RecentTable<RenderKey, std::string, 256>;

/// Which container a pid was found in, for the same window: a pid is not reused within it,
/// and a process that changes cgroups is seen in its new one at most one window later.
using PidViews = RecentTable<pid_t, Container, 1024>;

/// The slot hash of a rendering key.
std::size_t render_hash(std::size_t file, const Container& c);

} // namespace lensfs::view
