#!/bin/bash
# sysinfo(2) tells a container its own truth. Two runc busybox containers (256 MiB, cpus "0")
# configured by `lensctl oci-config`: A with the seccomp notify rule for sysinfo, B without it.
# Checked in A: busybox `free` prints a total of 262144 kB and `uptime` the container's
# uptime; sysinfo-probe (a static program calling sysinfo()) agrees with /proc/meminfo,
# /proc/uptime and /proc/loadavg in the container. Hostile senders on the agent's socket
# (bad JSON, no descriptor, a pipe instead of a listener, a dead pid, a non-root peer) are
# refused and the agent serves on. The server killed with SIGKILL while A calls sysinfo()
# every 5 ms: no call fails. lensfs stopped: A's calls still return (the host's figures) and
# A keeps running; lensfs started again takes the listener back and A gets its own figures
# again. Printed: the extra cost of one sysinfo() call, median of 10,000, A against B.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../runc_lib.sh"
require_root_and_fuse
require_hierarchy memory cpuset
for v in LENSCTL OCI_HOOK SYSINFO_PROBE NOTIFY_RUN; do
    [[ -x ${!v-} ]] || die "$v must name the built program (got '${!v-}')"
done
require_runc

STATE=$ITEST_TMP/state
SOCK=$STATE/lensfs.sock
SECCOMP=$STATE/seccomp.sock
mkdir -p "$STATE"
start_lensfs --socket "$SOCK" --state-dir "$STATE"
KEEPER=$LENSFS_PID
server_pid() { pgrep -P "$KEEPER" -x lensfs | head -n 1; }
[[ -S $SECCOMP ]] || die "no seccomp socket at $SECCOMP"

# A holder left by a stopped daemon is ours to end.
end_holder() {
    local pid
    pid=$(head -n 1 "$STATE/seccomp-holder" 2>/dev/null) || return 0
    [[ $(cat "/proc/$pid/comm" 2>/dev/null) == lensfs-holder ]] && kill -TERM "$pid"
}
ITEST_CLEANUP_HOOKS+=(end_holder)

status_counter() { # status_counter NAME: a counter of `lensctl status --json`
    "$LENSCTL" --socket "$SOCK" status --json |
        python3 -c 'import json,sys; d=json.load(sys.stdin); d=d.get("status",d); n=sys.argv[1]; print(d.get("reads",{}).get(n, d.get("errors",{}).get(n, -1)))' "$1"
}

A=lensfs-test-sysinfo-a-$$
B=lensfs-test-sysinfo-b-$$
LOOP='i=0; while :; do i=$((i+1)); echo "probe $i $(sysinfo-probe)"; sleep 0.1; done'
for id in "$A" "$B"; do
    runc_bundle "$id" "$LOOP"
    cp "$SYSINFO_PROBE" "$ITEST_TMP/$id/rootfs/bin/sysinfo-probe" || die "cannot copy the probe"
    RUNC_MEMORY=$((256 << 20)) RUNC_CPUS=0 runc_config "$id"
done
out=$("$LENSCTL" --socket "$SOCK" oci-config --hook "$OCI_HOOK" "$ITEST_TMP/$A" 2>&1) ||
    die "lensctl oci-config failed: $out"
note "oci-config: $(echo "$out" | tr '\n' ';')"
out=$("$LENSCTL" --socket "$SOCK" oci-config --no-seccomp --hook "$OCI_HOOK" "$ITEST_TMP/$B" 2>&1) ||
    die "lensctl oci-config --no-seccomp failed: $out"
config=$(cat "$ITEST_TMP/$A/config.json")
expect_match "A's config sends its listener to the daemon's seccomp socket" \
    "\"listenerPath\": \"$SECCOMP\"" "$config"
expect_match "A's config has the notify rule" 'SCMP_ACT_NOTIFY' "$config"
expect_no_match "B's config has no notify rule" 'SCMP_ACT_NOTIFY' "$(cat "$ITEST_TMP/$B/config.json")"

for id in "$A" "$B"; do
    runc_start "$id" || die "runc run $id failed: $(cat "$ITEST_TMP/$id.out")"
done
started=$(awk '{print $1}' /proc/uptime)
LOG_A=$ITEST_TMP/$A.out # the container's output: a line per call of its loop
for ((i = 0; i < 100; i++)); do [[ -s $LOG_A ]] && break; sleep 0.05; done
sleep 1.5

rexec() { runc --root "$RUNC_ROOT" exec "$@"; }

# --- what the container sees ----------------------------------------------------------
free_out=$(rexec "$A" free) || die "free failed in the container"
expect_eq "free in A: total is the memory limit" 262144 "$(echo "$free_out" | awk '/^Mem:/ {print $2}')"
free_b=$(rexec "$B" free) || die "free failed in B"
host_total=$(awk '/^MemTotal:/ {print $2}' /proc/meminfo)
expect_eq "free in B (no notify rule): the kernel's total" "$host_total" \
    "$(echo "$free_b" | awk '/^Mem:/ {print $2}')"
uptime_out=$(rexec "$A" uptime) || die "uptime failed in the container"
expect_match "uptime in A: the container's (under a minute)" 'up 0 min' "$uptime_out"

probe=$(rexec "$A" sh -c 'sysinfo-probe; echo; cat /proc/meminfo; echo; cat /proc/uptime; cat /proc/loadavg')
note "A's probe: $(echo "$probe" | head -n 1)"
field() { echo "$probe" | head -n 1 | tr ' ' '\n' | awk -F= -v k="$1" '$1 == k {print $2}'; }
expect_eq "sysinfo totalram is MemTotal" "$(( $(meminfo_kb MemTotal "$probe") * 1024 ))" "$(field totalram)"
expect_eq "sysinfo totalram is 256 MiB" $((256 << 20)) "$(field totalram)"
free_kb=$(meminfo_kb MemFree "$probe")
expect_between "sysinfo freeram agrees with MemFree (within 8 MiB)" \
    $(( free_kb * 1024 - (8 << 20) )) "$(field freeram)" $(( free_kb * 1024 + (8 << 20) ))
expect_eq "sysinfo totalswap is SwapTotal" "$(( $(meminfo_kb SwapTotal "$probe") * 1024 ))" "$(field totalswap)"
up=$(echo "$probe" | grep -E '^[0-9]+\.[0-9]+ [0-9]+\.[0-9]+$' | head -n 1 | awk '{printf "%d", $1}')
expect_between "sysinfo uptime agrees with /proc/uptime" $((up - 1)) "$(field uptime)" $((up + 2))
age=$(awk -v s="$started" '{printf "%d", $1 - s}' /proc/uptime)
expect_between "sysinfo uptime is the container's age" 0 "$(field uptime)" $((age + 3))
host_up=$(awk '{printf "%d", $1}' /proc/uptime)
if ((host_up > age + 30)); then
    expect_cmp "the host has been up longer than sysinfo says" "$host_up" ">" "$(( $(field uptime) + 20 ))"
fi
tasks=$(echo "$probe" | awk 'NF == 5 && $4 ~ /\// {split($4, t, "/"); print t[2]}')
expect_between "sysinfo procs is the container's task count" 1 "$(field procs)" $((tasks + 3))
expect_eq "sysinfo mem_unit is 1, as the kernel sets it on 64-bit" 1 "$(field mem_unit)"
expect_match "A's own loop got its figures" "totalram=$((256 << 20)) " "$(tail -n 1 "$LOG_A")"

# --- hostile senders -------------------------------------------------------------------
before=$(status_counter seccomp.refused-senders)
dead=$(sh -c 'echo $$')
"$NOTIFY_RUN" --json '{"fds":' "$SECCOMP" true
sleep 0.2
"$NOTIFY_RUN" --no-fd "$SECCOMP" true
sleep 0.2
"$NOTIFY_RUN" --pipe-fd "$SECCOMP" true
sleep 0.2
"$NOTIFY_RUN" --pid "$dead" "$SECCOMP" true
sleep 0.2
"$NOTIFY_RUN" --json "$(printf '[%.0s' {1..5000})" "$SECCOMP" true
sleep 0.2
# A peer that is not root: let it reach the socket, which the agent must refuse itself.
chmod 0711 "$STATE" && chmod 0666 "$SECCOMP"
setpriv --reuid=65534 --regid=65534 --clear-groups "$NOTIFY_RUN" "$SECCOMP" true 2>/dev/null
chmod 0600 "$SECCOMP" && chmod 0700 "$STATE"
sleep 0.3
after=$(status_counter seccomp.refused-senders)
expect_eq "six hostile senders refused" 6 $((after - before))
log=$(cat "$LENSFS_LOG")
expect_match "bad JSON is logged" 'refused a listener from pid [0-9]+: container process state: not valid JSON' "$log"
expect_match "a message without a descriptor is logged" 'carries 0 descriptors, no listener' "$log"
expect_match "a pipe is not taken for a listener" 'the descriptor is not a seccomp listener' "$log"
expect_match "a dead pid is refused" "its process $dead is gone" "$log"
expect_match "deep JSON is refused" 'nests deeper than' "$log"
expect_match "a non-root peer is refused" 'refused a sender \(pid [0-9]+, uid 65534\)' "$log"
alive "$KEEPER" || die "the daemon died of hostile senders"
probe=$(rexec "$A" sysinfo-probe)
expect_match "the agent serves on after hostile senders" "totalram=$((256 << 20)) " "$probe"

# --- the server killed while A calls sysinfo() ----------------------------------------
rexec "$A" sysinfo-probe watch 4 >"$ITEST_TMP/watch.out" 2>&1 &
WATCH=$!
ITEST_PIDS+=("$WATCH")
sleep 1
srv=$(server_pid)
kill -KILL "$srv"
note "killed server $srv"
wait_pid "$WATCH" 20
watch=$(cat "$ITEST_TMP/watch.out")
note "calls during the kill: $watch"
expect_match "no sysinfo() call failed while the server was killed" ' failures=0 ' "$watch"
for ((i = 0; i < 100; i++)); do [[ -n $(server_pid) && $(server_pid) != "$srv" ]] && break; sleep 0.05; done
sleep 0.5
probe=$(rexec "$A" sysinfo-probe)
expect_match "the new server answers A's calls" "totalram=$((256 << 20)) " "$probe"

# --- cost ---------------------------------------------------------------------------------
cost_a=$(rexec "$A" sysinfo-probe bench 10000)
cost_b=$(rexec "$B" sysinfo-probe bench 10000)
med_a=$(echo "$cost_a" | sed -E 's/.*median_ns=([0-9]+).*/\1/')
med_b=$(echo "$cost_b" | sed -E 's/.*median_ns=([0-9]+).*/\1/')
is_number "$med_a" && is_number "$med_b" || fail "bench output: A '$cost_a', B '$cost_b'"
note "sysinfo() median of 10000 calls: with the notify rule ${med_a} ns ($cost_a), without ${med_b} ns ($cost_b); extra $(( (med_a - med_b) / 1000 )) us per call"
pass "cost measured"

# --- lensfs stopped, then started again --------------------------------------------------
lines_before=$(wc -l <"$LOG_A")
stop_lensfs
expect_eq "the daemon stopped cleanly" 0 "$STOP_STATUS"
holder=$(head -n 1 "$STATE/seccomp-holder" 2>/dev/null)
expect_eq "a holder keeps A's listener" lensfs-holder "$(cat "/proc/${holder:-0}/comm" 2>/dev/null)"
sleep 1.5
stopped=$(tail -n +"$((lines_before + 1))" "$LOG_A")
expect_no_match "no sysinfo() call failed while lensfs was stopped" 'error=' "$stopped"
expect_match "with lensfs stopped, sysinfo() returns the host's figures" \
    "totalram=$((host_total * 1024)) " "$(tail -n 1 "$LOG_A")"
expect_match "A keeps running" '"status": "running"' "$(runc --root "$RUNC_ROOT" state "$A")"

start_lensfs --socket "$SOCK" --state-dir "$STATE"
KEEPER=$LENSFS_PID
for ((i = 0; i < 100; i++)); do alive "$holder" || break; sleep 0.05; done
expect_eq "the holder gave the listener back and ended" 1 "$(alive "$holder" && echo 0 || echo 1)"
expect_match "the new daemon took the listener back" 'took 1 seccomp listeners back' "$(cat "$LENSFS_LOG")"
sleep 0.5
expect_match "A gets its own figures again" "totalram=$((256 << 20)) " "$(tail -n 1 "$LOG_A")"
expect_no_match "no call of A's loop ever failed" 'error=' "$(cat "$LOG_A")"
note "A's loop: $(wc -l <"$LOG_A") calls"

itest_finish
