#include "ctl/options.hpp"

namespace lensfs::ctl {

const char* usage_text() {
    return R"(Usage: lensctl [OPTIONS] COMMAND [ARGS]

Talks to the lensfs daemon over its control socket, or shows what a container
would read from lensfs without any mount.

Commands:
  list                      the registered containers
  get ID                    one registered container
  register ID (--pid PID | --cgroup PATH) [--start-time TIME]
               [--annotation KEY=VALUE]...
                            register a container, or update its entry. With
                            --pid only, the daemon reads the cgroup from
                            /proc/PID/cgroup. TIME is seconds of CLOCK_BOOTTIME,
                            or @SECONDS since the epoch; without it the daemon
                            uses the start time of PID, else the current time.
  unregister ID             remove a container's entry
  status                    the daemon's version, uptime, keeper and server
                            processes, number of containers, open files, reads
                            served per file and error counters
  upgrade                   live upgrade: the daemon's keeper starts the lensfs
                            binary on disk as a new server, which takes over the
                            mount without a failed read; waits until it serves
                            (at most 30 s or --timeout) and prints its pid
  show (--pid PID | --cgroup PATH | --id ID) FILE
                            print FILE (e.g. proc/meminfo, sys/devices/system/
                            cpu/online; an unknown FILE gets the list of the
                            served ones) as that container would read it from
                            lensfs, computed here with the daemon's code from
                            the host's /proc and cgroup files. --id asks the
                            daemon for the container's cgroup and start time;
                            --pid and --cgroup take registered containers into
                            account when the daemon can be reached.
                            With --cgroup, --start-time sets the start (default:
                            the registered one, else the host's boot).
  oci-config [--mount MNT] [--hook PATH] [--seccomp-socket PATH | --no-seccomp]
             BUNDLE
                            make BUNDLE/config.json (an OCI runtime bundle) use
                            lensfs: the lensfs-oci-hook entries (createRuntime,
                            createContainer, poststop; with --socket when one
                            was given) and a seccomp rule SCMP_ACT_NOTIFY for
                            sysinfo with linux.seccomp.listenerPath, so that
                            the daemon answers the container's sysinfo(2). An
                            existing seccomp profile is kept (the rule is
                            appended). Mount and seccomp socket are asked of
                            the daemon unless given; --hook defaults to
                            lensfs-oci-hook next to lensctl or in ../bin, else
                            /usr/local/bin/lensfs-oci-hook. Running it again
                            changes nothing. See docs/sysinfo.md.

Options:
      --socket PATH         the control socket (default: $LENSFS_SOCKET, else
                            /run/lensfs/lensfs.sock)
      --json                print JSON instead of tables, for scripts
      --timeout MS          give up on the daemon after MS milliseconds
                            (default 5000)
      --cgroup-root DIR     show: read cgroups below DIR, laid out like
                            /sys/fs/cgroup, instead of the host's cgroup mounts
      --no-cpu-quota-view   show: list the whole cpuset, ignoring CPU quotas
                            (as the daemon does with the same option)
  -h, --help                show this help and exit
  -V, --version             show the version and exit

Exit status: 0 success; 1 the daemon refused the request or the command
failed; 2 wrong command line; 3 the daemon could not be reached.
See lensctl(8).
)";
}

} // namespace lensfs::ctl
