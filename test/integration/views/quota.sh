#!/bin/bash
# The CPU quota view: a cgroup with a quota of half a CPU (50000/100000) over cpuset 0-1 sees
# one CPU in cpuinfo, stat, online and uptime, and glibc's _NPROCESSORS_ONLN says 1 inside it
# once the mount's online file is bind-mounted over /sys/devices/system/cpu/online (in a
# private mount namespace of the reader). --no-cpu-quota-view shows both CPUs.
. "$(dirname "$0")/../lib.sh"
require_root_and_fuse
require_hierarchy memory cpuset cpu cpuacct unified
[[ $(grep -c '^processor' /proc/cpuinfo) -ge 2 ]] || skip "needs two CPUs"
command -v unshare >/dev/null || skip "unshare (util-linux) is missing"

make_cgroup half
cg_write cpuset half cpuset.cpus 0-1
cg_write cpu half cpu.cfs_period_us 100000
cg_write cpu half cpu.cfs_quota_us 50000

# nprocs_onln: getconf _NPROCESSORS_ONLN run in cgroup half with MOUNT's online file over
# the sysfs one, in a mount namespace of its own (the host's /sys is untouched).
nprocs_onln() {
    run_in_cgroup half unshare --mount --propagation private sh -c \
        'mount --bind "$1" /sys/devices/system/cpu/online && exec getconf _NPROCESSORS_ONLN' \
        sh "$MOUNT/sys/devices/system/cpu/online"
}

# check_cpus N: what a reader in cgroup half sees through the current daemon.
check_cpus() {
    local n=$1 what=$2 cpuinfo stat online up idle
    cpuinfo=$(read_in_cgroup half "$MOUNT/proc/cpuinfo")
    stat=$(read_in_cgroup half "$MOUNT/proc/stat")
    online=$(read_in_cgroup half "$MOUNT/sys/devices/system/cpu/online")
    expect_eq "[$what] cpuinfo lists $n processor(s)" "$n" \
        "$(count_lines '^processor[[:blank:]]*:' "$cpuinfo")" "$cpuinfo"
    expect_eq "[$what] stat has $n cpuN line(s)" "$n" "$(count_lines '^cpu[0-9]+ ' "$stat")" "$stat"
    expect_eq "[$what] online" "$([[ $n -eq 1 ]] && echo 0 || echo "0-$((n - 1))")" "$online"
    expect_eq "[$what] getconf _NPROCESSORS_ONLN inside" "$n" "$(nprocs_onln)"
    read -r up idle <<<"$(read_in_cgroup half "$MOUNT/proc/uptime")"
    expect_cmp "[$what] uptime idle at most uptime x $n" "$idle" "<=" \
        "$(awk -v u="$up" -v n="$n" 'BEGIN { printf "%.2f", u * n + 0.01 }')"
}

expect_eq "outside the mount, glibc sees the host's CPUs" "$(getconf _NPROCESSORS_ONLN)" \
    "$(run_in_cgroup half getconf _NPROCESSORS_ONLN)"

start_lensfs
check_cpus 1 "quota view"
# Usage folds onto the visible CPU: busy time of the one line equals the cgroup's usage.
run_in_cgroup half sh -c 'i=0; while [ $i -lt 300000 ]; do i=$((i + 1)); done'
stat=$(read_in_cgroup half "$MOUNT/proc/stat")
read -r _ user _ system _ <<<"$(grep '^cpu0 ' <<<"$stat")"
# The user and system split of /proc/stat comes from cpuacct.usage_all, which the kernel keeps
# per tick; cpuacct.usage counts exact run time and may differ from it by a few ticks under
# load, so the comparison is with usage_all's own sum.
usage_ns=$(awk 'NR > 1 { s += $2 + $3 } END { printf "%d", s }' "$(cg_dir cpuacct half)/cpuacct.usage_all")
hz=$(getconf CLK_TCK)
expect_between "[quota view] cpu0 busy is the cgroup's usage (cpuacct.usage_all)" \
    $((usage_ns * hz / 1000000000 - 3)) $((user + system)) $((usage_ns * hz / 1000000000 + 3)) "$stat"
stop_lensfs

start_lensfs --no-cpu-quota-view
check_cpus 2 "--no-cpu-quota-view"

itest_finish
