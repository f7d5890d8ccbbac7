#!/bin/bash
# The control socket of a running daemon (lensfs-protocol(7)): requests and their answers,
# every hostile client of the protocol (malformed lines, over-long lines, stalled, vanished,
# non-reading and unprivileged clients, too many connections), socket file modes, the
# registry driving /proc/uptime across restarts, pruning, and a corrupt state file. After
# the hostile part the daemon must still answer and serve FUSE reads.
. "$(dirname "$0")/../lib.sh"
require_root_and_fuse
command -v socat >/dev/null || skip "socat is missing"
[[ -x ${CONTROL_PROBE-} ]] || die "CONTROL_PROBE must name the control_probe helper"

SOCK=$ITEST_TMP/run/lensfs.sock
STATE=$ITEST_TMP/state
CTL_ARGS=(--socket "$SOCK" --state-dir "$STATE" --control-idle-timeout 2)

# ask LINE...: sends the lines on one connection; prints the answers.
ask() { printf '%s\n' "$@" | timeout 20 socat -t 10 - "UNIX-CONNECT:$SOCK" 2>&1; }
# ask_as USER-ARGS... -- LINE: the same through setpriv with USER-ARGS.
ask_as() {
    local args=()
    while [[ $1 != -- ]]; do args+=("$1"); shift; done
    shift
    printf '%s\n' "$@" | timeout 20 setpriv "${args[@]}" socat -t 10 - "UNIX-CONNECT:$SOCK" 2>&1
}
# listen_as USER-ARGS...: what the daemon says, unasked, to a connection made with USER-ARGS.
# (A client that writes first may get EPIPE and never read the refusal.)
listen_as() { timeout 20 setpriv "$@" socat -u "UNIX-CONNECT:$SOCK" - 2>&1; }
code_of() { grep -o '"code":"[a-z_]*"' <<<"$1" | head -n 1 | cut -d'"' -f4; }
# field_num NAME TEXT: the first number after "NAME":
field_num() { grep -oE "\"$1\":-?[0-9.e+]+" <<<"$2" | head -n 1 | cut -d: -f2; }
boottime() { awk '{ print $1 }' /proc/uptime; }
minus() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a - b }'; }
abs_diff() { awk -v a="$1" -v b="$2" 'BEGIN { d = a - b; if (d < 0) d = -d; printf "%.2f", d }'; }
log_count() { grep -cE -- "$1" "$LENSFS_LOG"; }

# --- the socket and its files --------------------------------------------------------------
start_lensfs "${CTL_ARGS[@]}"
expect_eq "the socket is root's, mode 0600" "srw------- root root" "$(stat -c '%A %U %G' "$SOCK")"
expect_eq "the socket's missing directory was created 0755" drwxr-xr-x \
    "$(stat -c %A "$(dirname "$SOCK")")"
expect_eq "the missing state directory was created 0700" drwx------ "$(stat -c %A "$STATE")"

# --- requests ------------------------------------------------------------------------------
expect_eq "ping" '{"ok":true,"seq":7}' "$(ask '{"op":"ping","seq":7}')"
expect_eq "three requests on one connection, answered in order" \
    '{"ok":true,"seq":1}|{"ok":true,"seq":2}|{"ok":true,"seq":3}' \
    "$(ask '{"op":"ping","seq":1}' '{"op":"ping","seq":2}' '{"op":"ping","seq":3}' | paste -sd'|')"
status=$(ask '{"op":"status"}')
expect_match "status: version, the server's pid, the keeper's and counters" \
    "^\\{\"ok\":true,\"status\":\\{\"version\":\"[0-9.]+\",\"pid\":[0-9]+,.*\"keeper_pid\":$LENSFS_PID,\"generation\":[0-9]+,.*\"reads\":\\{.*\"proc/meminfo\":" \
    "$status"

make_cgroup reg
REG_CG=/$(cg_rel reg)
start=$(minus "$(boottime)" 100)
reg=$(ask "{\"op\":\"register\",\"id\":\"t-reg\",\"cgroup\":\"$REG_CG\",\"start_time\":{\"boottime\":$start},\"annotations\":{\"k\":\"v\"},\"seq\":5}")
expect_match "register answers the entry" \
    "^\\{\"ok\":true,\"seq\":5,\"container\":\\{\"id\":\"t-reg\",\"cgroup\":\"$REG_CG\",.*\"annotations\":\\{\"k\":\"v\"\\}" "$reg"
expect_between "register stores the start time given" 0 \
    "$(abs_diff "$(field_num boottime "$reg")" "$start")" 0.001 "$reg"
got=$(ask '{"op":"get","id":"t-reg"}')
expect_eq "get answers what register stored" "$(sed 's/,"seq":5//' <<<"$reg")" "$got"
expect_eq "register again (same id): still one entry" 1 \
    "$(ask "{\"op\":\"register\",\"id\":\"t-reg\",\"cgroup\":\"$REG_CG\",\"start_time\":{\"boottime\":$start}}" \
        '{"op":"list"}' | tail -n 1 | grep -o '"id":"t-reg"' | wc -l)"
expect_match "status counts the entry" '"containers":1,' "$(ask '{"op":"status"}')"
expect_eq "unregister" '{"ok":true}' "$(ask '{"op":"unregister","id":"t-reg"}')"
expect_eq "get after unregister: not_found" not_found "$(code_of "$(ask '{"op":"get","id":"t-reg"}')")"
expect_eq "unregister an unknown id: not_found" not_found \
    "$(code_of "$(ask '{"op":"unregister","id":"t-reg"}')")"
expect_eq "list is empty again" '{"ok":true,"containers":[]}' "$(ask '{"op":"list"}')"

# Registered by pid only: the cgroup and the start time are the process's.
(
    for dir in ${ITEST_CG_DIRS[reg]}; do echo "$BASHPID" >"$dir/cgroup.procs" || exit 125; done
    exec sleep 60
) &
sleeper=$!
ITEST_PIDS+=("$sleeper")
for ((i = 0; i < 250; i++)); do
    [[ $(readlink "/proc/$sleeper/exe") == */sleep ]] && break
    sleep 0.02
done
by_pid=$(ask "{\"op\":\"register\",\"id\":\"t-pid\",\"pid\":$sleeper}")
expect_match "register by pid: the cgroup comes from /proc/PID/cgroup" \
    "\"cgroup\":\"$REG_CG\",\"pid\":$sleeper," "$by_pid"
ask '{"op":"unregister","id":"t-pid"}' >/dev/null
expect_match "register a pid with the cgroup it is in (or above it)" '"ok":true' \
    "$(ask "{\"op\":\"register\",\"id\":\"t-pid\",\"pid\":$sleeper,\"cgroup\":\"$REG_CG\"}")"
wrong=$(ask "{\"op\":\"register\",\"id\":\"t-wrong\",\"pid\":$sleeper,\"cgroup\":\"$REG_CG-other\"}")
expect_eq "register a pid with a cgroup it is not in: invalid_value" invalid_value \
    "$(code_of "$wrong")" "$wrong"
root=$(ask '{"op":"register","id":"t-root","cgroup":"/"}')
expect_eq "register the root cgroup: invalid_value" invalid_value "$(code_of "$root")" "$root"
ticks=$(sed -E 's/.*\) //' "/proc/$sleeper/stat" | cut -d' ' -f20)
pid_start=$(awk -v t="$ticks" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.2f", t / hz }')
expect_between "register by pid: the start time is the process's" 0 \
    "$(abs_diff "$(field_num boottime "$by_pid")" "$pid_start")" 0.02 "$by_pid"
stop_pid "$sleeper"
ask '{"op":"unregister","id":"t-pid"}' >/dev/null
expect_eq "register a pid that does not exist: invalid_value" invalid_value \
    "$(code_of "$(ask '{"op":"register","id":"t-nopid","pid":4194304}')")"
wall=$(date +%s.%N)
by_wall=$(ask "{\"op\":\"register\",\"id\":\"t-wall\",\"cgroup\":\"$REG_CG\",\"start_time\":{\"wall\":$(minus "$wall" 50)}}")
expect_between "a wall-clock start time is converted to boottime" 49 \
    "$(minus "$(boottime)" "$(field_num boottime "$by_wall")")" 51.5 "$by_wall"
ask '{"op":"unregister","id":"t-wall"}' >/dev/null
expect_eq "a start time in the future: invalid_value" invalid_value \
    "$(code_of "$(ask "{\"op\":\"register\",\"id\":\"t-f\",\"cgroup\":\"$REG_CG\",\"start_time\":{\"boottime\":$(minus "$(boottime)" -1000)}}")")"

# --- hostile requests: every line of bad-requests.tsv on one connection ----------------------
codes=() lines=()
while IFS=$'\t' read -r code line; do
    [[ -z $code || $code == \#* ]] && continue
    codes+=("$code")
    lines+=("$line")
done <"$TEST_DATA_DIR/protocol/bad-requests.tsv"
mapfile -t answers < <(printf '%s\n' "${lines[@]}" | timeout 30 socat -t 10 - "UNIX-CONNECT:$SOCK")
expect_eq "every hostile line is answered, on one connection" "${#lines[@]}" "${#answers[@]}"
wrong=0
for i in "${!lines[@]}"; do
    got=$(code_of "${answers[i]-}")
    if [[ $got != "${codes[i]}" ]]; then
        wrong=$((wrong + 1))
        echo "  line $((i + 1)): expected ${codes[i]}, got '${answers[i]-}' for ${lines[i]:0:120}" >&2
    fi
done
expect_eq "each of the ${#lines[@]} hostile lines gets its error code" 0 "$wrong"
expect_eq "the connection that sent them all is still usable" '{"ok":true}' \
    "$(printf '%s\n' "${lines[@]}" '{"op":"ping"}' | socat -t 10 - "UNIX-CONNECT:$SOCK" | tail -n 1)"

# --- over-long lines -------------------------------------------------------------------------
out=$("$CONTROL_PROBE" oversize "$SOCK" 65536)
expect_match "a line of exactly 64 KiB is served" '^reply: \{"ok":true\}$' "$out"
expect_match "... and the connection stays usable" '^next: \{"ok":true,"seq":2\}$' "$out"
out=$("$CONTROL_PROBE" oversize "$SOCK" 65537)
expect_match "a line of 64 KiB + 1 byte: too_large" '^reply: .*"code":"too_large"' "$out"
expect_match "... and the connection is closed" '^next: \(closed\)$' "$out"
out=$("$CONTROL_PROBE" oversize "$SOCK" 4194304 --no-newline)
expect_match "4 MiB without a newline: too_large" '^reply: .*"code":"too_large"' "$out"
expect_match "... and the connection is closed" '^next: \(closed\)$' "$out"

# --- stalled, vanished, flooding and non-reading clients ---------------------------------------
"$CONTROL_PROBE" stall "$SOCK" '{"op":"regis' >"$ITEST_TMP/stall.out" &
stall_pid=$!
ITEST_PIDS+=("$stall_pid")
sleep 0.3
t0=$(date +%s.%N)
expect_eq "a stalled client does not hold up another" '{"ok":true}' "$(ask '{"op":"ping"}')"
expect_cmp "... which is answered at once (s)" "$(minus "$(date +%s.%N)" "$t0")" '<' 1
wait_pid "$stall_pid" 15
out=$(cat "$ITEST_TMP/stall.out")
expect_match "half a line, then silence: timeout" '^reply: .*"code":"timeout"' "$out"
expect_match "... and closed after the idle timeout (2 s)" '^closed after (1\.[5-9]|2\.[0-9]|3\.[0-9]) s$' "$out"
out=$("$CONTROL_PROBE" stall "$SOCK" '')
expect_match "a client that sends nothing is closed too" '^closed after (1\.[5-9]|2\.[0-9]|3\.[0-9]) s$' "$out"

"$CONTROL_PROBE" vanish "$SOCK" '{"op":"register","id":"t-vanish","cgroup":"/a"' >/dev/null
"$CONTROL_PROBE" vanish "$SOCK" $'{"op":"list"}\n{"op":"status"}\n{"op":"ping"}\n' >/dev/null
expect_eq "a client that vanished mid-request registered nothing" not_found \
    "$(code_of "$(ask '{"op":"get","id":"t-vanish"}')")"

out=$("$CONTROL_PROBE" flood "$SOCK" 64)
expect_match "64 connections are served at once" '^held 64 connections, 64 answered ping$' "$out"
expect_match "the 65th gets busy" '^extra: .*"code":"busy"' "$out"
expect_match "... and is closed" '^extra closed$' "$out"
expect_match "connections are accepted again once the others closed" '^after: ping ok$' "$out"

out=$("$CONTROL_PROBE" noread "$SOCK")
expect_match "while a client does not read its answers, another is served at once" \
    '^other client: \{"ok":true\} in 0\.[0-9]+ s$' "$out"
expect_match "the client that does not read is dropped" '^stuck client: dropped after' "$out"

# --- who may connect -----------------------------------------------------------------------
nobody=(--reuid=65534 --regid=65534 --clear-groups)
expect_no_match "an unprivileged user cannot even connect (mode 0600)" '"ok":true' \
    "$(ask_as "${nobody[@]}" -- '{"op":"ping"}')"
chmod 0666 "$SOCK" # only to reach the daemon's SO_PEERCRED check
expect_eq "an unprivileged peer that gets through is refused: permission_denied" \
    permission_denied "$(code_of "$(listen_as "${nobody[@]}")")"
chmod 0600 "$SOCK"

# --- the daemon after all of that ------------------------------------------------------------
expect_eq "the daemon still answers" '{"ok":true}' "$(ask '{"op":"ping"}')"
expect_match "... and serves FUSE reads" '^MemTotal: ' "$(cat "$MOUNT/proc/meminfo")"
status=$(ask '{"op":"status"}')
expect_cmp "status counts the bad requests" "$(field_num control.bad_request "$status")" '>=' \
    "${#lines[@]}" "$status"
expect_cmp "status counts the refused connections" "$(field_num control.rejected "$status")" \
    '>=' 2 "$status"
expect_cmp "status counts the dropped connections" "$(field_num control.dropped "$status")" \
    '>=' 5 "$status"
expect_eq "status: no internal errors" 0 "$(field_num control.internal "$status")" "$status"

# --- the registry drives uptime, across restarts -----------------------------------------------
make_cgroup up
UP_CG=/$(cg_rel up)
up_start=$(minus "$(boottime)" 100)
ask "{\"op\":\"register\",\"id\":\"t-up\",\"cgroup\":\"$UP_CG\",\"start_time\":{\"boottime\":$up_start}}" >/dev/null
text=$(read_in_cgroup up "$MOUNT/proc/uptime")
expect_between "a registered container's uptime is now - its start" 99.5 "${text%% *}" 101.5 "$text"
make_cgroup gone
ask "{\"op\":\"register\",\"id\":\"t-gone\",\"cgroup\":\"/$(cg_rel gone)\"}" >/dev/null
# t-live: an init that is alive in another cgroup after its registered cgroup was removed.
make_cgroup live memory
make_cgroup parking memory
(
    echo "$BASHPID" >"$(cg_dir memory live)/cgroup.procs" || exit 125
    exec sleep 120
) &
live_pid=$!
ITEST_PIDS+=("$live_pid")
for ((i = 0; i < 250; i++)); do
    [[ $(readlink "/proc/$live_pid/exe") == */sleep ]] && break
    sleep 0.02
done
ask "{\"op\":\"register\",\"id\":\"t-live\",\"cgroup\":\"/$(cg_rel live)\",\"pid\":$live_pid}" >/dev/null
echo "$live_pid" >"$(cg_dir memory parking)/cgroup.procs"
rmdir "$(cg_dir memory live)"
before=$(ask '{"op":"get","id":"t-up"}')

stop_lensfs
expect_eq "SIGTERM: exit status 0" 0 "$STOP_STATUS"
expect_eq "SIGTERM: the socket file is removed" no "$([[ -e $SOCK ]] && echo yes || echo no)"
for dir in ${ITEST_CG_DIRS[gone]}; do remove_cgroup "$dir"; done

start_lensfs "${CTL_ARGS[@]}"
expect_eq "after a restart the entry is the same" "$before" "$(ask '{"op":"get","id":"t-up"}')"
text=$(read_in_cgroup up "$MOUNT/proc/uptime")
expect_between "after a restart the uptime still counts from the registered start" 0 \
    "$(abs_diff "${text%% *}" "$(minus "$(boottime)" "$up_start")")" 1 "$text"
expect_eq "an entry whose cgroup and init are gone is dropped at start" not_found \
    "$(code_of "$(ask '{"op":"get","id":"t-gone"}')")"
expect_match "... which the log says" 'dropped 1 containers' "$(cat "$LENSFS_LOG")"
expect_match "an entry whose init is alive is kept" '"id":"t-live"' \
    "$(ask '{"op":"get","id":"t-live"}')"
ask '{"op":"unregister","id":"t-live"}' >/dev/null

# --- one daemon per socket; a stale socket file is replaced ------------------------------------
mkdir "$ITEST_TMP/mnt2"
timeout -s KILL 10 "$LENSFS" -f --socket "$SOCK" --state-dir "$ITEST_TMP/state2" \
    "$ITEST_TMP/mnt2" >"$ITEST_TMP/second.out" 2>"$ITEST_TMP/second.err"
rc=$? err=$(cat "$ITEST_TMP/second.err")
expect_cmp "a second daemon on a socket in use fails" "$rc" '>' 0 "$err"
expect_eq "... with one line" 1 "$(grep -c . <<<"$err")" "$err"
expect_match "... that says why" 'already listening on .*lensfs\.sock' "$err"
expect_eq "... and does not mount" no "$(is_mounted "$ITEST_TMP/mnt2" && echo yes || echo no)"
expect_eq "the first daemon still answers" '{"ok":true}' "$(ask '{"op":"ping"}')"

stop_pid "$LENSFS_PID" KILL
fusermount3 -u "$MOUNT" 2>/dev/null || umount -l "$MOUNT"
expect_eq "a killed daemon leaves its socket file" yes "$([[ -S $SOCK ]] && echo yes || echo no)"
start_lensfs "${CTL_ARGS[@]}"
expect_eq "the next daemon replaces the stale socket" '{"ok":true}' "$(ask '{"op":"ping"}')"
expect_match "... and says so" 'removed the stale control socket' "$(cat "$LENSFS_LOG")"

# --- --no-socket: no socket, the registry still counts ------------------------------------------
stop_lensfs
start_lensfs --no-socket --socket "$SOCK" --state-dir "$STATE"
expect_eq "--no-socket creates no socket" no "$([[ -e $SOCK ]] && echo yes || echo no)"
text=$(read_in_cgroup up "$MOUNT/proc/uptime")
expect_between "--no-socket: registered start times still count" 0 \
    "$(abs_diff "${text%% *}" "$(minus "$(boottime)" "$up_start")")" 1 "$text"
stop_lensfs

# --- a corrupt state file ---------------------------------------------------------------------
printf 'garbage \001\002 not json' >"$STATE/registry.json"
start_lensfs "${CTL_ARGS[@]}"
expect_eq "with a corrupt state file the daemon starts, empty" '{"ok":true,"containers":[]}' \
    "$(ask '{"op":"list"}')"
expect_eq "... says so in one log line" 1 "$(log_count 'corrupt')" "$(cat "$LENSFS_LOG")"
kept=$(ls "$STATE"/registry.json.corrupt-* 2>/dev/null | head -n 1)
expect_eq "... and keeps the file aside" 'garbage \001\002 not json' \
    "$([[ -n $kept ]] && cat -v "$kept" | sed 's/\^A/\\001/; s/\^B/\\002/')"
stop_lensfs

# --- --socket-group -----------------------------------------------------------------------------
GSOCK=$ITEST_TMP/grp/lensfs.sock
start_lensfs --socket "$GSOCK" --socket-group 65534 --state-dir "$ITEST_TMP/gstate"
SOCK=$GSOCK
expect_eq "with --socket-group the socket is mode 0660 and the group's" "srw-rw---- 65534" \
    "$(stat -c '%A %g' "$SOCK")"
expect_eq "a member (primary group) may use it" '{"ok":true}' \
    "$(ask_as "${nobody[@]}" -- '{"op":"ping"}')"
expect_eq "a member (supplementary group) may use it" '{"ok":true}' \
    "$(ask_as --reuid=65534 --regid=100 --groups=65534 -- '{"op":"ping"}')"
chmod 0666 "$SOCK"
expect_eq "a non-member that gets through is refused" permission_denied \
    "$(code_of "$(listen_as --reuid=65534 --regid=100 --clear-groups)")"
stop_lensfs

itest_finish
