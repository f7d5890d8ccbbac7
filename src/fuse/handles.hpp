#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "util/unique_fd.hpp"
#include "view/engine.hpp"
#include "view/sys_cpu.hpp"

namespace lensfs::fuse {

/// One open file of the mount.
///
/// A rendered file (a served file, or a host CPU-list file renumbered for the viewer) keeps
/// the text of its latest rendering: reads serve slices of it, and a direct read at offset 0
/// of a file that was already read renders it again, as procfs's seq_file does. A passed-
/// through host file keeps the host's descriptor and reads it at the requested offset.
struct OpenFile {
    std::uint64_t ino = 0;
    const view::ServedFile* file = nullptr; ///< a served file; nullptr for host entries
    std::string host_rel;                   ///< host entries: path below the host's cpu dir
    view::CpuFileFormat format = view::CpuFileFormat::none; ///< renumbered host entries
    UniqueFd host;                                          ///< passed-through host entries
    view::Container viewer;                                 ///< whose view this open shows
    std::uint64_t slot = 0; ///< per-container tree: the registry slot (0: the shared tree)
    /// Reads through the kernel's page cache (splice, sendfile, mmap, readahead) are served.
    /// Off for files of the shared tree that differ from reader to reader: their inode's page
    /// cache is seen by every reader, so no text of theirs may ever enter it.
    bool page_cache = false;

    std::mutex mu; ///< guards text and served; never held across a kernel call
    std::string text;
    bool served = false; ///< a read has been answered since the last rendering

    [[nodiscard]] bool rendered() const {
        return file != nullptr || format != view::CpuFileFormat::none;
    }
    /// Back to the state of a fresh slot; buffers keep their capacity.
    void reset();
    /// Gives the buffers' memory back (a slot that is not expected to be reused soon).
    void release_buffers();
};

/// The open files of one server process, addressed by FUSE file handles.
///
/// A handle is (tag << 32 | index): the tag is this process's, so a handle a previous
/// server handed out (the kernel keeps handles across a takeover) is recognised as foreign
/// and never taken for one of ours. Slots are allocated in chunks that never move, so a read
/// finds its file without a lock; the lowest free slot is reused first, and only the first
/// kKeptSlots keep their text buffers after release.
class HandleTable {
public:
    static constexpr std::size_t kChunkSize = 256;
    static constexpr std::size_t kMaxChunks = 4096; ///< 1 Mi open files at most
    /// Released slots with an index below kKeptSlots keep a text buffer up to this size.
    static constexpr std::uint32_t kKeptSlots = 32;
    static constexpr std::size_t kKeptTextCapacity = 16384;

    explicit HandleTable(std::uint32_t tag);
    ~HandleTable();
    HandleTable(const HandleTable&) = delete;
    HandleTable& operator=(const HandleTable&) = delete;

    /// A free slot, reset and marked in use, with its handle; nullopt when full.
    struct Acquired {
        std::uint64_t fh;
        OpenFile* file;
    };
    std::optional<Acquired> acquire();
    /// The open file of handle @p fh, if it is one of ours and in use.
    [[nodiscard]] OpenFile* find(std::uint64_t fh) const;
    /// Frees @p fh (ours or an adopted foreign one).
    void release(std::uint64_t fh);
    [[nodiscard]] bool is_own(std::uint64_t fh) const { return (fh >> 32) == tag_; }

    /// Foreign handles, from a server that held the connection before: each gets one of our
    /// slots on first use.
    [[nodiscard]] OpenFile* find_adopted(std::uint64_t foreign) const;
    /// Records that foreign handle @p foreign is served by our @p own. If another request
    /// adopted it first, returns that one's handle (the caller releases @p own); else @p own.
    std::uint64_t adopt(std::uint64_t foreign, std::uint64_t own);

    [[nodiscard]] std::size_t in_use() const;

    /// Frees the last chunks while every slot in them is free (a burst of opens is over), but
    /// never the first; returns how many chunks were freed. Safe beside find(): the kernel
    /// only names handles in use, and a slot counts as free once release() has finished.
    std::size_t shrink();
    /// How many chunks of slots are allocated.
    [[nodiscard]] std::size_t chunks() const;

private:
    struct Slot {
        std::atomic<bool> used{false};
        OpenFile file;
    };
    using Chunk = std::array<Slot, kChunkSize>;

    [[nodiscard]] Slot* slot(std::uint32_t index) const;

    std::uint32_t tag_;
    std::array<std::atomic<Chunk*>, kMaxChunks> chunks_{};
    mutable std::mutex mu_;           ///< guards the free list, the count and the adopted map
    std::vector<std::uint32_t> free_; ///< a min-heap of released indexes
    std::uint32_t next_ = 0;
    std::size_t used_ = 0;
    std::unordered_map<std::uint64_t, std::uint64_t> adopted_;
};

} // namespace lensfs::fuse

namespace lensfs::fuse {

/// What the kernel's page cache may hold of rendered files whose page-cache reads are served
/// (per-container trees, --view-of mounts). The kernel takes a file's size from the daemon and
/// cuts it to the end of the text whenever a page-cache read comes back short; the next text
/// may be longer, and a reader that splices (sendfile) stops at the kernel's size. So the
/// daemon remembers which inodes had such short reads, and their next open grows the size
/// again before the reader starts (see files.cpp). Bounded: past kMaxInodes the memory starts
/// over, which costs at most one extra grow per inode.
class PageSizes {
public:
    static constexpr std::size_t kMaxInodes = 65536;

    void note_short_read(std::uint64_t ino);
    [[nodiscard]] bool was_cut(std::uint64_t ino) const;
    void note_grown(std::uint64_t ino, std::uint64_t size);
    /// The size to report for @p ino: at least @p floor, and what it was last grown to.
    [[nodiscard]] std::uint64_t size_of(std::uint64_t ino, std::uint64_t floor) const;

private:
    struct State {
        bool cut = false;
        std::uint64_t grown = 0;
    };
    State& state(std::uint64_t ino);

    mutable std::mutex mu_;
    std::unordered_map<std::uint64_t, State> inodes_;
};

} // namespace lensfs::fuse
