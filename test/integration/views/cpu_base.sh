#!/bin/bash
# A container's CPU time and event counts start with the container. A cgroup burns CPU for
# 3 s; then an idle container starts in it (its own pid and mount namespace, lensfs's
# /proc/stat bound over its own), and a container is registered on it. Neither shows the
# earlier burn (the phantom 100 % CPU): busy ticks stay near 0 and idle grows by the elapsed
# time; vmstat's first line (averages since the container's start) stays within the host's
# own average rates of interrupts and context switches, instead of a host's boot's worth of
# events divided by a second.
. "$(dirname "$0")/../lib.sh"
require_root_and_fuse
require_hierarchy memory cpuset cpu cpuacct
command -v python3 >/dev/null && command -v vmstat >/dev/null || skip "needs python3 and vmstat"
[[ -x ${LENSCTL-} ]] || die "LENSCTL must name lensctl"

SOCK=$ITEST_TMP/lensfs.sock
mkdir -p "$ITEST_TMP/state"
start_lensfs --socket "$SOCK" --state-dir "$ITEST_TMP/state"
make_cgroup burn memory cpuset cpu cpuacct
cg_write cpuset burn cpuset.cpus 0
run_in_cgroup burn python3 -c 'import time
end = time.monotonic() + 3
while time.monotonic() < end:
    pass'
note "the cgroup used $(($(cat "$(cg_dir cpuacct burn)/cpuacct.usage") / 1000000)) ms of CPU"

busy() { awk '$1 == "cpu" { print $2 + $4; exit }' <<<"$1"; }
idle() { awk '$1 == "cpu" { print $5; exit }' <<<"$1"; }

# An idle pid-namespace container started in the used cgroup.
out=$(run_in_cgroup burn unshare --pid --fork --mount --mount-proc bash -c '
    mount --bind "$1/proc/stat" /proc/stat || exit 1
    cat /proc/stat; echo ====; sleep 2; cat /proc/stat; echo ====
    vmstat 1 2' ns "$MOUNT")
s0=$(awk 'n == 0 && $0 != "====" { print } $0 == "====" { n++ }' <<<"$out")
s1=$(awk 'n == 1 && $0 != "====" { print } $0 == "====" { n++ }' <<<"$out")
vm=$(awk 'n == 2 { print } $0 == "====" { n++ }' <<<"$out")
note "namespace container: cpu $(busy "$s0") busy at start, $(busy "$s1") after 2 s; vmstat: $(sed -n 3p <<<"$vm")"
expect_cmp "[pid namespace] no phantom: busy ticks at its start" "$(busy "$s0")" "<" 30 "$s0"
expect_cmp "[pid namespace] an idle container stays idle (busy ticks over 2 s)" \
    "$(($(busy "$s1") - $(busy "$s0")))" "<" 30 "$s1"
expect_cmp "[pid namespace] its idle time grows by the elapsed time" \
    "$(($(idle "$s1") - $(idle "$s0")))" ">=" 150 "$s1"

# vmstat's first line: averages since the container's start, within the host's own rates.
read -r host_intr host_ctxt < <(awk '$1 == "intr" { i = $2 } $1 == "ctxt" { c = $2 } END { print i, c }' /proc/stat)
host_up=$(awk '{ print $1 }' /proc/uptime)
in_rate=$(awk -v n="$host_intr" -v t="$host_up" 'BEGIN { printf "%d", n / t }')
cs_rate=$(awk -v n="$host_ctxt" -v t="$host_up" 'BEGIN { printf "%d", n / t }')
first=$(sed -n 3p <<<"$vm")
note "host averages: in $in_rate/s, cs $cs_rate/s"
expect_cmp "[vmstat] first line: interrupts per second near the host's average" \
    "$(awk '{ print $11 }' <<<"$first")" "<=" "$((in_rate * 5 + 1000))" "$vm"
expect_cmp "[vmstat] first line: context switches per second near the host's average" \
    "$(awk '{ print $12 }' <<<"$first")" "<=" "$((cs_rate * 5 + 1000))" "$vm"

# A container registered on the used cgroup: its time starts at the registration.
ID=lensfs-test-cpubase-$$
"$LENSCTL" --socket "$SOCK" register "$ID" --cgroup "/$(cg_rel burn)" >/dev/null || die "register failed"
t0=$(cat "$MOUNT/containers/$ID/proc/stat")
sleep 2
t1=$(cat "$MOUNT/containers/$ID/proc/stat")
note "registered container: busy $(busy "$t0") -> $(busy "$t1"), idle $(idle "$t0") -> $(idle "$t1")"
expect_cmp "[registered] no phantom: busy ticks at registration" "$(busy "$t0")" "<" 30 "$t0"
expect_cmp "[registered] idle, it stays idle" "$(($(busy "$t1") - $(busy "$t0")))" "<" 30 "$t1"
expect_cmp "[registered] its idle time grows by the elapsed time" \
    "$(($(idle "$t1") - $(idle "$t0")))" ">=" 150 "$t1"
expect_match "[registered] the baseline is in the registry" '"cpu_baseline"' \
    "$(cat "$ITEST_TMP/state/registry.json")"
itest_finish
