#pragma once

#include <map>
#include <optional>
#include <string>
#include <sys/types.h>

#include "protocol/messages.hpp"
#include "util/result.hpp"

namespace lensfs::ctl {

enum class Command { list, get, register_, unregister, status, show, upgrade, oci_config };

/// The command line of lensctl, checked: each command has the arguments it needs and no
/// option that belongs to another command.
struct Options {
    Command command = Command::list;
    std::string socket; ///< "" = $LENSFS_SOCKET, else the default
    bool json = false;
    int timeout_ms = 0;       ///< 0 = the client's default
    std::string id;           ///< get, register, unregister, show --id
    std::string file;         ///< show
    std::optional<pid_t> pid; ///< register, show
    std::optional<std::string> cgroup;
    std::optional<StartTime> start_time;
    std::map<std::string, std::string> annotations; ///< register
    std::string cgroup_root;                        ///< show: read cgroups below this directory
    bool cpu_quota_view = true;                     ///< show
    std::string bundle;         ///< oci-config: the bundle directory
    std::string mount;          ///< oci-config --mount ("" = ask the daemon)
    std::string hook;           ///< oci-config --hook ("" = next to lensctl)
    std::string seccomp_socket; ///< oci-config --seccomp-socket ("" = ask the daemon)
    bool seccomp = true;        ///< oci-config: false with --no-seccomp
    bool help = false;
    bool version = false;
};

/// Parses the command line; EINVAL with a message for the user on a mistake.
Result<Options> parse_options(int argc, char** argv);

/// "N" (CLOCK_BOOTTIME seconds) or "@N" (seconds since the epoch), N a decimal >= 0.
std::optional<StartTime> parse_start_time(std::string_view text);

const char* usage_text();

} // namespace lensfs::ctl
