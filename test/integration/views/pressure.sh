#!/bin/bash
# /proc/pressure/{cpu,memory,io} come from the reader's cgroup2 group (this hybrid host's
# cgroup2 tree has real *.pressure files), not from the host's /proc/pressure.
. "$(dirname "$0")/../lib.sh"
require_root_and_fuse
require_hierarchy memory cpuset cpu cpuacct unified
[[ -r /proc/pressure/cpu ]] || skip "the kernel has no PSI (/proc/pressure)"

make_cgroup psi
[[ -r $(cg_dir unified psi)/cpu.pressure ]] || skip "cgroup2 groups have no cpu.pressure"
# Two busy loops on one CPU wait for each other: the group's cpu "some" total grows.
cg_write cpuset psi cpuset.cpus 0
run_in_cgroup_bg psi sh -c 'while :; do :; done'
busy1=$BG_PID
run_in_cgroup_bg psi sh -c 'while :; do :; done'
busy2=$BG_PID
sleep 1
stop_pid "$busy1"
stop_pid "$busy2"
start_lensfs

# total= of the "some" line of a pressure file's text
some_total() { sed -nE 's/^some .* total=([0-9]+)$/\1/p' <<<"$1"; }

for res in cpu memory io; do
    # The totals only grow; reading the group's file before and after brackets what the
    # mount showed (the readers themselves can add pressure on a busy host).
    before=$(cat "$(cg_dir unified psi)/$res.pressure")
    seen=$(read_in_cgroup psi "$MOUNT/proc/pressure/$res")
    group=$(cat "$(cg_dir unified psi)/$res.pressure")
    host=$(cat "/proc/pressure/$res")
    expect_match "[$res] the some line has the kernel's shape" \
        '^some avg10=[0-9]+\.[0-9]{2} avg60=[0-9]+\.[0-9]{2} avg300=[0-9]+\.[0-9]{2} total=[0-9]+$' \
        "$seen"
    expect_eq "[$res] same lines as the group's file" "$(shape <<<"$group")" "$(shape <<<"$seen")" \
        "$seen"
    expect_between "[$res] total= is the group's" "$(some_total "$before")" \
        "$(some_total "$seen")" "$(some_total "$group")" "$seen"
    if [[ $(some_total "$host") -gt $(($(some_total "$group") + 1000000)) ]]; then
        expect_cmp "[$res] ... not the host's" "$(some_total "$seen")" "<" "$(some_total "$host")"
    fi
done
expect_cmp "[cpu] the busy loops left pressure in the group" \
    "$(some_total "$(cat "$(cg_dir unified psi)/cpu.pressure")")" ">" 100000

itest_finish
