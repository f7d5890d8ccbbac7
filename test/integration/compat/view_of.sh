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

# Beside the service: a main daemon with its own socket and state knows the container; a
# --view-of id: mount started with no --socket (as an operator types it, the service found
# through LENSFS_SOCKET as lensctl finds it, the state directory shared as with the defaults)
# starts, serves no socket of its own, and asks the service for the container.
mkdir -p "$ITEST_TMP/main-state"
start_lensfs --socket "$ITEST_TMP/main.sock" --state-dir "$ITEST_TMP/main-state"
MAIN_PID=$LENSFS_PID
python3 - "$ITEST_TMP/main.sock" "/$(cg_rel small)" <<'PY' || die "cannot register the container"
import json, socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.sendall((json.dumps({"op": "register", "id": "lensfs-test-beside", "cgroup": sys.argv[2]}) + "\n").encode())
reply = s.makefile().readline()
sys.exit(0 if json.loads(reply).get("ok") else 1)
PY
BESIDE=$(mktemp -d "$ITEST_TMP/beside.XXXXXX")
ITEST_MOUNTS+=("$BESIDE")
LENSFS_SOCKET=$ITEST_TMP/main.sock "${ITEST_SIGNAL_RESET[@]}" "$LENSFS" -f \
    --state-dir "$ITEST_TMP/main-state" --view-of id:lensfs-test-beside "$BESIDE" \
    >"$ITEST_TMP/beside.log" 2>&1 &
BESIDE_PID=$!
ITEST_DAEMONS+=("$BESIDE_PID")
for ((i = 0; i < 100; i++)); do
    grep -q '^MemTotal' "$BESIDE/proc/meminfo" 2>/dev/null && break
    sleep 0.05
done
mem=$(cat "$BESIDE/proc/meminfo" 2>&1)
expect_eq "beside the service: id: is the service's container" 262144 \
    "$(meminfo_kb MemTotal "$mem")" "$mem$(cat "$ITEST_TMP/beside.log")"
expect_no_match "it serves no control socket of its own" 'control socket' "$(cat "$ITEST_TMP/beside.log")"
expect_eq "the service's socket is untouched" yes "$([[ -S $ITEST_TMP/main.sock ]] && echo yes || echo no)"
stop_pid "$BESIDE_PID" TERM
expect_eq "the debugging mount stops cleanly" 0 "$STOP_STATUS" "$(cat "$ITEST_TMP/beside.log")"
expect_eq "the service still serves" yes \
    "$(alive "$MAIN_PID" && grep -q '^MemTotal' "$MOUNT/proc/meminfo" && echo yes || echo no)"
stop_lensfs "$MAIN_PID"

itest_tmp
for spec in foo pid:abc pid:0 cgroup:relative id:; do
    out=$("$LENSFS" -f --view-of "$spec" "$ITEST_TMP/never" 2>&1)
    rc=$?
    expect_eq "--view-of $spec fails" yes "$([[ $rc -ne 0 ]] && echo yes || echo no)" "$out"
    expect_eq "--view-of $spec fails with one line" 1 "$(count_lines . "$out")" "$out"
done
itest_finish
