#!/bin/bash
# What glibc and coreutils count inside a container whose /sys/devices/system/cpu is the
# mount's (bind-mounted in a private mount namespace, as a runtime does): getconf
# _NPROCESSORS_CONF and _NPROCESSORS_ONLN and nproc --all agree with the visible CPUs, and ls
# shows cpu0..cpu(n-1) only. A host process sees the host's counts through the same mount.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/common.sh"
require_root_and_fuse
require_hierarchy memory cpuset cpu cpuacct unified
command -v unshare >/dev/null || skip "unshare (util-linux) is missing"
command -v getconf >/dev/null || skip "getconf is missing"

ncpu=$(host_cpu_count)
start_systree_daemon

# in_view RUNNER... -- CMD...: CMD in a private mount namespace where the mount's cpu
# directory covers /sys/devices/system/cpu, run through RUNNER (run_in_cgroup NAME, at_root).
in_view() {
    local runner=()
    while [[ $1 != -- ]]; do
        runner+=("$1")
        shift
    done
    shift
    "${runner[@]}" unshare -m --propagation private sh -c \
        'mount --bind "$1" /sys/devices/system/cpu && shift && exec "$@"' sh "$CPU_DIR" "$@"
}

# check_counts WHAT N RUNNER...: getconf, nproc --all and ls agree on N CPUs.
check_counts() {
    local what=$1 n=$2
    shift 2
    expect_eq "[$what] getconf _NPROCESSORS_CONF" "$n" \
        "$(in_view "$@" -- getconf _NPROCESSORS_CONF)"
    expect_eq "[$what] getconf _NPROCESSORS_ONLN" "$n" \
        "$(in_view "$@" -- getconf _NPROCESSORS_ONLN)"
    expect_eq "[$what] ls shows cpu0..cpu$((n - 1))" "$(seq -f 'cpu%g' 0 $((n - 1)) | names)" \
        "$(in_view "$@" -- ls -A1 /sys/devices/system/cpu | grep -E '^cpu[0-9]+$' | names)"
    expect_eq "[$what] ls shows the host's other entries" \
        "$(ls -A1 "$HOST_CPU_DIR" | grep -Ev '^cpu[0-9]+$' | names)" \
        "$(in_view "$@" -- ls -A1 /sys/devices/system/cpu | grep -Ev '^cpu[0-9]+$' | names)"
}

# nproc_all WHAT N RUNNER...: nproc --all prints N. coreutils (gnulib) takes the affinity
# mask's count instead when sysconf(_SC_NPROCESSORS_CONF) says 1 or 2 and the mask is larger
# (a workaround for glibc PR 21542): a quota narrower than the cpuset cannot show there.
nproc_all() {
    local what=$1 n=$2
    shift 2
    expect_eq "[$what] nproc --all" "$n" "$(in_view "$@" -- nproc --all)"
}

make_cpu_cgroup one 0
check_counts "cpuset 0" 1 run_in_cgroup one
nproc_all "cpuset 0" 1 run_in_cgroup one

if [[ $ncpu -ge 2 ]]; then
    attr=$(cpu_attr)
    make_cpu_cgroup half 0-1 50000
    check_counts "quota 50000/100000 over 0-1" 1 run_in_cgroup half
    note "[quota 50000/100000 over 0-1] nproc --all prints" \
        "$(in_view run_in_cgroup half -- nproc --all)" \
        "(coreutils counts the 2-CPU affinity mask when sysconf says 1 or 2)"
    expect_eq "[quota 50000/100000 over 0-1] cpu0/$attr is host cpu0's" \
        "$(cat "$HOST_CPU_DIR/cpu0/$attr")" \
        "$(in_view run_in_cgroup half -- cat "/sys/devices/system/cpu/cpu0/$attr")"

    make_cpu_cgroup two 0-1
    check_counts "cpuset 0-1" 2 run_in_cgroup two
    nproc_all "cpuset 0-1" 2 run_in_cgroup two

    make_cpu_cgroup second 1
    check_counts "cpuset 1" 1 run_in_cgroup second
    expect_eq "[cpuset 1] cpu0/$attr is host cpu1's" "$(cat "$HOST_CPU_DIR/cpu1/$attr")" \
        "$(in_view run_in_cgroup second -- cat "/sys/devices/system/cpu/cpu0/$attr")"
else
    note "the host has one CPU: the quota and two-CPU cases are skipped"
fi

# A host process, through the same bind mount, counts the host's CPUs.
check_counts "host" "$(getconf _NPROCESSORS_CONF)" at_root
expect_eq "[host] getconf _NPROCESSORS_ONLN is the host's" "$(getconf _NPROCESSORS_ONLN)" \
    "$(in_view at_root -- getconf _NPROCESSORS_ONLN)"
expect_eq "[host] nproc --all is the host's" "$(at_root nproc --all)" \
    "$(in_view at_root -- nproc --all)"
expect_eq "[host] ls shows the host's directory" "$(listing "$HOST_CPU_DIR")" \
    "$(in_view at_root -- ls -A1 /sys/devices/system/cpu | names)"

itest_finish
