#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <mutex>
#include <string_view>

struct fuse_session;

namespace lensfs::fuse {

/// Lets one open file per inode be served from the kernel's page cache.
///
/// A FUSE file served with direct_io costs the reader three round trips to the daemon (OPEN,
/// READ, READ at EOF). When the daemon stores the open's text in the kernel's page cache
/// before it replies to OPEN, the reader needs at most one more (GETATTR, for the new size)
/// and no READ. The page cache is per inode and shared by every reader, while the text differs
/// per container, so only one open per inode at a time may use it (the slot's owner). An open
/// that finds the slot taken is served with direct_io, which bypasses the page cache. Each new
/// owner replaces the cached text before its own open completes.
///
/// The kernel's file size only grows through a store; when the new text is shorter than what
/// the kernel may hold, the cached pages are dropped first and the exact size comes from
/// GETATTR or from the short READ of the last page.
class PageCacheSlots {
public:
    static constexpr std::size_t kMaxIno = 64;

    /// Makes this open of @p ino the slot's owner if the slot is free, and stores @p text in
    /// the kernel's cache. False: serve this open with direct_io.
    /// @p owner identifies the open (its file handle).
    bool acquire(fuse_session* se, std::uint64_t ino, std::string_view text, std::uint64_t owner);
    /// Frees the slot taken by acquire().
    void release(std::uint64_t ino);
    /// The size to report for @p ino: the owner's text, or the last owner's. @p fh is the
    /// file handle of a GETATTR that names one (0 otherwise): the owner's own GETATTR was sent
    /// after its store, so the size it is given is certainly the kernel's afterwards.
    std::size_t size(std::uint64_t ino, std::uint64_t fh);

private:
    struct Slot {
        std::mutex mutex;
        bool busy = false;
        std::uint64_t owner = 0;
        std::size_t size = 0;        ///< the owner's text
        std::size_t kernel_size = 0; ///< at least the size the kernel has for the inode
    };
    std::array<Slot, kMaxIno> slots_;
};

} // namespace lensfs::fuse
