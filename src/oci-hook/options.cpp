#include "oci-hook/options.hpp"

#include <getopt.h>

#include "util/parse.hpp"

namespace lensfs::oci {

namespace {

enum LongOnly : int { kSocket = 256, kMount, kStrict, kTimeout };

constexpr option kLongOptions[] = {
    {"socket", required_argument, nullptr, kSocket},
    {"mount", required_argument, nullptr, kMount},
    {"strict", no_argument, nullptr, kStrict},
    {"timeout", required_argument, nullptr, kTimeout},
    {"help", no_argument, nullptr, 'h'},
    {"version", no_argument, nullptr, 'V'},
    {nullptr, 0, nullptr, 0},
};

Status apply(int opt, const char* arg, Options& o) {
    switch (opt) {
    case kSocket:
        o.socket = arg;
        break;
    case kMount:
        o.mount_dir = arg;
        break;
    case kStrict:
        o.strict = true;
        break;
    case kTimeout: {
        auto ms = parse_u64(arg);
        if (!ms || *ms < 1 || *ms > 600'000) {
            return Error{EINVAL, "--timeout takes milliseconds from 1 to 600000"};
        }
        o.timeout_ms = static_cast<int>(*ms);
        break;
    }
    case 'h':
        o.help = true;
        break;
    case 'V':
        o.version = true;
        break;
    default:
        return Error{EINVAL, "unknown option (try --help)"};
    }
    return Ok{};
}

} // namespace

std::optional<Stage> stage_from_name(std::string_view name) {
    if (name == "createRuntime") {
        return Stage::create_runtime;
    }
    if (name == "prestart") {
        return Stage::prestart;
    }
    if (name == "createContainer") {
        return Stage::create_container;
    }
    if (name == "poststop") {
        return Stage::poststop;
    }
    return std::nullopt;
}

Result<Options> parse_options(int argc, char** argv) {
    Options o;
    optind = 1;
    opterr = 0;
    int opt = 0;
    // Single-threaded at this point; getopt's global state is fine.
    while ((opt = getopt_long(argc, argv, "hV", kLongOptions, nullptr)) != -1) { // NOLINT
        if (opt == '?') {
            return Error{EINVAL, std::string("unknown option or missing argument: ") +
                                     (optind > 0 && optind <= argc ? argv[optind - 1] : "?") +
                                     " (try --help)"};
        }
        if (Status st = apply(opt, optarg, o); !st) {
            return std::move(st).error();
        }
    }
    if (o.help || o.version) {
        return o;
    }
    if (optind >= argc) {
        return Error{EINVAL, "missing STAGE (createRuntime, prestart, createContainer or "
                             "poststop; try --help)"};
    }
    o.stage_name = argv[optind++];
    auto stage = stage_from_name(o.stage_name);
    if (!stage) {
        return Error{EINVAL, "unknown stage '" + o.stage_name +
                                 "' (expected createRuntime, prestart, createContainer or "
                                 "poststop)"};
    }
    o.stage = *stage;
    if (optind < argc) {
        return Error{EINVAL, std::string("unexpected argument: ") + argv[optind]};
    }
    return o;
}

const char* usage_text() {
    return R"(Usage: lensfs-oci-hook [OPTIONS] STAGE < STATE

An OCI runtime hook that connects containers to lensfs. The runtime passes the
container's state (JSON) on standard input. STAGE is one of:

  createRuntime, prestart
        register the container with the lensfs daemon: its id, its init pid
        (the daemon reads the cgroup from /proc/PID/cgroup) and, as the start
        time, the init's start time; annotations that fit the daemon's limits
        are passed along
  createContainer
        in the container's mount namespace, before pivot_root: bind-mount the
        lensfs files read-only over the container's /proc/{meminfo,cpuinfo,
        stat,uptime,swaps,loadavg,diskstats} and /sys/devices/system/cpu/online
        (the root filesystem is root.path of the bundle's config.json)
  poststop
        unregister the container

Options:
      --socket PATH   the daemon's control socket (default: $LENSFS_SOCKET,
                      else /run/lensfs/lensfs.sock)
      --mount DIR     where lensfs is mounted (default /var/lib/lensfs)
      --timeout MS    give up on the daemon, and on a state on stdin that does
                      not end, after MS milliseconds each (default 5000)
      --strict        fail (exit 1), and so stop the container from starting,
                      when the daemon cannot be reached, the state is malformed
                      or the files cannot be mounted
  -h, --help          show this help and exit
  -V, --version       show the version and exit

Without --strict every failure is reported in one line on standard error and
the hook exits 0: the container starts with the host's /proc files.
Exit status: 0 done (or failed without --strict), 1 failed with --strict,
2 wrong command line. See lensfs-oci-hook(1).
)";
}

} // namespace lensfs::oci
