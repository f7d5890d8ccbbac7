#include "daemon/options.hpp"

#include <filesystem>
#include <string>
#include <string_view>
#include <utility>

#include "util/options.hpp"
#include "util/parse.hpp"

namespace lensfs::daemon {

namespace {

Result<std::string> absolute_path(const char* option, const char* arg) {
    std::string path(arg);
    if (path.empty() || path.front() != '/') {
        return Error{EINVAL, std::string(option) + " takes an absolute path, not '" + path + "'"};
    }
    return path;
}

// FUSE mount options LXCFS users pass with -o. lensfs mounts with its own fixed set (shared by
// every reader, read-only), so these change nothing; anything else is refused.
constexpr std::string_view kHarmlessFuseOptions[] = {
    "allow_other",  "ro",           "nosuid",     "nodev",
    "noexec",       "noatime",      "nonempty",   "default_permissions",
    "auto_unmount", "kernel_cache", "auto_cache", "big_writes",
};

bool harmless_fuse_option(std::string_view opt) {
    if (opt.starts_with("fsname=") || opt.starts_with("subtype=")) {
        return true;
    }
    for (std::string_view known : kHarmlessFuseOptions) {
        if (opt == known) {
            return true;
        }
    }
    return false;
}

Status apply_fuse_options(std::string_view list, Options& o) {
    while (!list.empty()) {
        std::size_t comma = list.find(',');
        std::string_view opt = list.substr(0, comma);
        list = comma == std::string_view::npos ? std::string_view{} : list.substr(comma + 1);
        if (opt.empty()) {
            continue;
        }
        if (opt == "direct_io" || harmless_fuse_option(opt)) {
            o.ignored_fuse_options.emplace_back(opt);
        } else {
            return Error{EINVAL, "-o " + std::string(opt) + ": not a mount option lensfs accepts"};
        }
    }
    return Ok{};
}

Result<ViewOf> parse_view_of(std::string_view spec) {
    const auto bad = [spec] {
        return Error{EINVAL, "--view-of takes pid:N, cgroup:PATH or id:ID, not '" +
                                 std::string(spec) + "'"};
    };
    std::size_t colon = spec.find(':');
    if (colon == std::string_view::npos || colon + 1 == spec.size()) {
        return bad();
    }
    std::string_view kind = spec.substr(0, colon);
    std::string value(spec.substr(colon + 1));
    ViewOf v;
    if (kind == "pid") {
        auto n = parse_u64(value);
        if (!n || *n < 1 || *n > 4194304) {
            return bad();
        }
        v.kind = ViewOf::Kind::pid;
        v.pid = static_cast<pid_t>(*n);
    } else if (kind == "cgroup" && value.front() == '/') {
        v.kind = ViewOf::Kind::cgroup;
    } else if (kind == "id") {
        v.kind = ViewOf::Kind::id;
    } else {
        return bad();
    }
    v.value = std::move(value);
    return v;
}

Status ignore(const char* /*value*/, Options& /*o*/) {
    return Ok{};
}

Status set_pidfile(const char* arg, Options& o) {
    // Written after detaching, which leaves the working directory: anchor it now.
    if (*arg == '\0') {
        return Error{EINVAL, "--pidfile takes a file name"};
    }
    o.pidfile = arg;
    if (o.pidfile.front() != '/') {
        std::error_code ec;
        o.pidfile = (std::filesystem::current_path(ec) / o.pidfile).string();
        if (ec) {
            return Error{EINVAL, "--pidfile: cannot resolve '" + std::string(arg) + "'"};
        }
    }
    return Ok{};
}

Status set_fuse_options(const char* arg, Options& o) {
    return apply_fuse_options(arg, o);
}

Status set_view_of(const char* arg, Options& o) {
    auto v = parse_view_of(arg);
    if (!v) {
        return std::move(v).error();
    }
    o.view_of = std::move(*v);
    return Ok{};
}

Status set_socket(const char* arg, Options& o) {
    // Checked when the socket is created, like the mountpoint.
    o.socket = arg;
    o.socket_given = true;
    return Ok{};
}

Status set_state_dir(const char* arg, Options& o) {
    auto path = absolute_path("--state-dir", arg);
    if (!path) {
        return std::move(path).error();
    }
    o.state_dir = std::move(*path);
    return Ok{};
}

Status set_seccomp_socket(const char* arg, Options& o) {
    auto path = absolute_path("--seccomp-socket", arg);
    if (!path) {
        return std::move(path).error();
    }
    o.seccomp_socket = std::move(*path);
    o.seccomp_given = true;
    return Ok{};
}

Status set_socket_group(const char* arg, Options& o) {
    if (*arg == '\0') {
        return Error{EINVAL, "--socket-group takes a group name or number"};
    }
    o.socket_group = arg;
    return Ok{};
}

Status set_idle_timeout(const char* arg, Options& o) {
    return store_number(arg, o.idle_timeout_s, 1, 86400,
                        "--control-idle-timeout takes seconds from 1 to 86400");
}

Status set_render_window(const char* arg, Options& o) {
    return store_number(arg, o.render_window_ms, 0, 1000,
                        "--render-window takes milliseconds from 0 to 1000");
}

Status set_threads(const char* arg, Options& o) {
    return store_number(arg, o.threads, 1, 64, "--threads takes a number from 1 to 64");
}

Status add_direct_io(const char* /*value*/, Options& o) {
    o.ignored_fuse_options.emplace_back("direct_io");
    return Ok{};
}

constexpr OptionRow<Options> kOptions[] = {
    {"foreground", 'f', false, &set_flag<&Options::foreground>},
    {"debug", 'd', false, &set_flag<&Options::debug>},
    {"help", 'h', false, &set_flag<&Options::help>},
    {nullptr, 'n', false, &set_flag<&Options::help>}, // LXCFS's spelling
    {"version", 'V', false, &set_flag<&Options::version>},
    {nullptr, 'v', false, &set_flag<&Options::version>}, // LXCFS's spelling
    {"cgroup-root", 0, true, &store_value<&Options::cgroup_root>},
    {"threads", 0, true, &set_threads},
    {"render-window", 0, true, &set_render_window},
    {"no-cpu-quota-view", 0, false, &clear_flag<&Options::cpu_quota_view>},
    {"fuse-debug", 0, false, &set_flag<&Options::fuse_debug>},
    {"direct-io", 0, false, &add_direct_io},
    {"socket", 0, true, &set_socket},
    {"no-socket", 0, false, &clear_flag<&Options::control_socket>},
    {"socket-group", 0, true, &set_socket_group},
    {"state-dir", 0, true, &set_state_dir},
    {"control-idle-timeout", 0, true, &set_idle_timeout},
    {"view-of", 0, true, &set_view_of},
    {"seccomp-socket", 0, true, &set_seccomp_socket},
    {"no-seccomp", 0, false, &clear_flag<&Options::seccomp>},
    // LXCFS 5's command line, so its units and scripts start lensfs unchanged.
    {"enable-loadavg", 'l', false, &ignore}, // loadavg is always virtualized
    {"disable-swap", 'u', false, &clear_flag<&Options::swap>},
    {"pidfile", 'p', true, &set_pidfile},
    {"enable-cfs", 0, false, &ignore},   // the CPU quota view is on unless --no-cpu-quota-view
    {"enable-pidfd", 0, false, &ignore}, // readers are resolved at open; nothing to track
    {nullptr, 'o', true, &set_fuse_options},
};

} // namespace

Result<Options> parse_options(int argc, char** argv) {
    Options o;
    auto words = parse_command_line(argc, argv, kOptions, o);
    if (!words) {
        return std::move(words).error();
    }
    if (!words->empty()) {
        o.mountpoint = words->front();
    }
    if (words->size() > 1) {
        return Error{EINVAL, "unexpected argument: " + (*words)[1]};
    }
    // A --view-of mount is a debugging mount beside the service: it serves no control socket
    // of its own unless asked for one, and asks the service's socket for id: lookups.
    if (o.view_of.kind != ViewOf::Kind::none && !o.socket_given) {
        o.control_socket = false;
    }
    if (o.view_of.kind != ViewOf::Kind::none && !o.seccomp_given) {
        o.seccomp = false;
    }
    // Beside the registry, like every other file of one daemon: two daemons with their own
    // state directories never share a seccomp socket.
    if (!o.seccomp_given) {
        o.seccomp_socket = o.state_dir + "/" + kSeccompSocketName;
    }
    return o;
}

const char* usage_text() {
    return R"(Usage: lensfs [OPTIONS] [MOUNTPOINT]

Serves container-aware views of /proc files over FUSE. A process that reads
MOUNTPOINT/proc/meminfo (or cpuinfo, stat, uptime, swaps, loadavg, diskstats,
slabinfo, pressure/{cpu,memory,io}) or MOUNTPOINT/sys/devices/system/cpu/...
sees the figures of its own container, computed from its cgroup.
MOUNTPOINT/containers/ID/ holds the same files for registered container ID, whoever
reads them: bind-mount those into containers (see "Isolation" in lensfs(8)).
MOUNTPOINT defaults to /var/lib/lensfs and is created if missing.

Options:
  -f, --foreground         stay in the foreground and log to stderr
                           (otherwise detach and log to syslog)
  -d, --debug              log debug messages
      --cgroup-root DIR    read cgroup files from DIR instead of the host's cgroup
                           mounts; DIR is laid out like /sys/fs/cgroup (a cgroup2
                           tree, or one directory per v1 hierarchy plus an optional
                           "unified" cgroup2 tree). For tests and debugging.
      --threads N          serve with at most N FUSE worker threads (1-64, default 8)
      --render-window MS   reads within MS share a rendering (0-1000, default 10)
      --no-cpu-quota-view  show the whole cpuset, ignoring CPU quotas
      --direct-io          accepted, no effect: every read reaches the daemon
      --fuse-debug         print libfuse's trace of every request (very verbose)
      --view-of SPEC       serve every reader one container's view (SPEC:
                           pid:N, cgroup:PATH or id:ID; see lensfs(8)); runs
                           beside the service: no control or seccomp socket of
                           its own (unless given --socket PATH or
                           --seccomp-socket PATH), id: asked of the service

Control socket and registry (see lensfs-protocol(7)):
      --socket PATH        serve the control socket at PATH (default
                           /run/lensfs/lensfs.sock; its directory is created mode
                           0755 if missing). The socket is mode 0600: only root
                           may connect. Refuses to start when another daemon
                           answers on PATH; removes a stale socket file.
      --socket-group GROUP also let members of GROUP (name or number) use the
                           socket: mode 0660, owned by GROUP. Members control
                           every container's view, as root does
      --no-socket          serve without a control socket (containers registered
                           earlier keep their start times; none can be added)
      --state-dir DIR      keep the registry of containers in DIR/registry.json
                           (default /run/lensfs; must be ours, not a symlink;
                           made mode 0700, or 0711 when it holds the socket).
                           It survives a daemon restart; a corrupt file is set
                           aside and logged, and the daemon starts empty.
      --control-idle-timeout N
                           close a control connection after N seconds without a
                           complete request (1-86400, default 30)

sysinfo(2) for containers (see "sysinfo" in lensfs(8), docs/sysinfo.md):
      --seccomp-socket PATH
                           take seccomp listeners from OCI runtimes at PATH
                           (linux.seccomp.listenerPath; default
                           STATE_DIR/seccomp.sock, that is /run/lensfs/seccomp.sock;
                           mode 0600, root only) and
                           answer the containers' sysinfo(2) calls with their
                           own memory, uptime, load and task count
      --no-seccomp         no seccomp socket (a container configured for one
                           then fails to start: runc cannot send its listener)
  -h, --help               show this help and exit
  -V, --version            show the version and exit

LXCFS compatibility (LXCFS 5's options; see lensfs(8)):
  -l, --enable-loadavg, --enable-cfs, --enable-pidfd
                           accepted; on by default
  -u, --disable-swap       show no swap in any container
  -p, --pidfile FILE       write the daemon's pid to FILE; removed at exit
  -o OPT[,OPT...]          FUSE options: direct_io, allow_other and other
                           harmless ones are logged and ignored
  -n, -v                   same as --help, --version

A keeper process holds the mount; a server that dies is replaced without
unmounting. Signals to the keeper: SIGHUP live upgrade to the binary on disk;
SIGUSR1 reload the registry and STATE_DIR/log-level; SIGUSR2 status to the log;
SIGINT, SIGTERM stop and unmount (under systemd: leave the mount to the next start).
See lensfs(8) "Restarts and upgrades" and lensfs-protocol(7).
)";
}

} // namespace lensfs::daemon
