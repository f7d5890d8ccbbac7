#!/bin/bash
# /proc/stat from real cgroup2 cpu.stat. This hybrid host's cgroup2 tree has no controllers
# but real cpu.stat in every group, so:
#   1. pure v2: the daemon is given the host's real cgroup2 mount as --cgroup-root, which
#      makes it a pure-v2 layout (every controller read from the cgroup2 tree; cpuset, quota
#      and memory files absent, so the host's values stand in for those). A process in a real
#      cgroup2 group burns CPU; its stat must carry that group's cpu.stat spread over the
#      visible CPUs.
#   2. hybrid fallback: the default layout, a process in v1 memory/cpuset/cpu groups but left
#      in the root cpuacct group (whose figures are the whole host's) and in a cgroup2 group:
#      its stat must come from the cgroup2 group's cpu.stat.
. "$(dirname "$0")/../lib.sh"
require_root_and_fuse
require_hierarchy memory cpuset cpu unified
unified=$CGROUP_FS/unified
[[ -f $unified/cgroup.controllers ]] || skip "no cgroup2 tree at $unified"

hz=$(getconf CLK_TCK)
cpus=$(grep -c '^processor' /proc/cpuinfo)

# burn NAME: about half a second of CPU in cgroup NAME.
# in_group NAME CMD...: CMD in cgroup NAME. The hybrid case's group "hy" has no cpuacct
# cgroup of its own, and its processes must sit in the root cpuacct group whichever cpuacct
# group the test runner is in: they move themselves there (our own processes; the root
# group's settings are not touched).
in_group() {
    if [[ $1 == hy ]]; then
        run_in_cgroup hy sh -c 'echo $$ >"$0/cgroup.procs" && exec "$@"' "$CGROUP_FS/cpuacct" "${@:2}"
    else
        run_in_cgroup "$@"
    fi
}
burn() { in_group "$1" sh -c 'i=0; while [ $i -lt 400000 ]; do i=$((i + 1)); done'; }

# cpu_stat_ticks FILE: sets STAT_USER and STAT_SYSTEM to a cpu.stat's user_usec and
# system_usec in ticks.
cpu_stat_ticks() {
    STAT_USER=$(awk -v hz="$hz" '$1 == "user_usec" { printf "%d", $2 * hz / 1000000 }' "$1")
    STAT_SYSTEM=$(awk -v hz="$hz" '$1 == "system_usec" { printf "%d", $2 * hz / 1000000 }' "$1")
}

# check_stat WHAT NAME CPU_STAT_FILE N: the stat read in NAME carries CPU_STAT_FILE's time on
# N cpuN lines, busy + idle = elapsed on each.
check_stat() {
    local what=$1 name=$2 file=$3 n=$4 stat user system want
    stat=$(in_group "$name" cat "$MOUNT/proc/stat")
    cpu_stat_ticks "$file"
    want=$((STAT_USER + STAT_SYSTEM))
    read -r _ user _ system _ <<<"$(grep '^cpu ' <<<"$stat")"
    expect_eq "[$what] $n cpuN lines" "$n" "$(count_lines '^cpu[0-9]+ ' "$stat")" "$stat"
    expect_cmp "[$what] the group burnt CPU (cpu.stat: $want ticks)" "$want" ">=" 20
    # The reading cat adds a little to the group between the two reads.
    expect_between "[$what] user + system is the group's cpu.stat" $((want - 3)) \
        $((user + system)) $((want + 3)) "$stat"
    expect_between "[$what] user is cpu.stat's user_usec" $((STAT_USER - 3)) "$user" \
        $((STAT_USER + 3)) "$stat"
    expect_eq "[$what] every cpuN line has the same elapsed time" 1 \
        "$(awk '/^cpu[0-9]+ / { print $2 + $3 + $4 + $5 }' <<<"$stat" | sort -u | wc -l)" "$stat"
    # Spread evenly: no visible CPU carries more than its share plus a tick.
    expect_cmp "[$what] busy spread over the CPUs" \
        "$(awk '/^cpu[0-9]+ / { b = $2 + $4; if (b > m) m = b } END { print m }' <<<"$stat")" \
        "<=" $(((user + system) / n + 2)) "$stat"
}

# 1. The real cgroup2 tree as a pure-v2 root.
make_cgroup v2 unified
burn v2
start_lensfs --cgroup-root "$unified"
check_stat "pure v2" v2 "$(cg_dir unified v2)/cpu.stat" "$cpus"
stat=$(read_in_cgroup v2 "$MOUNT/proc/stat")
expect_match "[pure v2] btime is the host's" "^$(grep '^btime ' /proc/stat)\$" "$stat"
stop_lensfs

# 2. Hybrid: the root cpuacct group gives way to the cgroup2 group.
require_hierarchy cpuacct
make_cgroup hy memory cpuset cpu unified
burn hy
expect_eq "[hybrid] the reader is in the root cpuacct group" "/" \
    "$(in_group hy awk -F: '$2 == "cpuacct" { print $3 }' /proc/self/cgroup)"
start_lensfs
check_stat "hybrid, root cpuacct" hy "$(cg_dir unified hy)/cpu.stat" "$cpus"
host_busy=$(awk '/^cpu / { print $2 + $4 }' /proc/stat)
read -r _ user _ system _ <<<"$(in_group hy cat "$MOUNT/proc/stat" | grep '^cpu ')"
expect_cmp "[hybrid, root cpuacct] not the host's busy time" $((user + system)) "<" $((host_busy / 2))

itest_finish
