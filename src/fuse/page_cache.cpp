#include "fuse/page_cache.hpp"

#include <fuse_lowlevel.h>

namespace lensfs::fuse {

namespace {

int store(fuse_session* se, std::uint64_t ino, std::string_view text) {
    fuse_bufvec buf = FUSE_BUFVEC_INIT(text.size());
    buf.buf[0].mem = const_cast<char*>(text.data());
    return fuse_lowlevel_notify_store(se, ino, 0, &buf, FUSE_BUF_SPLICE_NONBLOCK);
}

} // namespace

bool PageCacheSlots::acquire(fuse_session* se, std::uint64_t ino, std::string_view text,
                             std::uint64_t owner) {
    if (se == nullptr || ino >= kMaxIno || text.empty()) {
        return false;
    }
    Slot& slot = slots_[ino];
    std::lock_guard lock(slot.mutex);
    if (slot.busy) {
        return false;
    }
    if (text.size() < slot.kernel_size &&
        fuse_lowlevel_notify_inval_inode(se, ino, 0, 0) != 0) {
        return false;
    }
    if (store(se, ino, text) != 0) {
        // Whatever part was stored is unknown now: drop it so no later owner can read it.
        fuse_lowlevel_notify_inval_inode(se, ino, 0, 0);
        return false;
    }
    slot.busy = true;
    slot.owner = owner;
    slot.size = text.size();
    if (text.size() > slot.kernel_size) {
        slot.kernel_size = text.size();
    }
    return true;
}

void PageCacheSlots::release(std::uint64_t ino) {
    if (ino < kMaxIno) {
        std::lock_guard lock(slots_[ino].mutex);
        slots_[ino].busy = false;
    }
}

std::size_t PageCacheSlots::size(std::uint64_t ino, std::uint64_t fh) {
    if (ino >= kMaxIno) {
        return 0;
    }
    Slot& slot = slots_[ino];
    std::lock_guard lock(slot.mutex);
    if (slot.busy && fh != 0 && fh == slot.owner) {
        slot.kernel_size = slot.size;
    }
    return slot.size;
}

} // namespace lensfs::fuse
