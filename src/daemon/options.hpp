#pragma once

#include <string>
#include <sys/types.h>
#include <vector>

#include "util/result.hpp"

namespace lensfs::daemon {

inline constexpr const char* kDefaultMountpoint = "/var/lib/lensfs";
inline constexpr const char* kDefaultSocket = "/run/lensfs/lensfs.sock";
inline constexpr const char* kDefaultStateDir = "/run/lensfs";
inline constexpr const char* kDefaultSeccompSocket = "/run/lensfs/seccomp.sock";
inline constexpr const char* kSeccompSocketName = "seccomp.sock"; ///< in the state directory
inline constexpr unsigned kDefaultIdleTimeoutS = 30;

/// --view-of: every reader of the mount gets this one container's view.
struct ViewOf {
    enum class Kind { none, pid, cgroup, id };
    Kind kind = Kind::none;
    pid_t pid = 0;     ///< Kind::pid
    std::string value; ///< Kind::cgroup: absolute cgroup path; Kind::id: registry id
};

struct Options {
    std::string mountpoint = kDefaultMountpoint;
    std::string cgroup_root; ///< empty: the host's cgroup mounts
    bool foreground = false;
    bool debug = false;
    bool fuse_debug = false;
    bool cpu_quota_view = true;
    unsigned threads = 8;
    unsigned render_window_ms = 10; ///< --render-window: reads this close share a rendering
    std::string socket = kDefaultSocket;
    bool control_socket = true; ///< false: --no-socket, or --view-of without --socket
    bool socket_given = false;  ///< --socket was on the command line
    std::string socket_group;   ///< name or number; empty: root only
    std::string state_dir = kDefaultStateDir;
    unsigned idle_timeout_s = kDefaultIdleTimeoutS; ///< control connections
    bool swap = true;    ///< false: -u/--disable-swap (LXCFS): swap shown as none
    std::string pidfile; ///< -p/--pidfile: write the daemon's pid here; empty: none
    /// Where runtimes send seccomp listeners (the agent answering sysinfo(2)); by default
    /// STATE_DIR/seccomp.sock.
    std::string seccomp_socket = kDefaultSeccompSocket;
    bool seccomp = true;        ///< false: --no-seccomp, or --view-of without --seccomp-socket
    bool seccomp_given = false; ///< --seccomp-socket was on the command line
    std::vector<std::string> ignored_fuse_options; ///< -o options accepted and not applied
    ViewOf view_of;
    bool help = false;
    bool version = false;
};

/// Parses the command line. Errors carry a one-line message for the user.
Result<Options> parse_options(int argc, char** argv);

/// The --help text.
const char* usage_text();

} // namespace lensfs::daemon
