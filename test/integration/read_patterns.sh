#!/bin/bash
# Reads through the mount behave like procfs for every pattern (readpat check: full reads,
# 1/7/1024-byte reads, lseek back to 0, pread at any offset on the same and on fresh opens,
# reads past the end, writes refused), for a process in a test cgroup, for a host process and
# for an unprivileged user; buffer sizes never change the text's structure; concurrent readers
# in different cgroups each get their own view.
. "$(dirname "$0")/lib.sh"
require_root_and_fuse
require_hierarchy memory cpuset cpu cpuacct unified

files=(proc/meminfo proc/cpuinfo proc/stat proc/uptime proc/swaps proc/loadavg proc/diskstats
    sys/devices/system/cpu/online)
start_lensfs
make_cgroup pat
cg_write memory pat memory.limit_in_bytes $((256 << 20))
cg_write cpuset pat cpuset.cpus 0

# run_check WHO CMD...: readpat check on every file, run through CMD (e.g. run_in_cgroup pat).
run_check() {
    local who=$1 file out
    shift
    for file in "${files[@]}"; do
        ITEST_CHECKS=$((ITEST_CHECKS + 1))
        if out=$("$@" "$READPAT" check "$MOUNT/$file" 2>&1); then
            pass "[$who] readpat check $file: ${out#readpat: ok }"
        else
            fail "[$who] readpat check $file"
            printf '%s\n' "$out" | head -n 80 | sed 's/^/  | /' >&2
        fi
    done
}

run_check cgroup run_in_cgroup pat
run_check host env
if command -v setpriv >/dev/null; then
    run_check nobody setpriv --reuid=65534 --regid=65534 --clear-groups
else
    note "setpriv is missing: not checking an unprivileged reader"
fi

# The same file read with different buffer sizes: the same lines, numbers aside.
for file in "${files[@]}"; do
    want=$(run_in_cgroup pat "$READPAT" cat "$MOUNT/$file" 65536 | shape)
    for size in 1 7 1024 4096; do
        got=$(run_in_cgroup pat "$READPAT" cat "$MOUNT/$file" "$size" | shape)
        expect_eq "[cgroup] $file read $size bytes at a time has the structure of a 64 KiB read" \
            "$want" "$got" "$got"
    done
done
# Common tools: cat, dd with small blocks, head, and an offset without a read from 0.
meminfo=$(run_in_cgroup pat cat "$MOUNT/proc/meminfo")
expect_match "[cgroup] cat: MemTotal is the limit" '^MemTotal:[[:blank:]]+262144 kB$' "$meminfo"
expect_match "[cgroup] dd bs=3: MemTotal is the limit" '^MemTotal:[[:blank:]]+262144 kB$' \
    "$(run_in_cgroup pat dd if="$MOUNT/proc/meminfo" bs=3 status=none)"
expect_eq "[cgroup] head -n 1" "$(head -n 1 <<<"$meminfo")" \
    "$(run_in_cgroup pat head -n 1 "$MOUNT/proc/meminfo")"
expect_eq "[cgroup] dd skip=1 bs=9 count=1 (first read at an offset)" "$(head -n 1 <<<"$meminfo" | cut -c10-18)" \
    "$(run_in_cgroup pat dd if="$MOUNT/proc/meminfo" bs=9 skip=1 count=1 status=none)"
expect_eq "[cgroup] online read by cat" 0 "$(run_in_cgroup pat cat "$MOUNT/sys/devices/system/cpu/online")"

# Directory listings agree with the files served.
expect_eq "proc lists the served files" \
    "cpuinfo diskstats loadavg meminfo pressure slabinfo stat swaps uptime" \
    "$(ls "$MOUNT/proc" | sort | tr '\n' ' ' | sed 's/ $//')"
expect_eq "sys/devices/system/cpu lists the host's entries" \
    "$(ls /sys/devices/system/cpu | sort | tr '\n' ' ')" \
    "$(ls "$MOUNT/sys/devices/system/cpu" | sort | tr '\n' ' ')"
expect_eq "a file that is not served does not exist" no \
    "$([[ -e $MOUNT/proc/version ]] && echo yes || echo no)"
ITEST_CHECKS=$((ITEST_CHECKS + 1))
if touch "$MOUNT/proc/newfile" 2>/dev/null || mkdir "$MOUNT/proc/newdir" 2>/dev/null; then
    fail "creating a file or directory in the mount succeeded"
else
    pass "the mount refuses new files and directories"
fi

# Concurrent readers in two cgroups with different limits each see their own MemTotal.
make_cgroup small memory
cg_write memory small memory.limit_in_bytes $((128 << 20))
reader_loop() {
    local want=$1 n
    for ((n = 0; n < 100; n++)); do
        grep -q "^MemTotal: *$want kB\$" "$MOUNT/proc/meminfo" ||
            echo "read $n: $(grep '^MemTotal' "$MOUNT/proc/meminfo")"
    done
}
pids=()
for k in 1 2 3; do
    run_in_cgroup_bg pat bash -c "$(declare -f reader_loop); MOUNT=$MOUNT reader_loop 262144" \
        >"$ITEST_TMP/conc.pat.$k"
    pids+=("$BG_PID")
    run_in_cgroup_bg small bash -c "$(declare -f reader_loop); MOUNT=$MOUNT reader_loop 131072" \
        >"$ITEST_TMP/conc.small.$k"
    pids+=("$BG_PID")
done
for pid in "${pids[@]}"; do wait_pid "$pid" 60; done
expect_eq "6 concurrent readers in 2 cgroups: every read showed its own cgroup's MemTotal" "" \
    "$(cat "$ITEST_TMP"/conc.*)"
expect_eq "the daemon is still running" yes "$(alive "$LENSFS_PID" && echo yes || echo no)"

itest_finish
