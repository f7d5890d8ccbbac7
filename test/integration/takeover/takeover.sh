#!/bin/bash
# The mount outlives its server. Eight readers (the shared tree, a bind mount of it, a
# container's own tree, one descriptor kept open on uptime) and a runc container that reads
# bind-mounted files keep reading while the server is killed with SIGKILL, replaced by a live
# upgrade to the binary on disk (`lensctl upgrade`, after the file was replaced), and sent
# SIGUSR1 and SIGUSR2. Checked: a kill costs at most the requests in flight (one per worker)
# and every reader reads again within 1 s; an upgrade and the signals cost no read at all; no
# read is ever wrong; the kept descriptor keeps reading fresh text; the container's uptime
# goes on without a jump.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../runc_lib.sh"
require_root_and_fuse
require_hierarchy memory
[[ -x ${TTREAD-} && -x ${LENSCTL-} && -x ${OCI_HOOK-} ]] || die "TTREAD, LENSCTL and OCI_HOOK must be set"
THREADS=8
PHASE=${TAKEOVER_SECONDS:-4}

# The daemon runs from a copy of the binary, so that the test can replace it on disk.
mkdir -p "$ITEST_TMP/bin"
cp "$LENSFS" "$ITEST_TMP/bin/lensfs" || die "cannot copy $LENSFS"
BUILD=$LENSFS
LENSFS=$ITEST_TMP/bin/lensfs
SOCK=$ITEST_TMP/lensfs.sock
mkdir -p "$ITEST_TMP/state"
start_lensfs --threads "$THREADS" --socket "$SOCK" --state-dir "$ITEST_TMP/state"
KEEPER=$LENSFS_PID
server_pid() { pgrep -P "$KEEPER" | head -n 1; }

make_cgroup a memory
cg_write memory a memory.limit_in_bytes $((256 << 20))
ID_A=lensfs-test-takeover-a-$$
"$LENSCTL" --socket "$SOCK" register "$ID_A" --cgroup "/$(cg_rel a)" >/dev/null || die "register failed"
TREE=$MOUNT/containers/$ID_A
BIND=$ITEST_TMP/meminfo.bind
touch "$BIND"
mount --bind "$MOUNT/proc/meminfo" "$BIND" || die "cannot bind"
unbind() { umount -l "$BIND" 2>/dev/null; }
ITEST_CLEANUP_HOOKS+=(unbind)

require_runc
CID=lensfs-test-takeover-c-$$
runc_bundle "$CID" 'while :; do echo "up $(cat /proc/uptime) $(grep MemTotal /proc/meminfo)"; sleep 0.05; done'
RUNC_MEMORY=$((256 << 20)) RUNC_HOOKS="$SOCK $MOUNT" runc_config "$CID"
runc_start "$CID" || die "runc run failed: $(cat "$ITEST_TMP/$CID.out")"
runc_wait_line "$CID" '^up ' 10 || die "the container does not read: $(cat "$ITEST_TMP/$CID.out")"

# phase NAME ACTION...: the readers run for PHASE seconds; ACTION runs after a third of it.
phase() {
    local name=$1 pids=() k
    shift
    rm -f "$ITEST_TMP"/r.*
    for k in 1 2 3; do
        run_in_cgroup_bg a "$TTREAD" reopen "$MOUNT/proc/meminfo" "$PHASE" 262144 >"$ITEST_TMP/r.shared-$k"
        pids+=("$BG_PID")
    done
    for k in 1 2; do
        run_in_cgroup_bg a "$TTREAD" reopen "$BIND" "$PHASE" 262144 >"$ITEST_TMP/r.bind-$k"
        pids+=("$BG_PID")
        "$TTREAD" reopen "$TREE/proc/meminfo" "$PHASE" 262144 >"$ITEST_TMP/r.tree-$k" &
        ITEST_PIDS+=($!)
        pids+=($!)
    done
    run_in_cgroup_bg a "$TTREAD" kept "$MOUNT/proc/uptime" "$PHASE" >"$ITEST_TMP/r.kept"
    pids+=("$BG_PID")
    sleep "$(awk -v p="$PHASE" 'BEGIN { print p / 3 }')"
    "$@"
    local pid
    for pid in "${pids[@]}"; do wait_pid "$pid" $((PHASE + 20)); done
    local f total=0
    for f in "$ITEST_TMP"/r.*; do
        note "[$name] ${f##*/r.}: $(cat "$f")"
        total=$((total + $(sed -nE 's/.* failures=([0-9]+).*/\1/p' "$f")))
    done
    PHASE_FAILURES=$total
}

field() { sed -nE "s/.* $1=([0-9]+).*/\1/p" "$2"; }

# check_readers NAME MAX_FAILURES MAX_GAP_MS
check_readers() {
    local f
    expect_cmp "[$1] failed reads in all (at most the requests in flight)" "$PHASE_FAILURES" "<=" "$2"
    for f in "$ITEST_TMP"/r.*; do
        local who=${f##*/r.}
        expect_cmp "[$1] $who read" "$(field reads "$f")" ">" 50 "$(cat "$f")"
        expect_eq "[$1] $who: no wrong text" 0 "$(field wrong "$f")" "$(cat "$f")"
        expect_cmp "[$1] $who: longest wait for a good read (ms)" "$(field max_gap_ms "$f")" "<" "$3" "$(cat "$f")"
    done
    expect_eq "[$1] the kept descriptor read fresh text throughout" 0 "$(field stale "$ITEST_TMP/r.kept")" \
        "$(cat "$ITEST_TMP/r.kept")"
}

# --- kill -9 of the server ----------------------------------------------------------------
victim=$(server_pid)
kill_server() { kill -KILL "$victim"; }
phase kill kill_server
check_readers "kill -9" "$THREADS" 1000
expect_match "the keeper logged the cause" "server [0-9]+ \\(pid $victim\\) killed by signal 9" \
    "$(cat "$LENSFS_LOG")"
expect_eq "a new server serves" yes "$([[ -n $(server_pid) && $(server_pid) != "$victim" ]] && echo yes || echo no)"

# --- live upgrade to the binary on disk -----------------------------------------------------
before=$(server_pid)
cp "$BUILD" "$ITEST_TMP/bin/lensfs.new" && mv "$ITEST_TMP/bin/lensfs.new" "$LENSFS" || die "cannot replace the binary"
upgrade() { "$LENSCTL" --socket "$SOCK" upgrade >"$ITEST_TMP/upgrade.out" 2>&1; echo $? >"$ITEST_TMP/upgrade.rc"; }
phase upgrade upgrade
check_readers "upgrade" 0 1000
expect_eq "lensctl upgrade succeeded" 0 "$(cat "$ITEST_TMP/upgrade.rc")" "$(cat "$ITEST_TMP/upgrade.out")"
after=$(server_pid)
expect_eq "another server serves after the upgrade" yes "$([[ -n $after && $after != "$before" ]] && echo yes || echo no)"
expect_eq "it runs the binary now on disk" "$(stat -c %i "$LENSFS")" "$(stat -L -c %i "/proc/$after/exe")"

# --- SIGUSR1 and SIGUSR2 ---------------------------------------------------------------------
signals() {
    echo debug >"$ITEST_TMP/state/log-level"
    kill -USR1 "$KEEPER"
    sleep 0.3
    kill -USR2 "$KEEPER"
}
phase signals signals
check_readers "SIGUSR1+SIGUSR2" 0 1000
expect_eq "the keeper survives the signals" yes "$(alive "$KEEPER" && echo yes || echo no)"
expect_match "SIGUSR1 reloads the registry and the log level" 'reloaded: [0-9]+ containers registered, log level debug' \
    "$(cat "$LENSFS_LOG")"
expect_match "SIGUSR2 logs the status" "keeper \\(pid $KEEPER\\) of $MOUNT: server" "$(cat "$LENSFS_LOG")"

# --- the container's view across all of it ----------------------------------------------------
out=$(cat "$ITEST_TMP/$CID.out")
lines=$(grep -c '^up ' <<<"$out")
note "container: $lines readings"
expect_cmp "the container kept reading" "$lines" ">" 50 "$out"
expect_eq "the container never read a wrong MemTotal" 0 \
    "$(grep '^up .*MemTotal' <<<"$out" | grep -cv 'MemTotal: *262144 kB$')" "$out"
# A reading whose cat failed (a request in flight at the kill) has no uptime: skipped here,
# counted with the error lines below.
jumps=$(grep -E '^up [0-9.]+ ' <<<"$out" |
    awk '{ if (seen && ($2 < last || $2 - last > 1.5)) n++; last = $2; seen = 1 } END { print n + 0 }')
expect_eq "its uptime went on without a jump or a reset" 0 "$jumps" "$out"
errors=$(grep -v -E '^up [0-9.]+ [0-9.]+ MemTotal' <<<"$out" | grep -c .)
note "container: $errors error lines (requests in flight at the kill)"
expect_cmp "its failed reads are at most the requests in flight at the kill" "$errors" "<=" "$THREADS" "$out"

itest_finish
