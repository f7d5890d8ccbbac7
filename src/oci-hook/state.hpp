#pragma once

// The OCI runtime state a hook reads on stdin, and the bundle's config.json root. Pure:
// parsing only, so that every shape of input can be unit-tested.

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <sys/types.h>

#include "util/result.hpp"

namespace lensfs::oci {

/// Largest state or config.json accepted. Real states are a few hundred bytes plus the
/// annotations, which Kubernetes caps at 256 KiB in total.
inline constexpr std::size_t kMaxInputBytes = std::size_t{1} << 20;
/// Deepest nesting accepted; real states nest two levels.
inline constexpr std::size_t kMaxDepth = 64;

/// The fields of the runtime state lensfs uses. runc and crun both put pid and bundle at the
/// top level; crun also sends "root", the absolute path of the root filesystem.
struct State {
    std::string oci_version;  ///< "" when absent
    std::string id;           ///< required
    std::string status;       ///< "" when absent
    std::optional<pid_t> pid; ///< absent, or 0 (crun's "not running"): nullopt
    std::string bundle;       ///< "" when absent
    std::string rootfs;       ///< crun's "root"; "" when absent
    std::map<std::string, std::string> annotations;
};

/// Parses the state JSON. EINVAL with a message naming the problem for anything that is not
/// an object with a string "id" and correctly typed optional fields; E2BIG for input over
/// kMaxInputBytes or nested deeper than kMaxDepth.
Result<State> parse_state(std::string_view text);

/// The "root.path" of a bundle's config.json (EINVAL when missing or not a string).
Result<std::string> parse_root_path(std::string_view config_json);

/// The root filesystem: @p root_path when absolute, else @p bundle / @p root_path; "." and
/// ".." components and repeated slashes are folded lexically.
std::string resolve_rootfs(std::string_view bundle, std::string_view root_path);

} // namespace lensfs::oci
