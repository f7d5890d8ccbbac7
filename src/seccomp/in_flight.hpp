#pragma once
// The calls a server's agent has taken from the kernel and not answered yet, in memory the
// server shares with its keeper: when a server dies between taking a call and answering it,
// the keeper lets the call through, so that no container thread waits for ever (the kernel
// gives a taken call to no one else).

#include <atomic>
#include <cstddef>
#include <cstdint>

namespace lensfs::seccomp {

struct InFlight {
    static constexpr std::size_t kSlots = 64; ///< calls one agent takes at a time, at most
    struct Slot {
        std::atomic<std::uint64_t> key{0}; ///< the listener's key; 0: free
        std::atomic<std::uint64_t> id{0};  ///< the kernel's cookie of the call
    };
    Slot slots[kSlots];

    void mark(std::size_t slot, std::uint64_t key, std::uint64_t id) {
        slots[slot].id.store(id, std::memory_order_relaxed);
        slots[slot].key.store(key, std::memory_order_release);
    }
    void clear(std::size_t slot) { slots[slot].key.store(0, std::memory_order_release); }
};

} // namespace lensfs::seccomp
