#!/bin/bash
# A process in a fresh pid namespace reads the uptime of its namespace's init, and an idle
# time within [0, uptime x visible CPUs].
. "$(dirname "$0")/lib.sh"
require_root_and_fuse
command -v unshare >/dev/null || skip "unshare (util-linux) is missing"

start_lensfs

# In a new pid namespace: uptime and online, then again 2 s later. The first line is the
# reader's pid as it sees itself (1 = init of a new namespace) and its namespace.
in_new_pidns() {
    unshare --pid --fork --mount-proc bash -c '
        echo "$$ $(readlink /proc/self/ns/pid)"
        cat "$1/proc/uptime" "$1/sys/devices/system/cpu/online"
        sleep 2
        cat "$1/proc/uptime"' _ "$MOUNT"
}

# cpu_count LIST: the number of CPUs in a list such as 0-3,5.
cpu_count() {
    printf '%s\n' "$1" | awk -F, '{ for (i = 1; i <= NF; i++) { n = split($i, r, "-")
        c += (n == 2) ? r[2] - r[1] + 1 : 1 } } END { print c + 0 }'
}

# check_run LABEL OUTPUT [MAX_IDLE_SHORTFALL]: the checks on one in_new_pidns run. With
# MAX_IDLE_SHORTFALL, the container is known to be idle: idle >= uptime x CPUs - shortfall.
check_run() {
    local label=$1 out=$2 shortfall=${3-} nsinit up1 idle1 online up2 idle2 cpus
    read -r nsinit LAST_NS <<<"$(sed -n 1p <<<"$out")"
    read -r up1 idle1 <<<"$(sed -n 2p <<<"$out")"
    online=$(sed -n 3p <<<"$out")
    read -r up2 idle2 <<<"$(sed -n 4p <<<"$out")"
    cpus=$(cpu_count "$online")
    expect_eq "[$label] the reader runs in a new pid namespace (pid 1)" 1 "$nsinit" "$out"
    expect_match "[$label] uptime has the kernel's format" '^[0-9]+\.[0-9]{2} [0-9]+\.[0-9]{2}$' \
        "$(sed -n 2p <<<"$out")"
    expect_between "[$label] uptime of a fresh namespace is under 1 s" 0 "$up1" 0.99 "$out"
    expect_between "[$label] 2 s later uptime grew by about 2 s" 1.8 \
        "$(awk -v a="$up1" -v b="$up2" 'BEGIN { printf "%.2f", b - a }')" 3.5 "$out"
    expect_between "[$label] uptime after sleep 2" 1.8 "$up2" 4.5 "$out"
    expect_cmp "[$label] visible CPUs" "$cpus" '>=' 1 "$out"
    expect_between "[$label] first idle within [0, uptime x $cpus CPUs]" 0 "$idle1" \
        "$(awk -v u="$up1" -v c="$cpus" 'BEGIN { printf "%.2f", u * c + 0.01 }')" "$out"
    expect_between "[$label] idle within [0, uptime x $cpus CPUs]" 0 "$idle2" \
        "$(awk -v u="$up2" -v c="$cpus" 'BEGIN { printf "%.2f", u * c + 0.01 }')" "$out"
    if [[ -n $shortfall ]]; then
        expect_cmp "[$label] an idle container's idle is about uptime x CPUs" "$idle2" '>=' \
            "$(awk -v u="$up2" -v c="$cpus" -v s="$shortfall" 'BEGIN { printf "%.2f", u * c - s }')" \
            "$out"
    fi
}

check_run "pidns" "$(in_new_pidns)"
first_ns=$LAST_NS

# A second namespace, started inside a cgroup limited to CPU 0 after the first one ended: its
# uptime, CPUs and idle time are its own. The kernel reuses a freed namespace's inode number,
# so this also checks that nothing of the first (now gone) namespace is served to the second.
if [[ -w $CGROUP_FS/cpuset/cgroup.procs && -w $CGROUP_FS/cpuacct/cgroup.procs ]]; then
    make_cgroup idle cpuset cpu cpuacct memory
    cg_write cpuset idle cpuset.cpus 0
    sleep 0.5
    out=$(run_in_cgroup idle bash -c "$(declare -f in_new_pidns)
        MOUNT=$MOUNT in_new_pidns")
    check_run "pidns in cpuset 0" "$out" 0.5
    [[ $LAST_NS == "$first_ns" ]] &&
        note "the second namespace reused the first one's inode ($first_ns)"
    expect_eq "[pidns in cpuset 0] online is the cgroup's single CPU" 0 "$(sed -n 3p <<<"$out")" "$out"
fi

itest_finish
