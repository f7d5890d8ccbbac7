#!/bin/bash
# A process in a v1 memory cgroup limited to 256 MiB sees a 256 MiB machine in meminfo and no
# swap beyond the host's.
. "$(dirname "$0")/lib.sh"
require_root_and_fuse
require_hierarchy memory cpuset cpu cpuacct unified

start_lensfs
make_cgroup mem
cg_write memory mem memory.limit_in_bytes $((256 << 20))

host=$(cat /proc/meminfo)
text=$(read_in_cgroup mem "$MOUNT/proc/meminfo")
expect_match "MemTotal is the 256 MiB limit" '^MemTotal:[[:blank:]]+262144 kB$' "$text"

total=$(meminfo_kb MemTotal "$text")
free=$(meminfo_kb MemFree "$text")
avail=$(meminfo_kb MemAvailable "$text")
expect_cmp "MemFree <= MemTotal" "$free" '<=' "$total" "$text"
expect_cmp "MemAvailable <= MemTotal" "$avail" '<=' "$total" "$text"
expect_cmp "MemFree <= MemAvailable" "$free" '<=' "$avail" "$text"
expect_cmp "MemFree > 0 in an almost empty cgroup" "$free" '>' 0 "$text"

# Same fields, same order as the host's file: tools parse meminfo by name and position.
expect_eq "the field names are the host's, in the host's order" \
    "$(printf '%s\n' "$host" | awk '{ print $1 }' | tr '\n' ' ')" \
    "$(printf '%s\n' "$text" | awk '{ print $1 }' | tr '\n' ' ')" "$text"

# No amount of memory exceeds MemTotal. VmallocTotal is address space and Hugepagesize a page
# size; swap and commit figures may add swap, which is 0 here when the host has none.
host_swap=$(meminfo_kb SwapTotal "$host")
over=$(printf '%s\n' "$text" | awk -v t="$total" -v s="$host_swap" '
    $3 == "kB" && $1 != "VmallocTotal:" && $1 != "Hugepagesize:" {
        limit = ($1 ~ /^(Swap|Commit)/) ? t + s : t
        if ($2 + 0 > limit) print }')
expect_eq "no kB field exceeds MemTotal (VmallocTotal, Hugepagesize excepted)" "" "$over" "$text"

if [[ $host_swap -eq 0 ]]; then
    expect_eq "SwapTotal is 0 (the host has no swap)" 0 "$(meminfo_kb SwapTotal "$text")" "$text"
    expect_eq "SwapFree is 0" 0 "$(meminfo_kb SwapFree "$text")" "$text"
    swaps=$(read_in_cgroup mem "$MOUNT/proc/swaps")
    expect_eq "swaps has one line" 1 "$(count_lines '' "$swaps")" "$swaps"
    expect_match "swaps starts with the kernel's header" \
        '^Filename[[:blank:]]+Type[[:blank:]]+Size[[:blank:]]+Used[[:blank:]]+Priority$' "$swaps"
else
    note "the host has swap: only bounding the container's"
    expect_cmp "SwapTotal <= the host's" "$(meminfo_kb SwapTotal "$text")" '<=' "$host_swap" "$text"
fi

# MemFree follows the cgroup's usage: a process holding 64 MiB takes them out of MemFree.
hold_mib=64
run_in_cgroup_bg mem perl -e '$| = 1; $x = "a" x ($ARGV[0] << 20); print "ready\n"; sleep 60' "$hold_mib" \
    >"$ITEST_TMP/holder.out"
for ((i = 0; i < 100; i++)); do
    [[ -s $ITEST_TMP/holder.out ]] && break
    sleep 0.05
done
expect_eq "the 64 MiB holder is ready" ready "$(cat "$ITEST_TMP/holder.out")"
usage_before=$(($(cat "$(cg_dir memory mem)/memory.usage_in_bytes") / 1024))
held=$(read_in_cgroup mem "$MOUNT/proc/meminfo")
usage_after=$(($(cat "$(cg_dir memory mem)/memory.usage_in_bytes") / 1024))
held_free=$(meminfo_kb MemFree "$held")
# The cat that reads is charged too: allow a few MiB around the usage seen before and after.
expect_between "MemFree = MemTotal - the cgroup's usage" \
    $((262144 - usage_after - 4096)) "$held_free" $((262144 - usage_before + 4096)) "$held"
expect_cmp "holding ${hold_mib} MiB lowers MemFree by at least $((hold_mib - 8)) MiB" \
    "$held_free" '<=' $((free - (hold_mib - 8) * 1024)) "$held"
stop_pid "$BG_PID"

itest_finish
