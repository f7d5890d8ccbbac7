#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <sys/types.h>

#include "model/container.hpp"
#include "util/result.hpp"

namespace lensfs {

/// Longest accepted container id.
inline constexpr std::size_t kMaxIdLength = 128;
/// Longest accepted cgroup path (the kernel's PATH_MAX).
inline constexpr std::size_t kMaxCgroupLength = 4096;
/// Annotation limits: they travel in every list response and the state file, so keep them small.
inline constexpr std::size_t kMaxAnnotations = 64;
inline constexpr std::size_t kMaxAnnotationKeyLength = 256;
inline constexpr std::size_t kMaxAnnotationValueLength = 4096;
/// Highest pid the kernel can hand out (PID_MAX_LIMIT on 64-bit).
inline constexpr pid_t kMaxPid = 4194304;

/// One registered container: what a runtime told the daemon at start.
struct Entry {
    std::string id;                ///< 1–128 chars of [A-Za-z0-9_.-]
    std::string cgroup;            ///< absolute canonical cgroup path, e.g. "/lensfs-test-a"
    std::optional<pid_t> init_pid; ///< the container's init, in the daemon's pid namespace
    double start_boottime_s = 0;   ///< CLOCK_BOOTTIME seconds at container start
    double start_wall_s = 0;       ///< CLOCK_REALTIME seconds at container start
    std::map<std::string, std::string> annotations;
    /// Given by the registry when the id is first registered, never reused (0: none yet).
    std::uint64_t slot = 0;
    /// Taken by the daemon at registration; the container's CPU time counts from it.
    std::optional<CpuBaseline> cpu_baseline;

    bool operator==(const Entry&) const = default;

    /// The slim view the read path works with.
    [[nodiscard]] ContainerRecord record() const {
        return {id, cgroup, start_boottime_s, slot, cpu_baseline};
    }
};

/// Entries keyed by id; std::less<> allows lookups by string_view.
using EntryMap = std::map<std::string, Entry, std::less<>>;

/// @p text in single quotes for a message: at most 64 bytes, bytes outside printable ASCII as
/// \xNN, "..." when cut. Client-supplied values end up in logs and responses; this keeps both
/// readable, short and valid UTF-8.
std::string quoted_excerpt(std::string_view text);

/// True when @p text is well-formed UTF-8. Paths and annotations must be, since the control
/// protocol and the state file are JSON and could not carry them otherwise.
bool is_valid_utf8(std::string_view text);

/// Each validator returns EINVAL (bad shape) or E2BIG (over a size limit) with a message that
/// names the offending field; the message is meant for the client that sent it.
Status validate_id(std::string_view id);
Status validate_cgroup(std::string_view cgroup);
Status validate_pid(long long pid);
/// A start time is a finite, non-negative number of seconds.
Status validate_time(std::string_view field, double seconds);
Status validate_annotations(const std::map<std::string, std::string>& annotations);
/// All of the above for one entry.
Status validate_entry(const Entry& entry);

} // namespace lensfs
