#!/bin/bash
# cgroup v2: a process in a real cgroup under the cgroup2 tree, the controller files (which
# this hybrid host's cgroup2 tree lacks) supplied by a copy of the v2 fixture tree given as
# --cgroup-root, with the fixture groups renamed to the real cgroups' names.
. "$(dirname "$0")/lib.sh"
require_root_and_fuse
require_hierarchy unified

fixture=$TEST_DATA_DIR/cgroup/v2
[[ -f $fixture/cgroup.controllers ]] || die "no v2 fixture tree at $fixture"

itest_tmp
root=$ITEST_TMP/root
cp -a "$fixture" "$root" || die "cannot copy $fixture"
mv "$root/lensfs-test-v2" "$root/$(cg_rel v2)" || die "fixture group lensfs-test-v2 missing"
mv "$root/lensfs-test-nest" "$root/$(cg_rel nest)" || die "fixture group lensfs-test-nest missing"

make_cgroup v2 unified
make_cgroup nest unified
make_cgroup nest/inner unified
start_lensfs --cgroup-root "$root"

expect_eq "the reader's cgroup2 path is the fixture group's" "0::/$(cg_rel v2)" \
    "$(run_in_cgroup v2 grep '^0::' /proc/self/cgroup)"

# lensfs-test-v2: memory.max 256 MiB, memory.current 100 MiB, cpuset 0-1, cpu.max 1.5 CPUs,
# cpu.stat user 2 s and system 1 s.
meminfo=$(read_in_cgroup v2 "$MOUNT/proc/meminfo")
expect_match "[v2] MemTotal is memory.max" '^MemTotal:[[:blank:]]+262144 kB$' "$meminfo"
expect_match "[v2] MemFree is memory.max - memory.current" \
    "^MemFree:[[:blank:]]+$((262144 - 102400)) kB\$" "$meminfo"
avail=$(meminfo_kb MemAvailable "$meminfo")
expect_between "[v2] MemAvailable between MemFree and MemTotal" $((262144 - 102400)) "$avail" 262144 \
    "$meminfo"
cpuinfo=$(read_in_cgroup v2 "$MOUNT/proc/cpuinfo")
expect_eq "[v2] 2 processors (cpuset 0-1, quota 1.5 CPUs)" 2 \
    "$(count_lines '^processor[[:blank:]]*:' "$cpuinfo")" "$cpuinfo"
expect_eq "[v2] online is 0-1" 0-1 "$(read_in_cgroup v2 "$MOUNT/sys/devices/system/cpu/online")"
stat=$(read_in_cgroup v2 "$MOUNT/proc/stat")
expect_eq "[v2] stat has cpu0 and cpu1" "cpu0 cpu1" \
    "$(printf '%s\n' "$stat" | awk '/^cpu[0-9]+ / { print $1 }' | tr '\n' ' ' | sed 's/ $//')" "$stat"
read -r _ user _ system _ <<<"$(grep '^cpu ' <<<"$stat")"
hz=$(getconf CLK_TCK)
expect_eq "[v2] aggregate user time is cpu.stat's user_usec" $((2 * hz)) "$user" "$stat"
expect_eq "[v2] aggregate system time is cpu.stat's system_usec" "$hz" "$system" "$stat"
read -r up idle <<<"$(read_in_cgroup v2 "$MOUNT/proc/uptime")"
expect_between "[v2] idle = uptime x 2 CPUs - 3 s of usage" \
    "$(awk -v u="$up" 'BEGIN { printf "%.2f", u * 2 - 3 - 0.02 }')" "$idle" \
    "$(awk -v u="$up" 'BEGIN { printf "%.2f", u * 2 - 3 + 0.02 }')"

# lensfs-test-nest/inner: no limit of its own, the parent's 128 MiB applies; cpuset 1 and the
# parent's quota of half a CPU.
meminfo=$(read_in_cgroup nest/inner "$MOUNT/proc/meminfo")
expect_match "[nest/inner] MemTotal is the parent's limit" '^MemTotal:[[:blank:]]+131072 kB$' "$meminfo"
expect_match "[nest/inner] MemFree is the limit - its own usage" \
    "^MemFree:[[:blank:]]+$((131072 - 32768)) kB\$" "$meminfo"
cpuinfo=$(read_in_cgroup nest/inner "$MOUNT/proc/cpuinfo")
expect_eq "[nest/inner] 1 processor" 1 "$(count_lines '^processor[[:blank:]]*:' "$cpuinfo")" "$cpuinfo"
expect_match "[nest/inner] numbered 0" '^processor[[:blank:]]*: 0$' "$cpuinfo"
if [[ $(grep -c '^processor' /proc/cpuinfo) -ge 2 ]] && grep -q '^apicid' /proc/cpuinfo; then
    expect_match "[nest/inner] it is host CPU 1" \
        "^$(awk 'BEGIN { RS = "" } $3 == 1 { print; exit }' /proc/cpuinfo | grep '^apicid')\$" \
        "$cpuinfo"
fi
expect_eq "[nest/inner] online is 0" 0 "$(read_in_cgroup nest/inner "$MOUNT/sys/devices/system/cpu/online")"
stat=$(read_in_cgroup nest/inner "$MOUNT/proc/stat")
expect_eq "[nest/inner] stat has cpu0 only" 1 "$(count_lines '^cpu[0-9]+ ' "$stat")" "$stat"

expect_eq "the daemon is still running" yes "$(alive "$LENSFS_PID" && echo yes || echo no)"
itest_finish
