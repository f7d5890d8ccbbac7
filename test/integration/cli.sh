#!/bin/bash
# The daemon's command line: --help and --version, one-line errors for bad options, a busy or
# stale mountpoint (detached, then served), a missing /dev/fuse and a non-root caller; a mountpoint created when
# missing; clean unmount and exit status 0 on SIGTERM and SIGINT.
. "$(dirname "$0")/lib.sh"
require_root_and_fuse
itest_tmp

# run_daemon NAME ARGS...: runs the daemon to completion (at most 10 s) with stdout and
# stderr in $ITEST_TMP/NAME.{out,err}; sets RC.
run_daemon() {
    local name=$1
    shift
    timeout -s KILL 10 "$@" >"$ITEST_TMP/$name.out" 2>"$ITEST_TMP/$name.err"
    RC=$?
    OUT=$(cat "$ITEST_TMP/$name.out")
    ERR=$(cat "$ITEST_TMP/$name.err")
}

# expect_one_line_error WHAT ERE: the last run failed, printed nothing on stdout and exactly
# one line on stderr, matching ERE.
expect_one_line_error() {
    ITEST_CHECKS=$((ITEST_CHECKS + 1))
    # 137: killed by the 10 s timeout
    if [[ $RC -ne 0 && $RC -ne 137 ]]; then
        pass "$1: exit status $RC"
    else
        fail "$1: exit status $RC, expected a failure"
    fi
    expect_eq "$1: nothing on stdout" "" "$OUT"
    expect_eq "$1: one line on stderr" 1 "$(printf '%s\n' "$ERR" | grep -c .)" "$ERR"
    expect_match "$1: the line says why" "$2" "$ERR"
}

# --help and --version.
run_daemon help "$LENSFS" --help
expect_eq "--help exits 0" 0 "$RC" "$ERR"
expect_eq "--help prints nothing on stderr" "" "$ERR"
for opt in -f --foreground -d --debug --cgroup-root -h --help -V --version; do
    expect_match "--help mentions $opt" "(^|[[:blank:],])$opt([[:blank:],=]|\$)" "$OUT"
done
expect_match "--help names the default mountpoint" /var/lib/lensfs "$OUT"
help=$OUT
# Every long option that --help shows is accepted (--version stops before any work).
for opt in $(printf '%s\n' "$help" | grep -oE -- '--[a-z][a-z-]+( [A-Z]+)?' | tr ' ' '=' | sort -u); do
    name=${opt%%=*}
    arg=${opt#"$name"}
    case $arg in
    =DIR) value=/tmp ;;
    =N) value=2 ;;
    =SPEC) value=pid:1 ;;
    =MS) value=5 ;;
    =PATH) value=/tmp/lensfs-cli-unused.sock ;;
    =*) value=x ;;
    *) value="" ;;
    esac
    [[ $name == --help || $name == --version ]] && continue
    run_daemon opt "$LENSFS" "$name" ${value:+"$value"} --version
    expect_eq "documented option $name${value:+ $value} is accepted" 0 "$RC" "$ERR"
done
run_daemon version "$LENSFS" --version
expect_eq "--version exits 0" 0 "$RC" "$ERR"
expect_match "--version prints the name and a version" '^lensfs [0-9]+\.[0-9]+' "$OUT"

# Bad command lines: one line on stderr.
run_daemon bogus "$LENSFS" --bogus
expect_one_line_error "--bogus" 'bogus'
run_daemon threads "$LENSFS" --threads 0 "$ITEST_TMP/unused"
expect_one_line_error "--threads 0" 'threads'
run_daemon relative "$LENSFS" -f relative/path
expect_one_line_error "a relative mountpoint" 'absolute'
run_daemon extra "$LENSFS" -f /tmp/a /tmp/b
expect_one_line_error "two mountpoints" '/tmp/b'

# Not root: refused with a clear reason, nothing created.
if command -v setpriv >/dev/null; then
    run_daemon nonroot setpriv --reuid=65534 --regid=65534 --clear-groups "$LENSFS" -f "$ITEST_TMP/nonroot"
    expect_one_line_error "an unprivileged caller" 'root'
    expect_eq "an unprivileged caller creates no mountpoint" no \
        "$([[ -e $ITEST_TMP/nonroot ]] && echo yes || echo no)"
fi

# No /dev/fuse: in a private mount namespace whose /dev is an empty tmpfs.
if command -v unshare >/dev/null; then
    run_daemon nofuse unshare --mount --propagation private sh -c \
        'mount -t tmpfs lensfs-test-nodev /dev && exec "$@"' _ "$LENSFS" -f "$ITEST_TMP/nofuse"
    expect_one_line_error "no /dev/fuse" '/dev/fuse'
fi

# A missing mountpoint is created; the mount is readable by every user.
START_MOUNT=$ITEST_TMP/created/deeper start_lensfs
expect_eq "the missing mountpoint was created and mounted" yes "$(is_mounted "$MOUNT" && echo yes || echo no)"
mount_line=$(awk -v m="$MOUNT" '$2 == m' /proc/self/mounts)
expect_match "the mount is fuse.lensfs" '^lensfs [^ ]+ fuse\.lensfs ' "$mount_line"
expect_match "the mount has allow_other" '[ ,]allow_other[ ,]' "$mount_line"
expect_match "the mount is read by the daemon's pid namespace" '^MemTotal:' "$(cat "$MOUNT/proc/meminfo")"

# A second daemon on the same mountpoint: refused, the first one keeps serving.
first_pid=$LENSFS_PID first_mount=$MOUNT first_log=$LENSFS_LOG
"${ITEST_SIGNAL_RESET[@]}" "$LENSFS" -f "$first_mount" >"$ITEST_TMP/second.out" 2>"$ITEST_TMP/second.err" &
second_pid=$!
ITEST_DAEMONS+=("$second_pid")
if wait_pid "$second_pid" 10; then
    RC=$STOP_STATUS OUT=$(cat "$ITEST_TMP/second.out") ERR=$(cat "$ITEST_TMP/second.err")
    expect_one_line_error "a second daemon on a busy mountpoint" 'busy'
else
    fail "a second daemon on a busy mountpoint is still running after 10 s"
fi
expect_eq "the first daemon still serves" yes \
    "$(alive "$first_pid" && grep -q '^MemTotal' "$first_mount/proc/meminfo" && echo yes || echo no)"
expect_eq "the mountpoint is mounted once" 1 \
    "$(awk -v m="$first_mount" '$2 == m' /proc/self/mounts | wc -l)"

# SIGTERM: unmounted, exit status 0.
stop_lensfs "$first_pid"
expect_eq "SIGTERM: the daemon exits with status 0" 0 "$STOP_STATUS" "$(cat "$first_log")"
expect_eq "SIGTERM: the mountpoint is unmounted" no "$(is_mounted "$first_mount" && echo yes || echo no)"

# SIGINT (Ctrl-C in the foreground): the same.
start_lensfs
stop_pid "$LENSFS_PID" INT
expect_eq "SIGINT: the daemon exits with status 0" 0 "$STOP_STATUS" "$(cat "$LENSFS_LOG")"
expect_eq "SIGINT: the mountpoint is unmounted" no "$(is_mounted "$MOUNT" && echo yes || echo no)"

# A keeper that is killed takes its server along (the server notices its parent is gone and
# drains), and the mount goes stale: stat(2) still answers from cached attributes, statfs(2)
# gets ENOTCONN. The next start on the same path detaches the stale mount (logged) and serves.
start_lensfs
stale=$MOUNT
stop_pid "$LENSFS_PID" KILL
for ((i = 0; i < 100; i++)); do
    stat -f "$stale" >/dev/null 2>&1 || break
    sleep 0.05
done
expect_eq "a killed keeper leaves a stale mount" stale \
    "$(stat -f "$stale" >/dev/null 2>&1 && echo live || echo stale)"
START_MOUNT=$stale start_lensfs
expect_match "the next start detaches the stale mount" 'detached the stale mount' \
    "$(cat "$LENSFS_LOG")"
expect_match "and serves on the same path" '^MemTotal:' "$(cat "$stale/proc/meminfo")"
expect_eq "one lensfs mount at the path" 1 "$(awk -v m="$stale" '$2 == m' /proc/self/mounts | wc -l)"

itest_finish
