#!/bin/bash
# The last line of defence of one integration test: started by lib.sh in a session of its own,
# it waits until the test's shell is gone and removes whatever that test left behind — its
# mounts (below its temp dir), its cgroups (named lensfs-test-*-<test pid>) and its temp dir.
# The test's own EXIT trap normally leaves nothing to do; this covers a test that was killed
# with SIGKILL (meson does that to a test's whole process group 0.5 s after a timeout's
# SIGTERM) or whose trap was cut short.
#
#   janitor.sh TEST_PID TEST_STARTTIME TEST_TMPDIR CGROUP_FS
set -u
pid=$1 start=$2 tmp=$3 cgfs=$4

starttime() { sed -E 's/.*\) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f20; }

while [[ $(starttime "$pid") == "$start" ]]; do
    sleep 0.2
done

# Mounts below the test's temp dir, innermost first.
awk -v t="$tmp/" 'index($2, t) == 1 { print $2 }' /proc/self/mounts | sort -r |
    while read -r mnt; do
        fusermount3 -u "$mnt" 2>/dev/null || umount -l "$mnt"
    done

# The test's cgroups, deepest first. Their members can only be processes the test started.
for top in "$cgfs"/*/lensfs-test-*-"$pid"; do
    [[ -d $top ]] || continue
    find "$top" -depth -type d | while read -r dir; do
        for ((i = 0; i < 50; i++)); do
            rmdir "$dir" 2>/dev/null && break
            while read -r member; do
                [[ -n $member ]] && kill -KILL "$member" 2>/dev/null
            done <"$dir/cgroup.procs"
            sleep 0.1
        done
    done
done

if [[ -d $tmp ]] && ! awk -v t="$tmp/" 'index($2, t) == 1 { exit 1 }' /proc/self/mounts; then
    exit 1 # something is still mounted there: never recurse into it
fi
rm -rf --one-file-system "$tmp"
