#!/bin/sh
# unmount-stale MOUNTPOINT: detaches lensfs mounts at MOUNTPOINT whose daemon is gone.
#
# A lensfs daemon that dies without unmounting (crash, SIGKILL, a stop timeout) leaves its
# mount behind: every access to it fails with ENOTCONN, and a new daemon refuses to mount
# over it. Only a lensfs mount that no longer answers statfs(2) is detached; a live mount
# (another lensfs, LXCFS, anything else) is left alone. Exit status 0 when nothing stale is
# left, 1 when a stale mount could not be detached, 2 on a usage error.
set -u

if [ $# -ne 1 ] || [ "${1#/}" = "$1" ]; then
    echo "usage: unmount-stale MOUNTPOINT (an absolute path)" >&2
    exit 2
fi
mountpoint=$1

# The topmost mount at MOUNTPOINT is the last line for it in the mount table.
top_fstype() {
    awk -v m="$mountpoint" '$2 == m { t = $3 } END { print t }' /proc/self/mounts
}

# statfs(2) of a live connection that has no server at the moment (a keeper restarting under
# systemd) waits for one: give it 2 s, and count a wait as alive.
stale() {
    timeout -s KILL 2 stat -f "$mountpoint" >/dev/null 2>&1
    rc=$?
    [ "$rc" -ne 0 ] && [ "$rc" -ne 137 ]
}

# Stacked stale mounts (a daemon restarted over a dead one by hand) come off one per round.
rounds=0
while [ "$(top_fstype)" = fuse.lensfs ] && stale; do
    if [ $rounds -ge 8 ] || ! umount -l "$mountpoint"; then
        echo "unmount-stale: cannot detach the stale lensfs mount at $mountpoint" >&2
        exit 1
    fi
    echo "unmount-stale: detached a stale lensfs mount at $mountpoint" >&2
    rounds=$((rounds + 1))
done
exit 0
