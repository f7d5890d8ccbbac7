#pragma once

#include <string>

#include "util/result.hpp"

namespace lensfs::daemon {

inline constexpr const char* kDefaultMountpoint = "/var/lib/lensfs";

struct Options {
    std::string mountpoint = kDefaultMountpoint;
    std::string cgroup_root; ///< empty: the host's cgroup mounts
    bool foreground = false;
    bool debug = false;
    bool fuse_debug = false;
    bool cpu_quota_view = true;
    bool direct_io = false; ///< never serve through the page cache
    unsigned threads = 8;
    bool help = false;
    bool version = false;
};

/// Parses the command line. Errors carry a one-line message for the user.
Result<Options> parse_options(int argc, char** argv);

/// The --help text.
const char* usage_text();

} // namespace lensfs::daemon
