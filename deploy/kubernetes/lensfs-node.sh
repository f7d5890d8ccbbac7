#!/bin/sh
# lensfs-node [LENSFS-OPTIONS...]: the entry point of the lensfs DaemonSet's container.
#
# Runs `lensfs -f` on the node's mount point and, when the daemon dies, detaches its stale
# mount and starts it again, inside this same container. Restarting here rather than letting
# the kubelet restart the container matters: a stale FUSE mount fails stat(2) with ENOTCONN,
# and a runtime that stats the hostPath volume's source before creating a container would
# refuse to create the next one, leaving the node without views until someone unmounts by
# hand. SIGTERM (pod deletion) is passed to the daemon, which unmounts and exits.
#
# Environment: LENSFS (the daemon, default /usr/sbin/lensfs), LENSFS_MOUNT (default
# /var/lib/lensfs), LENSFS_UNMOUNT_STALE (default /usr/libexec/lensfs/unmount-stale).
set -u

lensfs=${LENSFS:-/usr/sbin/lensfs}
mountpoint=${LENSFS_MOUNT:-/var/lib/lensfs}
unmount_stale=${LENSFS_UNMOUNT_STALE:-/usr/libexec/lensfs/unmount-stale}
child=0
stopping=0

log() { echo "lensfs-node: $*" >&2; }

on_signal() {
    stopping=1
    if [ "$child" -ne 0 ]; then
        kill -TERM "$child" 2>/dev/null
    fi
}
trap on_signal TERM INT

# cgroup paths in /proc/<pid>/cgroup are relative to the reader's cgroup namespace. Runtimes
# give containers a private one on cgroup v2; with hostPID, pid 1 is the node's init, whose
# namespace shows every container's full path. Where pid 1's namespace cannot be read (not
# the node's init, or no privilege to), the daemon stays in its own.
run_daemon() {
    host_ns=$(readlink /proc/1/ns/cgroup 2>/dev/null) || host_ns=""
    if [ -n "$host_ns" ] && [ "$host_ns" != "$(readlink /proc/self/ns/cgroup)" ]; then
        nsenter --cgroup=/proc/1/ns/cgroup -- "$lensfs" -f "$@" "$mountpoint" &
    else
        "$lensfs" -f "$@" "$mountpoint" &
    fi
    child=$!
}

# wait returns early when a trapped signal arrives: wait again until the daemon is gone,
# passing it the stop request (also one that came before its pid was known).
wait_daemon() {
    while :; do
        [ "$stopping" -eq 1 ] && kill -TERM "$child" 2>/dev/null
        wait "$child"
        status=$?
        kill -0 "$child" 2>/dev/null || break
    done
    child=0
}

status=0
delay=1
while [ "$stopping" -eq 0 ]; do
    "$unmount_stale" "$mountpoint" || log "a stale mount is still at $mountpoint"
    started=$(date +%s)
    run_daemon "$@"
    log "lensfs started (pid $child) on $mountpoint"
    wait_daemon
    [ "$stopping" -eq 1 ] && break
    # A daemon that served for a while restarts at once; one that keeps failing backs off.
    if [ $(($(date +%s) - started)) -ge 60 ]; then
        delay=1
    fi
    log "lensfs exited with status $status; starting it again in $delay s"
    sleep "$delay" &
    wait $! || true
    delay=$((delay * 2 > 30 ? 30 : delay * 2))
done
"$unmount_stale" "$mountpoint"
log "stopped (lensfs status $status)"
exit 0
