#pragma once

// The registry's on-disk format. Private to the registry; exposed as a header so the format
// can be tested without a file system.
//
// <state-dir>/registry.json holds one JSON object:
//
//   {
//     "version": 1,
//     "next_slot": 8,                          integer >= 1: the next slot to give
//     "containers": [
//       {
//         "id": "web-1",                       string, [A-Za-z0-9_.-]{1,128}
//         "cgroup": "/system.slice/web-1",     string, absolute canonical path
//         "init_pid": 4242,                    integer 1..4194304; absent or null if unknown
//         "start_boottime": 81234.250113,      number, CLOCK_BOOTTIME seconds
//         "start_wall": 1718000000.5,          number, CLOCK_REALTIME seconds
//         "annotations": {"k": "v"},           object of strings; may be absent
//         "slot": 7,                           integer >= 1, unique; absent in older files
//         "cpu_baseline": {"at": 81234.3,      the cgroup's CPU time (ns) and the host's
//           "user_ns": 1, "system_ns": 2,      /proc/stat counters at registration;
//           "intr": 3, "ctxt": 4,              may be absent
//           "processes": 5, "softirq": 6}
//       }
//     ]
//   }
//
// Unknown fields are ignored so that a newer daemon may add some without bumping the version;
// a different "version" means the file is not understood and is treated as corrupt. Times are
// written with round-trip precision so a restart never shifts a container's uptime.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "model/entry.hpp"
#include "util/result.hpp"

namespace lensfs {

inline constexpr int kStateVersion = 1;
/// Deepest nesting of arrays and objects a state file may have (it needs 3).
inline constexpr std::size_t kMaxStateDepth = 8;
/// Highest slot: slots name the per-container trees in inode numbers (fuse/node_id.hpp).
inline constexpr std::uint64_t kMaxSlot = (std::uint64_t{1} << 31) - 1;

/// The state file's text for @p entries (one line, newline-terminated).
std::string encode_state(const EntryMap& entries, std::uint64_t next_slot);

/// What could be salvaged from a state file.
struct DecodedState {
    std::vector<Entry> entries;  ///< in file order, ids unique, slots unique or 0
    std::uint64_t next_slot = 1; ///< above every slot in the file
    /// One line per entry that was dropped (invalid or a duplicate id), saying which and why.
    std::vector<std::string> dropped;
};

/// Parses a state file. An Error (EBADMSG) means nothing in it can be trusted: not JSON, not
/// an object, wrong version, or "containers" missing or not an array. Bad single entries are
/// dropped and listed instead.
Result<DecodedState> decode_state(std::string_view text);

} // namespace lensfs
