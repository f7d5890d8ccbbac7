# Helpers shared by the /sys/devices/system/cpu tests; sourced by each test after ../lib.sh.

HOST_CPU_DIR=/sys/devices/system/cpu

# start_systree_daemon [ARGS...]: a daemon with no control socket (none of these tests needs
# one, and the default socket may belong to another daemon). Sets CPU_DIR, the tree served.
start_systree_daemon() {
    mkdir -p "$ITEST_TMP/state"
    start_lensfs --no-socket --state-dir "$ITEST_TMP/state" "$@"
    CPU_DIR=$MOUNT/sys/devices/system/cpu
}

# at_root CMD...: runs CMD at the root of every cgroup hierarchy, as a host process.
at_root() {
    (
        for f in "$CGROUP_FS"/*/cgroup.procs; do
            echo "$BASHPID" >"$f" 2>/dev/null
        done
        exec "$@"
    )
}

# make_cpu_cgroup NAME CPUS [QUOTA_US]: a cgroup over cpuset CPUS, with a CFS quota of
# QUOTA_US per 100000 us when given.
make_cpu_cgroup() {
    make_cgroup "$1"
    cg_write cpuset "$1" cpuset.cpus "$2"
    if [[ -n ${3-} ]]; then
        cg_write cpu "$1" cpu.cfs_period_us 100000
        cg_write cpu "$1" cpu.cfs_quota_us "$3"
    fi
}

# names: stdin's lines sorted bytewise and joined by spaces.
names() { LC_ALL=C sort | tr '\n' ' ' | sed 's/ $//'; }

# listing DIR: the entries of DIR, as names() prints them.
listing() { ls -A1 "$1" | names; }

# host_cpu_count: the host's cpuN directories.
host_cpu_count() { ls -A1 "$HOST_CPU_DIR" | grep -Ec '^cpu[0-9]+$'; }

# expected_listing N: what a container with N visible CPUs lists: the host's entries with its
# cpuN directories replaced by cpu0..cpu(N-1).
expected_listing() {
    {
        ls -A1 "$HOST_CPU_DIR" | grep -Ev '^cpu[0-9]+$'
        seq -f 'cpu%g' 0 $(($1 - 1))
    } | names
}

# cpu_list N: the kernel's list of CPUs 0..N-1.
cpu_list() { if [[ $1 -eq 1 ]]; then echo 0; else echo "0-$(($1 - 1))"; fi; }

# dump DIR: "relative path: content" of every readable file below DIR, and "path -> target"
# of every symlink, sorted; what two views of one CPU directory must agree on. Attributes that
# move by themselves (idle times and counters) are left out.
dump() {
    (
        cd "$1" || exit 1
        find . -type l -printf '%p -> %l\n'
        find . -type f -perm -0444 -print0 | LC_ALL=C sort -z |
            xargs -0 grep -H -s -v '^$' /dev/null
    ) | grep -Ev '^\./(cpuidle/state[0-9]+/(time|usage|above|below|rejected)|power/runtime_[a-z_]+|cpufreq/.*cur_freq|cpufreq/stats/.*):' |
        LC_ALL=C sort
}

# cpu_attr: an attribute below cpuN whose value differs between host cpu0 and cpu1, so that
# reading it tells which host CPU a directory stands for; topology/core_id when none does.
cpu_attr() {
    local a
    for a in topology/core_id topology/thread_siblings_list topology/core_cpus_list \
        cache/index0/shared_cpu_list; do
        if [[ -r $HOST_CPU_DIR/cpu0/$a && -r $HOST_CPU_DIR/cpu1/$a &&
            $(cat "$HOST_CPU_DIR/cpu0/$a") != "$(cat "$HOST_CPU_DIR/cpu1/$a")" ]]; then
            echo "$a"
            return 0
        fi
    done
    note "no attribute tells host cpu0 from cpu1: the mapping checks cannot fail" >&2
    echo topology/core_id
}
