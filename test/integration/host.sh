#!/bin/bash
# Host processes see host values: one in the daemon's pid namespace and the test runner's own
# cgroup, and one at the root of every hierarchy, which sees the host's files verbatim.
. "$(dirname "$0")/lib.sh"
require_root_and_fuse

start_lensfs

# The smallest memory limit on the path of the runner's v1 memory cgroup, in kB (empty when
# the host has no v1 memory hierarchy).
runner_limit_kb() {
    local rel dir limit min=""
    rel=$(awk -F: '$2 == "memory" { print $3 }' /proc/self/cgroup)
    [[ -n $rel && -d $CGROUP_FS/memory ]] || return 0
    dir=$CGROUP_FS/memory$rel
    while [[ $dir == "$CGROUP_FS/memory"* ]]; do
        limit=$(cat "$dir/memory.limit_in_bytes" 2>/dev/null) &&
            { [[ -z $min ]] || [[ $limit -lt $min ]]; } && min=$limit
        [[ $dir == "$CGROUP_FS/memory" ]] && break
        dir=$(dirname "$dir")
    done
    [[ -n $min ]] && echo $((min / 1024))
}

host_mem=$(meminfo_kb MemTotal "$(cat /proc/meminfo)")
host_procs=$(grep -c '^processor' /proc/cpuinfo)
host_cpun=$(grep -Ec '^cpu[0-9]+ ' /proc/stat)

note "the runner's cgroups: $(tr '\n' ' ' </proc/self/cgroup)"
meminfo=$(cat "$MOUNT/proc/meminfo")
limit=$(runner_limit_kb)
if [[ -n $limit && $limit -lt $host_mem ]]; then
    note "the runner's memory cgroup is limited to $limit kB: it is what it must see"
    expect_eq "[runner] MemTotal is its cgroup's limit" "$limit" "$(meminfo_kb MemTotal "$meminfo")" "$meminfo"
else
    expect_eq "[runner] MemTotal is the host's" "$host_mem" "$(meminfo_kb MemTotal "$meminfo")" "$meminfo"
fi
cpuinfo=$(cat "$MOUNT/proc/cpuinfo")
expect_eq "[runner] as many processors as the host" "$host_procs" \
    "$(count_lines '^processor[[:blank:]]*:' "$cpuinfo")" "$cpuinfo"
stat=$(cat "$MOUNT/proc/stat")
expect_eq "[runner] as many cpuN lines as the host" "$host_cpun" "$(count_lines '^cpu[0-9]+ ' "$stat")" "$stat"
read -r seen_up _ <"$MOUNT/proc/uptime"
read -r host_up _ </proc/uptime
expect_between "[runner] uptime within 1 s of the host's" "$(awk -v h="$host_up" 'BEGIN { print h - 1 }')" \
    "$seen_up" "$(awk -v h="$host_up" 'BEGIN { print h + 1 }')"
expect_eq "[runner] online is the host's" "$(cat /sys/devices/system/cpu/online)" \
    "$(cat "$MOUNT/sys/devices/system/cpu/online")"

# A process at the root of every hierarchy: the host's files as they are. "cpu MHz" and the
# counters move between two reads, so changing files are compared by shape.
at_root() {
    (
        for f in "$CGROUP_FS"/*/cgroup.procs; do
            echo "$BASHPID" >"$f" 2>/dev/null
        done
        exec "$@"
    )
}
root_cg=$(at_root cat /proc/self/cgroup)
expect_no_match "[root] the reader is at the root of every hierarchy" ':/.' "$root_cg"
for file in proc/swaps sys/devices/system/cpu/online; do
    expect_eq "[root] $file is the host's, verbatim" "$(cat "/$file")" "$(at_root cat "$MOUNT/$file")"
done
expect_eq "[root] cpuinfo is the host's, verbatim but for cpu MHz" \
    "$(grep -v '^cpu MHz' /proc/cpuinfo)" "$(at_root cat "$MOUNT/proc/cpuinfo" | grep -v '^cpu MHz')"
meminfo=$(at_root cat "$MOUNT/proc/meminfo")
expect_eq "[root] MemTotal is the host's" "$host_mem" "$(meminfo_kb MemTotal "$meminfo")" "$meminfo"
for file in meminfo stat loadavg diskstats uptime; do
    expect_eq "[root] $file has the host's shape" "$(shape </proc/$file)" \
        "$(at_root cat "$MOUNT/proc/$file" | shape)"
done
# diskstats is per container: a group that did no I/O lists the host's devices, all zeros.
make_cgroup plain memory cpuset cpu cpuacct blkio
plain_disks=$(read_in_cgroup plain "$MOUNT/proc/diskstats")
expect_eq "[cgroup] diskstats: a group without I/O lists the host's devices" \
    "$(awk '{ print $1, $2, $3 }' /proc/diskstats)" "$(awk '{ print $1, $2, $3 }' <<<"$plain_disks")"
expect_eq "[cgroup] diskstats: a group without I/O counts nothing" "" \
    "$(awk '{ for (i = 4; i <= NF; i++) if ($i != 0) { print; next } }' <<<"$plain_disks")" \
    "$plain_disks"
expect_eq "[cgroup] loadavg has the host's shape" "$(shape </proc/loadavg)" \
    "$(read_in_cgroup plain "$MOUNT/proc/loadavg" | shape)"

itest_finish
