#!/bin/bash
# /proc/loadavg per container: two busy loops in a cgroup raise its 1-minute average above
# 0.5 within 30 s (the kernel's decay needs four 5-second samples: 0.16, 0.31, 0.44, 0.57),
# while an idle sibling with a sleeping process stays below 0.2. Needs the daemon to call
# Engine::sample_loadavg() every 5 s.
. "$(dirname "$0")/../lib.sh"
require_root_and_fuse
require_hierarchy memory cpuset cpu cpuacct unified

make_cgroup busy
make_cgroup idle
run_in_cgroup_bg idle sleep 120
sleeper=$BG_PID
SOCK=$ITEST_TMP/lensfs.sock
start_lensfs --socket "$SOCK" --state-dir "$ITEST_TMP/state"

# First reads start tracking both (0.00 until the first sample).
first=$(read_in_cgroup busy "$MOUNT/proc/loadavg")
expect_match "the file has the kernel's shape" \
    '^[0-9]+\.[0-9]{2} [0-9]+\.[0-9]{2} [0-9]+\.[0-9]{2} [0-9]+/[0-9]+ [0-9]+$' "$first"
# Counted at the first read, the reading cat is one of the group's tasks (as the kernel
# counts its reader); later figures come from the 5-second samples.
idle_text=$(read_in_cgroup idle "$MOUNT/proc/loadavg")
read -r _ _ _ idle_tasks idle_last <<<"$idle_text"
expect_eq "[idle] first read: the sleeper and the reader" 2 "${idle_tasks#*/}" "$idle_text"
expect_cmp "[idle] first read: last pid is the reader, newer than the sleeper" "$idle_last" ">" \
    "$sleeper" "$idle_text"

run_in_cgroup_bg busy sh -c 'while :; do :; done'
loop1=$BG_PID
run_in_cgroup_bg busy sh -c 'while :; do :; done'
loop2=$BG_PID

busy_1m=0 idle_max=0 waited=0
while ((waited < 30)); do
    sleep 2
    waited=$((waited + 2))
    busy_text=$(read_in_cgroup busy "$MOUNT/proc/loadavg")
    idle_text=$(read_in_cgroup idle "$MOUNT/proc/loadavg")
    busy_1m=${busy_text%% *}
    idle_1m=${idle_text%% *}
    idle_max=$(awk -v a="$idle_max" -v b="$idle_1m" 'BEGIN { print (b > a) ? b : a }')
    if awk -v l="$busy_1m" 'BEGIN { exit !(l > 0.5) }'; then
        break
    fi
done
note "after $waited s: busy '$busy_text', idle '$idle_text'"
if [[ $busy_1m == 0.00 ]]; then
    fail "the busy group's average never moved: is Engine::sample_loadavg() called every 5 s?"
fi
expect_cmp "[busy] 1-minute average above 0.5 within 30 s" "$busy_1m" ">" 0.5 "$busy_text"
expect_cmp "[idle] 1-minute average stayed below 0.2" "$idle_max" "<" 0.2 "$idle_text"
read -r _ _ _ busy_tasks busy_last <<<"$busy_text"
expect_cmp "[busy] running: at least one loop" "${busy_tasks%/*}" ">=" 1 "$busy_text"
# Task counts come from the 5-second samples, and a sample may catch a reader inside the
# group. Read from outside instead (the group registered, its own tree read by this script),
# after a sample that no reader in the group could have met.
"$LENSCTL" --socket "$SOCK" register lensfs-test-busy --cgroup "/$(cg_rel busy)" >/dev/null ||
    die "register failed"
sleep 6
outside=$(cat "$MOUNT/containers/lensfs-test-busy/proc/loadavg")
read -r _ _ _ outside_tasks _ <<<"$outside"
expect_eq "[busy] total tasks: the two loops" 2 "${outside_tasks#*/}" "$outside"
expect_cmp "[busy] last pid: the newest loop (or a reader caught by a sample)" "$busy_last" \
    ">=" "$loop2" "$busy_text"
# From the samples: the sleeper alone (a reader caught by a sample adds itself).
idle_text=$(read_in_cgroup idle "$MOUNT/proc/loadavg")
expect_match "[idle] running/total from the samples" '^[^ ]+ [^ ]+ [^ ]+ [01]/[12] [0-9]+$' \
    "$idle_text"

stop_pid "$loop1"
stop_pid "$loop2"
itest_finish
