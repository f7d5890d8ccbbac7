#!/bin/bash
# A process in a v1 cpuset cgroup sees its CPUs only, renumbered from 0, in cpuinfo, stat and
# sys/devices/system/cpu/online; a CPU quota cuts the visible CPUs to ceil(quota / period).
. "$(dirname "$0")/lib.sh"
require_root_and_fuse
require_hierarchy memory cpuset cpu cpuacct unified

host_cpus=$(grep -c '^processor' /proc/cpuinfo)
start_lensfs

# check_view NAME CPUS: a reader in cgroup NAME sees CPUS processors, numbered 0..CPUS-1.
check_view() {
    local name=$1 n=$2 cpuinfo stat online want_online
    cpuinfo=$(read_in_cgroup "$name" "$MOUNT/proc/cpuinfo")
    stat=$(read_in_cgroup "$name" "$MOUNT/proc/stat")
    online=$(read_in_cgroup "$name" "$MOUNT/sys/devices/system/cpu/online")
    want_online=$([[ $n -eq 1 ]] && echo 0 || echo "0-$((n - 1))")
    expect_eq "[$name] cpuinfo lists $n processor(s)" "$n" \
        "$(count_lines '^processor[[:blank:]]*:' "$cpuinfo")" "$cpuinfo"
    expect_eq "[$name] processors are numbered from 0" "$(seq -s ' ' 0 $((n - 1)))" \
        "$(printf '%s\n' "$cpuinfo" | awk '/^processor/ { print $3 }' | tr '\n' ' ' | sed 's/ $//')" \
        "$cpuinfo"
    expect_eq "[$name] stat has $n cpuN line(s)" "$n" "$(count_lines '^cpu[0-9]+ ' "$stat")" "$stat"
    expect_eq "[$name] stat's cpuN lines are cpu0..cpu$((n - 1))" \
        "$(seq -s ' ' -f 'cpu%g' 0 $((n - 1)))" \
        "$(printf '%s\n' "$stat" | awk '/^cpu[0-9]+ / { print $1 }' | tr '\n' ' ' | sed 's/ $//')" \
        "$stat"
    expect_eq "[$name] stat has one aggregate cpu line" 1 "$(count_lines '^cpu ' "$stat")" "$stat"
    expect_match "[$name] stat keeps the host's btime" \
        "^$(grep '^btime ' /proc/stat)\$" "$stat"
    expect_eq "[$name] online is $want_online" "$want_online" "$online"
}

make_cgroup one
cg_write cpuset one cpuset.cpus 0
check_view one 1

if [[ $host_cpus -ge 2 ]]; then
    make_cgroup second
    cg_write cpuset second cpuset.cpus 1
    check_view second 1
    # The block shown is host CPU 1's, renumbered (its apicid and core id are CPU 1's), with
    # a package of the visible CPUs only; "cpu MHz" changes from read to read.
    varying='^(cpu MHz|siblings|cpu cores)[[:blank:]]*:'
    host_block=$(awk 'BEGIN { RS = "" } $3 == 1 { print; exit }' /proc/cpuinfo)
    seen_block=$(read_in_cgroup second "$MOUNT/proc/cpuinfo")
    expect_eq "[second] the block is host CPU 1's with processor 0" \
        "$(printf '%s\n' "$host_block" | grep -Ev "$varying" | sed '1s/: 1$/: 0/')" \
        "$(printf '%s\n' "$seen_block" | grep -Ev "$varying")" "$seen_block"
    if grep -q '^siblings' <<<"$host_block"; then
        expect_match "[second] siblings counts the visible CPUs" '^siblings[[:blank:]]*: 1$' \
            "$seen_block"
        expect_match "[second] cpu cores counts the visible CPUs" '^cpu cores[[:blank:]]*: 1$' \
            "$seen_block"
    fi
    expect_match "[second] model name is host CPU 1's" \
        "^$(printf '%s\n' "$host_block" | grep '^model name' | sed 's/[][\.*^$()+?{}|]/\\&/g')\$" \
        "$seen_block"

    # A quota of half a CPU on two CPUs shows one CPU; one and a half show two.
    make_cgroup half
    cg_write cpu half cpu.cfs_period_us 100000
    cg_write cpu half cpu.cfs_quota_us 50000
    check_view half 1
    make_cgroup one-and-half
    cg_write cpu one-and-half cpu.cfs_period_us 100000
    cg_write cpu one-and-half cpu.cfs_quota_us 150000
    check_view one-and-half 2
else
    note "the host has one CPU: skipping the cpuset 1 and quota cases"
fi

itest_finish
