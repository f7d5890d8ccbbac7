# Shared helpers of the lensfs integration tests. Each test sources this file first:
#
#   . "$(dirname "$0")/lib.sh"
#   require_root_and_fuse
#   start_lensfs
#   make_cgroup mem; cg_write memory mem memory.limit_in_bytes $((256 << 20))
#   text=$(run_in_cgroup mem cat "$MOUNT/proc/meminfo")
#   expect_match "MemTotal is the limit" '^MemTotal: +262144 kB$' "$text"
#   itest_finish
#
# Environment, set by meson: LENSFS (the daemon), READPAT (the read-pattern helper),
# TEST_DATA_DIR (test/data). Everything a test creates (daemons, mounts, cgroups named
# lensfs-test-<name>-<pid of the test>, temp dirs) is removed by a trap on EXIT, INT and TERM,
# also when the test fails; a leftover makes the test fail. Should the shell die without its
# trap (SIGKILL), janitor.sh removes the rest.

set -u
set -o pipefail

CGROUP_FS=${CGROUP_FS:-/sys/fs/cgroup}
ITEST_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ITEST_NAME=$(basename "$0" .sh)
ITEST_CHECKS=0
ITEST_FAILURES=0
ITEST_TMP=""
ITEST_DAEMONS=()   # daemons we started and have not reaped yet
ITEST_PIDS=()      # other background processes we started and have not reaped yet
ITEST_MOUNTS=()    # mountpoints we handed to a daemon
ITEST_LOGS=()      # the daemons' output files
ITEST_CGROUPS=()   # absolute cgroup directories we created, in creation order
declare -A ITEST_CG_DIRS=()  # cgroup name -> its directories, one per hierarchy
ITEST_CLEANUP_HOOKS=()  # functions run first at cleanup (e.g. deleting runc containers)

# --- reporting ---------------------------------------------------------------------------

note() { echo "# $*"; }
skip() { echo "SKIP: $*"; exit 77; }
die() { echo "ERROR: $*" >&2; exit 1; }
pass() { echo "ok: $*"; }

fail() {
    ITEST_FAILURES=$((ITEST_FAILURES + 1))
    echo "FAIL: $*" >&2
}

# Prints TEXT (what was read) indented under a failure, when there is any.
show_text() {
    [[ -n ${1-} ]] || return 0
    echo "  --- what was read:" >&2
    printf '%s\n' "$1" | head -n 60 | sed 's/^/  | /' >&2
}

# expect_eq WHAT EXPECTED ACTUAL [TEXT]
expect_eq() {
    ITEST_CHECKS=$((ITEST_CHECKS + 1))
    if [[ $2 == "$3" ]]; then
        pass "$1"
    else
        fail "$1: expected '$2', got '$3'"
        show_text "${4-}"
    fi
}

# expect_match WHAT ERE TEXT: some line of TEXT matches the extended regex.
expect_match() {
    ITEST_CHECKS=$((ITEST_CHECKS + 1))
    if printf '%s\n' "$3" | grep -Eq -- "$2"; then
        pass "$1"
    else
        fail "$1: no line matches /$2/"
        show_text "$3"
    fi
}

# expect_no_match WHAT ERE TEXT: no line of TEXT matches.
expect_no_match() {
    ITEST_CHECKS=$((ITEST_CHECKS + 1))
    local hit
    if hit=$(printf '%s\n' "$3" | grep -E -m 3 -- "$2"); then
        fail "$1: lines match /$2/: $hit"
        show_text "$3"
    else
        pass "$1"
    fi
}

is_number() { [[ ${1-} =~ ^-?[0-9]+(\.[0-9]+)?$ ]]; }

# expect_cmp WHAT A OP B [TEXT], OP one of <= < >= > ==; decimals allowed.
expect_cmp() {
    ITEST_CHECKS=$((ITEST_CHECKS + 1))
    if ! is_number "$2" || ! is_number "$4"; then
        fail "$1: not numbers: '$2' $3 '$4'"
        show_text "${5-}"
        return
    fi
    if awk -v a="$2" -v b="$4" -v op="$3" 'BEGIN {
            a += 0; b += 0
            ok = (op == "<=") ? a <= b : (op == "<") ? a < b : (op == ">=") ? a >= b : \
                 (op == ">") ? a > b : (op == "==") ? a == b : 0
            exit !ok }'; then
        pass "$1 ($2 $3 $4)"
    else
        fail "$1: expected $2 $3 $4"
        show_text "${5-}"
    fi
}

# expect_between WHAT LOW X HIGH [TEXT]: LOW <= X <= HIGH.
expect_between() {
    ITEST_CHECKS=$((ITEST_CHECKS + 1))
    if is_number "$2" && is_number "$3" && is_number "$4" &&
        awk -v l="$2" -v x="$3" -v h="$4" 'BEGIN { exit !(l + 0 <= x + 0 && x + 0 <= h + 0) }'; then
        pass "$1 ($2 <= $3 <= $4)"
    else
        fail "$1: expected $2 <= '$3' <= $4"
        show_text "${5-}"
    fi
}

# Ends the test: a summary, and the exit status (cleanup runs from the EXIT trap).
itest_finish() {
    echo "# $ITEST_NAME: $ITEST_CHECKS checks, $ITEST_FAILURES failed"
    [[ $ITEST_FAILURES -eq 0 ]] && exit 0
    exit 1
}

# --- text helpers ------------------------------------------------------------------------

# meminfo_kb NAME TEXT: the number of the "NAME:" line.
meminfo_kb() { printf '%s\n' "$2" | awk -v n="$1:" '$1 == n { print $2; exit }'; }

# count_lines ERE TEXT
count_lines() { printf '%s\n' "$2" | grep -Ec -- "$1"; }

# shape: stdin with digit runs as '#' and blank runs as one space; what two snapshots of a
# changing file have in common.
shape() { sed -E 's/[0-9]+/#/g; s/[[:blank:]]+/ /g'; }

# --- preconditions -----------------------------------------------------------------------

require_root_and_fuse() {
    [[ $(id -u) -eq 0 ]] || skip "integration tests mount FUSE and create cgroups: run as root"
    [[ -c /dev/fuse ]] || skip "/dev/fuse is missing (load the fuse module)"
    command -v fusermount3 >/dev/null || skip "fusermount3 is missing (package fuse3)"
    [[ -x ${LENSFS-} ]] || die "LENSFS must name the lensfs daemon binary (got '${LENSFS-}')"
    [[ -x ${READPAT-} ]] || die "READPAT must name the readpat helper (got '${READPAT-}')"
    [[ -d ${TEST_DATA_DIR-} ]] || die "TEST_DATA_DIR must name test/data (got '${TEST_DATA_DIR-}')"
    itest_tmp
}

# require_hierarchy NAME...: each of CGROUP_FS/NAME is a writable cgroup hierarchy.
require_hierarchy() {
    local h
    for h in "$@"; do
        [[ -w $CGROUP_FS/$h/cgroup.procs ]] || skip "no writable cgroup hierarchy at $CGROUP_FS/$h"
    done
}

itest_tmp() {
    if [[ -z $ITEST_TMP ]]; then
        ITEST_TMP=$(mktemp -d "${TMPDIR:-/tmp}/lensfs-itest-$ITEST_NAME.XXXXXX") ||
            die "mktemp failed"
        # Unprivileged readers must reach the mountpoints inside.
        chmod 0755 "$ITEST_TMP"
        start_janitor
    fi
}

# The janitor cleans up after this shell if it dies without running its trap. In a session
# of its own, so that a signal to the test's process group spares it; with no link to the
# test's stdout and stderr, so that meson does not wait for it.
start_janitor() {
    local start
    start=$(sed -E 's/.*\) //' "/proc/$$/stat" | cut -d' ' -f20)
    command -v setsid >/dev/null || return 0
    setsid -f bash "$ITEST_DIR/janitor.sh" "$$" "$start" "$ITEST_TMP" "$CGROUP_FS" \
        </dev/null >/dev/null 2>&1
}

# --- processes ---------------------------------------------------------------------------

# alive PID: the process exists and is not a zombie.
alive() {
    local state
    state=$(sed -E 's/.*\) (.).*/\1/' "/proc/$1/stat" 2>/dev/null) && [[ $state != Z ]]
}

# forget_pid PID: drops PID from the lists once it has been reaped.
forget_pid() {
    local p keep=()
    for p in "${ITEST_DAEMONS[@]}"; do [[ $p == "$1" ]] || keep+=("$p"); done
    ITEST_DAEMONS=("${keep[@]}")
    keep=()
    for p in "${ITEST_PIDS[@]}"; do [[ $p == "$1" ]] || keep+=("$p"); done
    ITEST_PIDS=("${keep[@]}")
}

# wait_gone PID SECONDS: polls until PID has exited; status 1 on timeout.
wait_gone() {
    local i
    for ((i = 0; i < $2 * 50; i++)); do
        alive "$1" || return 0
        sleep 0.02
    done
    return 1
}

# stop_pid PID [SIGNAL]: signals one of our children, waits up to 5 s (then SIGKILL), reaps it
# and sets STOP_STATUS to its exit status.
stop_pid() {
    kill -"${2:-TERM}" "$1" 2>/dev/null
    if ! wait_gone "$1" 5; then
        echo "# pid $1 ignored SIG${2:-TERM} for 5 s: killing it" >&2
        kill -KILL "$1" 2>/dev/null
    fi
    wait "$1" 2>/dev/null
    STOP_STATUS=$?
    forget_pid "$1"
}

# wait_pid PID SECONDS: waits for one of our children to exit by itself (SIGKILL after
# SECONDS), reaps it and sets STOP_STATUS; status 1 when it had to be killed.
wait_pid() {
    local timed_out=0
    if ! wait_gone "$1" "$2"; then
        echo "# pid $1 still running after $2 s: killing it" >&2
        kill -KILL "$1" 2>/dev/null
        timed_out=1
    fi
    wait "$1" 2>/dev/null
    STOP_STATUS=$?
    forget_pid "$1"
    return "$timed_out"
}

# --- the daemon --------------------------------------------------------------------------

# Background jobs of a non-interactive shell ignore SIGINT, and libfuse leaves an ignored
# signal ignored: the daemon gets default dispositions back where env(1) can do it.
if env --default-signal=INT true 2>/dev/null; then
    ITEST_SIGNAL_RESET=(env --default-signal=INT,TERM,HUP)
else
    ITEST_SIGNAL_RESET=()
fi

# start_lensfs [ARGS...]: mounts a daemon on a fresh temp dir (or on START_MOUNT, which is
# left to the daemon to create). Sets MOUNT, LENSFS_PID and LENSFS_LOG; fails the test when
# it does not serve MOUNT/proc/meminfo within 10 s.
start_lensfs() {
    itest_tmp
    if [[ -n ${START_MOUNT-} ]]; then
        MOUNT=$START_MOUNT
    else
        MOUNT=$(mktemp -d "$ITEST_TMP/mnt.XXXXXX") || die "mktemp failed"
    fi
    LENSFS_LOG=$(mktemp "$ITEST_TMP/lensfs.XXXXXX.log") || die "mktemp failed"
    ITEST_MOUNTS+=("$MOUNT")
    ITEST_LOGS+=("$LENSFS_LOG")
    # Each daemon gets its own control socket and state directory, so tests never meet a
    # lensfs that runs on the host or in another test; a test's own options come later and win.
    local state
    state=$(mktemp -d "$ITEST_TMP/state.XXXXXX") || die "mktemp failed"
    "${ITEST_SIGNAL_RESET[@]}" "$LENSFS" -f --socket "$state/lensfs.sock" --state-dir "$state" \
        "$@" "$MOUNT" >"$LENSFS_LOG" 2>&1 &
    LENSFS_PID=$!
    ITEST_DAEMONS+=("$LENSFS_PID")
    local i
    for ((i = 0; i < 200; i++)); do
        if [[ -e $MOUNT/proc/meminfo ]] && head -c 1 "$MOUNT/proc/meminfo" >/dev/null 2>&1; then
            note "lensfs (pid $LENSFS_PID) serves $MOUNT${*:+ with $*}"
            return 0
        fi
        if ! alive "$LENSFS_PID"; then
            wait "$LENSFS_PID"
            local rc=$?
            forget_pid "$LENSFS_PID"
            echo "lensfs exited with status $rc before serving $MOUNT; its output:" >&2
            sed 's/^/  | /' "$LENSFS_LOG" >&2
            die "lensfs did not start"
        fi
        sleep 0.05
    done
    sed 's/^/  | /' "$LENSFS_LOG" >&2
    die "lensfs did not serve $MOUNT/proc/meminfo within 10 s"
}

# stop_lensfs [PID]: SIGTERM to a daemon we started; sets STOP_STATUS.
stop_lensfs() { stop_pid "${1:-$LENSFS_PID}" TERM; }

# is_mounted DIR: DIR is a mountpoint in this mount namespace.
is_mounted() { awk -v m="$1" '$2 == m { found = 1 } END { exit !found }' /proc/self/mounts; }

daemon_log() { sed 's/^/  | /' "${1:-$LENSFS_LOG}"; }

# --- cgroups -----------------------------------------------------------------------------

# cg_rel NAME: the path below a hierarchy's root; NAME "a/b" is "lensfs-test-a-<pid>/b".
cg_rel() {
    local head=${1%%/*}
    echo "lensfs-test-$head-$$${1#"$head"}"
}

# cg_dir HIERARCHY NAME: e.g. cg_dir memory mem -> /sys/fs/cgroup/memory/lensfs-test-mem-123
cg_dir() { echo "$CGROUP_FS/$1/$(cg_rel "$2")"; }

# make_cgroup NAME [HIERARCHY...]: creates the cgroup in each hierarchy (default: the v1
# memory, cpuset, cpu and cpuacct controllers plus the cgroup2 tree "unified"). A cpuset
# cgroup gets its parent's cpus and mems, without which no task can join. For a nested NAME
# ("a/b") the parent "a" must have been made first.
make_cgroup() {
    local name=$1
    shift
    local hierarchies=("$@")
    [[ ${#hierarchies[@]} -gt 0 ]] || hierarchies=(memory cpuset cpu cpuacct unified)
    local h dir dirs=""
    for h in "${hierarchies[@]}"; do
        dir=$(cg_dir "$h" "$name")
        mkdir "$dir" || die "cannot create cgroup $dir"
        ITEST_CGROUPS+=("$dir")
        dirs+="$dir "
        if [[ $h == cpuset ]]; then
            cat "$(dirname "$dir")/cpuset.mems" >"$dir/cpuset.mems" &&
                cat "$(dirname "$dir")/cpuset.cpus" >"$dir/cpuset.cpus" ||
                die "cannot initialise $dir"
        fi
    done
    ITEST_CG_DIRS[$name]=$dirs
}

# cg_write HIERARCHY NAME FILE VALUE: writes a control file; a refusal ends the test.
cg_write() {
    local file
    file=$(cg_dir "$1" "$2")/$3
    echo "$4" >"$file" || die "cannot write '$4' to $file"
}

# run_in_cgroup NAME CMD...: runs CMD as a process that joined every directory of cgroup NAME.
run_in_cgroup() {
    local name=$1
    shift
    [[ -n ${ITEST_CG_DIRS[$name]-} ]] || die "run_in_cgroup: no cgroup '$name' was made"
    (
        for dir in ${ITEST_CG_DIRS[$name]}; do
            echo "$BASHPID" >"$dir/cgroup.procs" || {
                echo "cannot join $dir" >&2
                exit 125
            }
        done
        exec "$@"
    )
}

# run_in_cgroup_bg NAME CMD...: the same in the background; BG_PID is its pid. Stop it with
# stop_pid, or leave it to the cleanup.
run_in_cgroup_bg() {
    run_in_cgroup "$@" &
    BG_PID=$!
    ITEST_PIDS+=("$BG_PID")
}

# read_in_cgroup NAME FILE: FILE's content as read by a process in cgroup NAME.
read_in_cgroup() { run_in_cgroup "$1" cat "$2"; }

# remove_cgroup DIR: rmdir with retries; members left in our own cgroup are processes we
# started (its name carries our pid), so they are killed by pid first.
remove_cgroup() {
    local dir=$1 i pid
    [[ -d $dir ]] || return 0
    for ((i = 0; i < 50; i++)); do
        rmdir "$dir" 2>/dev/null && return 0
        [[ -d $dir ]] || return 0
        while read -r pid; do
            [[ -n $pid ]] && kill -KILL "$pid" 2>/dev/null
        done <"$dir/cgroup.procs"
        sleep 0.1
    done
    rmdir "$dir"
}

# --- cleanup -----------------------------------------------------------------------------

itest_cleanup() {
    local rc=$? leftovers=0 pid mnt dir i log
    trap - EXIT INT TERM
    set +e
    local hook
    for hook in "${ITEST_CLEANUP_HOOKS[@]}"; do "$hook"; done
    for pid in "${ITEST_PIDS[@]}"; do stop_pid "$pid" TERM; done
    for pid in "${ITEST_DAEMONS[@]}"; do stop_pid "$pid" TERM; done
    if [[ $rc -ne 0 || $ITEST_FAILURES -ne 0 ]]; then
        for log in "${ITEST_LOGS[@]}"; do
            [[ -s $log ]] || continue
            echo "# output of a daemon ($log):" >&2
            daemon_log "$log" | tail -n 40 >&2
        done
    fi
    for mnt in "${ITEST_MOUNTS[@]}"; do
        if is_mounted "$mnt"; then
            fusermount3 -u "$mnt" 2>/dev/null || umount -l "$mnt"
        fi
        if is_mounted "$mnt"; then
            echo "CLEANUP: $mnt is still mounted" >&2
            leftovers=1
        fi
    done
    for ((i = ${#ITEST_CGROUPS[@]} - 1; i >= 0; i--)); do
        dir=${ITEST_CGROUPS[i]}
        if ! remove_cgroup "$dir"; then
            echo "CLEANUP: cannot remove cgroup $dir" >&2
            leftovers=1
        fi
    done
    if [[ -n $ITEST_TMP && $leftovers -eq 0 ]]; then
        rm -rf --one-file-system "$ITEST_TMP"
    fi
    if [[ $leftovers -ne 0 ]]; then
        echo "CLEANUP FAILED: $ITEST_NAME left the above behind" >&2
        [[ $rc -eq 0 || $rc -eq 77 ]] && rc=1
    fi
    exit "$rc"
}

trap itest_cleanup EXIT
trap 'echo "interrupted" >&2; exit 130' INT
trap 'echo "terminated" >&2; exit 143' TERM
