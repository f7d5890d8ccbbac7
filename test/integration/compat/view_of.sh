#!/bin/bash
# lensfs --view-of: every reader of the mount, here this host-side script, gets one container's
# view: a v1 memory cgroup limited to 256 MiB, named by cgroup path or by a process in it.
. "$(dirname "$0")/../lib.sh"
require_root_and_fuse
require_hierarchy memory cpuset cpu cpuacct unified

make_cgroup small
cg_write memory small memory.limit_in_bytes $((256 * 1024 * 1024))
cg_write cpuset small cpuset.cpus 0
host_total=$(meminfo_kb MemTotal "$(cat /proc/meminfo)")

start_lensfs --view-of "cgroup:/$(cg_rel small)"
mem=$(cat "$MOUNT/proc/meminfo")
expect_eq "cgroup: the host reader sees the group's MemTotal" 262144 "$(meminfo_kb MemTotal "$mem")" "$mem"
cpus=$(grep -c '^processor' "$MOUNT/proc/cpuinfo")
expect_eq "cgroup: the host reader sees the group's one CPU" 1 "$cpus"
stop_lensfs

run_in_cgroup_bg small sleep 120
# BG_PID may be a shell around the member: take the pid the group itself lists.
member=""
for ((i = 0; i < 100; i++)); do
    member=$(head -n 1 "$(cg_dir memory small)/cgroup.procs")
    [[ -n $member ]] && break
    sleep 0.05
done
[[ -n $member ]] || die "no process joined the group"
start_lensfs --view-of "pid:$member"
mem=$(cat "$MOUNT/proc/meminfo")
expect_eq "pid: the host reader sees the group's MemTotal" 262144 "$(meminfo_kb MemTotal "$mem")" "$mem"
kill -KILL "$member"
stop_pid "$BG_PID" KILL
for ((i = 0; i < 100; i++)); do
    [[ -e /proc/$member ]] || break
    sleep 0.05
done
mem=$(cat "$MOUNT/proc/meminfo")
expect_eq "pid: once the process is gone, the host's MemTotal" "$host_total" \
    "$(meminfo_kb MemTotal "$mem")" "$mem"
expect_match "pid: the fallback is logged" "--view-of pid:$member: no such process" "$(cat "$LENSFS_LOG")"
stop_lensfs

start_lensfs --view-of id:lensfs-test-unregistered
mem=$(cat "$MOUNT/proc/meminfo")
expect_eq "id: an unregistered id gets the host's MemTotal" "$host_total" \
    "$(meminfo_kb MemTotal "$mem")" "$mem"
stop_lensfs

itest_tmp
for spec in foo pid:abc pid:0 cgroup:relative id:; do
    out=$("$LENSFS" -f --view-of "$spec" "$ITEST_TMP/never" 2>&1)
    rc=$?
    expect_eq "--view-of $spec fails" yes "$([[ $rc -ne 0 ]] && echo yes || echo no)" "$out"
    expect_eq "--view-of $spec fails with one line" 1 "$(count_lines . "$out")" "$out"
done
itest_finish
