#include "fuse/handles.hpp"

#include <algorithm>
#include <functional>

namespace lensfs::fuse {

void OpenFile::reset() {
    ino = 0;
    file = nullptr;
    host_rel.clear();
    format = view::CpuFileFormat::none;
    host.reset();
    viewer = view::Container{};
    slot = 0;
    page_cache = false;
    text.clear();
    served = false;
}

void OpenFile::release_buffers() {
    std::string().swap(host_rel);
    std::string().swap(text);
    viewer = view::Container{};
}

HandleTable::HandleTable(std::uint32_t tag) : tag_(tag) {}

HandleTable::~HandleTable() {
    for (auto& chunk : chunks_) {
        delete chunk.load();
    }
}

HandleTable::Slot* HandleTable::slot(std::uint32_t index) const {
    std::size_t chunk = index / kChunkSize;
    if (chunk >= kMaxChunks) {
        return nullptr;
    }
    Chunk* c = chunks_[chunk].load(std::memory_order_acquire);
    return c != nullptr ? &(*c)[index % kChunkSize] : nullptr;
}

std::optional<HandleTable::Acquired> HandleTable::acquire() {
    std::uint32_t index = 0;
    {
        std::lock_guard lock(mu_);
        if (!free_.empty()) {
            // The lowest free index first: the slots that keep their buffers are reused
            // before the others.
            std::pop_heap(free_.begin(), free_.end(), std::greater<>{});
            index = free_.back();
            free_.pop_back();
        } else {
            if (next_ >= kChunkSize * kMaxChunks) {
                return std::nullopt;
            }
            index = next_++;
            std::size_t chunk = index / kChunkSize;
            if (chunks_[chunk].load(std::memory_order_relaxed) == nullptr) {
                chunks_[chunk].store(new Chunk, std::memory_order_release);
            }
        }
        ++used_;
    }
    Slot* s = slot(index);
    s->file.reset();
    s->used.store(true, std::memory_order_release);
    return Acquired{(std::uint64_t{tag_} << 32) | index, &s->file};
}

OpenFile* HandleTable::find(std::uint64_t fh) const {
    if (!is_own(fh)) {
        return nullptr;
    }
    Slot* s = slot(static_cast<std::uint32_t>(fh));
    return s != nullptr && s->used.load(std::memory_order_acquire) ? &s->file : nullptr;
}

void HandleTable::release(std::uint64_t fh) {
    std::uint64_t own = fh;
    if (!is_own(fh)) {
        std::lock_guard lock(mu_);
        auto it = adopted_.find(fh);
        if (it == adopted_.end()) {
            return;
        }
        own = it->second;
        adopted_.erase(it);
    }
    Slot* s = slot(static_cast<std::uint32_t>(own));
    if (s == nullptr || !s->used.exchange(false, std::memory_order_acq_rel)) {
        return;
    }
    s->file.host.reset(); // descriptors are not kept for the next user of the slot
    // The first few slots keep their buffers, so that an open allocates nothing in the steady
    // state of a lightly used mount; any other slot, or a buffer grown large, gives its memory
    // back, so memory follows the number of files open now rather than the most ever open.
    if (static_cast<std::uint32_t>(own) >= kKeptSlots ||
        s->file.text.capacity() > kKeptTextCapacity) {
        s->file.release_buffers();
    }
    std::lock_guard lock(mu_);
    free_.push_back(static_cast<std::uint32_t>(own));
    std::push_heap(free_.begin(), free_.end(), std::greater<>{});
    --used_;
}

std::size_t HandleTable::shrink() {
    std::lock_guard lock(mu_);
    std::size_t freed = 0;
    while (next_ > kChunkSize) {
        std::uint32_t start = (next_ - 1) / kChunkSize * kChunkSize;
        // Free when every index from start is in the free list: release() puts an index there
        // only after it is done with the slot, and acquire() takes it out before using it.
        auto above = static_cast<std::size_t>(std::count_if(
            free_.begin(), free_.end(), [start](std::uint32_t i) { return i >= start; }));
        if (above != next_ - start) {
            break;
        }
        std::erase_if(free_, [start](std::uint32_t i) { return i >= start; });
        std::make_heap(free_.begin(), free_.end(), std::greater<>{});
        delete chunks_[start / kChunkSize].exchange(nullptr, std::memory_order_acq_rel);
        next_ = start;
        ++freed;
    }
    return freed;
}

std::size_t HandleTable::chunks() const {
    std::lock_guard lock(mu_);
    return (next_ + kChunkSize - 1) / kChunkSize;
}

OpenFile* HandleTable::find_adopted(std::uint64_t foreign) const {
    std::uint64_t own = 0;
    {
        std::lock_guard lock(mu_);
        auto it = adopted_.find(foreign);
        if (it == adopted_.end()) {
            return nullptr;
        }
        own = it->second;
    }
    return find(own);
}

std::uint64_t HandleTable::adopt(std::uint64_t foreign, std::uint64_t own) {
    std::lock_guard lock(mu_);
    return adopted_.try_emplace(foreign, own).first->second;
}

std::size_t HandleTable::in_use() const {
    std::lock_guard lock(mu_);
    return used_;
}

PageSizes::State& PageSizes::state(std::uint64_t ino) {
    if (inodes_.size() >= kMaxInodes && inodes_.find(ino) == inodes_.end()) {
        inodes_.clear();
    }
    return inodes_[ino];
}

void PageSizes::note_short_read(std::uint64_t ino) {
    std::lock_guard lock(mu_);
    state(ino).cut = true;
}

bool PageSizes::was_cut(std::uint64_t ino) const {
    std::lock_guard lock(mu_);
    auto it = inodes_.find(ino);
    return it != inodes_.end() && it->second.cut;
}

void PageSizes::note_grown(std::uint64_t ino, std::uint64_t size) {
    std::lock_guard lock(mu_);
    State& s = state(ino);
    s.grown = std::max(s.grown, size);
}

std::uint64_t PageSizes::size_of(std::uint64_t ino, std::uint64_t floor) const {
    std::lock_guard lock(mu_);
    auto it = inodes_.find(ino);
    return it == inodes_.end() ? floor : std::max(floor, it->second.grown);
}

} // namespace lensfs::fuse
