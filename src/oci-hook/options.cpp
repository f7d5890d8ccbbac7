#include "oci-hook/options.hpp"

#include "util/options.hpp"

namespace lensfs::oci {

namespace {

Status set_timeout(const char* value, Options& o) {
    return store_number(value, o.timeout_ms, 1, 600'000,
                        "--timeout takes milliseconds from 1 to 600000");
}

constexpr OptionRow<Options> kOptions[] = {
    {"socket", 0, true, &store_value<&Options::socket>},
    {"mount", 0, true, &store_value<&Options::mount_dir>},
    {"strict", 0, false, &set_flag<&Options::strict>},
    {"timeout", 0, true, &set_timeout},
    {"help", 'h', false, &set_flag<&Options::help>},
    {"version", 'V', false, &set_flag<&Options::version>},
};

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
    auto words = parse_command_line(argc, argv, kOptions, o);
    if (!words) {
        return std::move(words).error();
    }
    if (o.help || o.version) {
        return o;
    }
    if (words->empty()) {
        return Error{EINVAL, "missing STAGE (createRuntime, prestart, createContainer or "
                             "poststop; try --help)"};
    }
    o.stage_name = words->front();
    auto stage = stage_from_name(o.stage_name);
    if (!stage) {
        return Error{EINVAL, "unknown stage '" + o.stage_name +
                                 "' (expected createRuntime, prestart, createContainer or "
                                 "poststop)"};
    }
    o.stage = *stage;
    if (words->size() > 1) {
        return Error{EINVAL, "unexpected argument: " + (*words)[1]};
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
