#!/bin/bash
# LXCFS 5's command line: a daemon started the way an LXCFS unit starts lxcfs serves, writes
# and removes its pid file, shows no swap with -u, and logs the FUSE options it ignores.
. "$(dirname "$0")/../lib.sh"
require_root_and_fuse
require_hierarchy memory cpuset cpu cpuacct unified

itest_tmp
pidfile=$ITEST_TMP/lensfs.pid
make_cgroup small
cg_write memory small memory.limit_in_bytes $((256 * 1024 * 1024))
start_lensfs -l -u --enable-cfs --enable-pidfd --enable-loadavg -o allow_other,nonempty,direct_io \
    -p "$pidfile"

expect_eq "the pid file holds the daemon's pid" "$LENSFS_PID" "$(cat "$pidfile" 2>&1)"
mem=$(read_in_cgroup small "$MOUNT/proc/meminfo")
expect_eq "MemTotal is the group's limit" 262144 "$(meminfo_kb MemTotal "$mem")" "$mem"
expect_eq "-u: SwapTotal is 0" 0 "$(meminfo_kb SwapTotal "$mem")" "$mem"
expect_eq "-u: SwapFree is 0" 0 "$(meminfo_kb SwapFree "$mem")" "$mem"
swaps=$(read_in_cgroup small "$MOUNT/proc/swaps")
expect_eq "-u: swaps has only its header" 1 "$(count_lines . "$swaps")" "$swaps"
log=$(cat "$LENSFS_LOG")
expect_match "ignored -o allow_other is logged" '-o allow_other: accepted' "$log"
expect_match "ignored -o nonempty is logged" '-o nonempty: accepted' "$log"
expect_match "-o direct_io is logged: every read reaches the daemon anyway" \
    '-o direct_io: accepted' "$log"
stop_lensfs
expect_eq "the pid file is removed at exit" no "$([[ -e $pidfile ]] && echo yes || echo no)"

# Refusals: one line naming the culprit, status 2 or 1, nothing mounted.
for args in "-o bogus_opt" "-o allow_other,bogus_opt" "--no-such-option" "-s"; do
    out=$("$LENSFS" -f $args "$ITEST_TMP/never" 2>&1)
    rc=$?
    expect_eq "'$args' fails" yes "$([[ $rc -ne 0 ]] && echo yes || echo no)" "$out"
    expect_eq "'$args' fails with one line" 1 "$(count_lines . "$out")" "$out"
done
expect_match "-n is --help" 'LXCFS compatibility' "$("$LENSFS" -n 2>&1)"
expect_match "-v is --version" '^lensfs [0-9]' "$("$LENSFS" -v 2>&1)"
itest_finish
