#!/bin/bash
# The node-side scripts of deploy/, run for real:
#   - deploy/unmount-stale.sh (the systemd unit's ExecStopPost, the DaemonSet's restarts)
#     detaches a dead daemon's mount and leaves live mounts alone;
#   - deploy/kubernetes/lensfs-node.sh (the DaemonSet's entry point) restarts a killed
#     daemon in place, over a detached stale mount, and stops it cleanly on SIGTERM;
#   - deploy/kubernetes/bundle-hook.sh makes a program that runs in a root holding nothing but
#     the bundle and a static shell (a node with none of our libraries); the OCI hook and its
#     hooks.d files too when this build has them.
. "$(dirname "$0")/../lib.sh"
require_root_and_fuse

DEPLOY=${SOURCE_ROOT:?}/deploy
# The daemons here keep their registry in the test's temp dir and serve no control socket:
# the host's /run/lensfs is left alone.
PRIVATE_STATE=(--no-socket --state-dir "$ITEST_TMP/state")
UNMOUNT_STALE=$DEPLOY/unmount-stale.sh
top_fstype() { awk -v m="$1" '$2 == m { t = $3 } END { print t }' /proc/self/mounts; }
count_mounts() { awk -v m="$1" '$2 == m { n++ } END { print n + 0 }' /proc/self/mounts; }
serves() { head -c 1 "$1/proc/meminfo" >/dev/null 2>&1; }

# wait_for SECONDS CMD...: polls CMD until it succeeds; status 1 on timeout.
wait_for() {
    local i limit=$(($1 * 20))
    shift
    for ((i = 0; i < limit; i++)); do
        "$@" && return 0
        sleep 0.05
    done
    return 1
}

test_unmount_stale() {
    local out status plain tmpfs_dir
    out=$(sh "$UNMOUNT_STALE" relative/path 2>&1)
    expect_eq "unmount-stale refuses a relative path (status 2)" 2 $?

    plain=$(mktemp -d "$ITEST_TMP/plain.XXXXXX")
    out=$(sh "$UNMOUNT_STALE" "$plain" 2>&1)
    status=$?
    expect_eq "a directory with nothing mounted: status 0, nothing said" "0:" "$status:$out"

    tmpfs_dir=$(mktemp -d "$ITEST_TMP/tmpfs.XXXXXX")
    ITEST_MOUNTS+=("$tmpfs_dir")
    mount -t tmpfs -o size=1m lensfs-test "$tmpfs_dir" || die "cannot mount a tmpfs"
    sh "$UNMOUNT_STALE" "$tmpfs_dir"
    expect_eq "a live mount of another filesystem is left alone" "0 tmpfs" \
        "$? $(top_fstype "$tmpfs_dir")"
    umount "$tmpfs_dir"

    start_lensfs "${PRIVATE_STATE[@]}"
    sh "$UNMOUNT_STALE" "$MOUNT"
    expect_eq "a live lensfs mount: status 0" 0 $?
    serves "$MOUNT"
    expect_eq "and it still serves" 0 $?

    stop_pid "$LENSFS_PID" KILL
    ! stat -f "$MOUNT" >/dev/null 2>&1
    expect_eq "a SIGKILLed daemon leaves a mount that fails statfs" 0 $?
    out=$(sh "$UNMOUNT_STALE" "$MOUNT" 2>&1)
    expect_eq "unmount-stale detaches it: status 0" 0 $?
    expect_match "and says so" "detached a stale lensfs mount at $MOUNT" "$out"
    expect_eq "nothing is mounted there any more" 0 "$(count_mounts "$MOUNT")"
    stat "$MOUNT" >/dev/null
    expect_eq "the mount point is usable again" 0 $?
}

# lensfs-node.sh's log says "lensfs started (pid N)" each time it starts the daemon.
started_pids() { sed -nE 's/.*lensfs started \(pid ([0-9]+)\).*/\1/p' "$1"; }
started_twice() { [[ $(started_pids "$1" | wc -l) -ge 2 ]] && serves "$2"; }

test_supervisor() {
    local mnt log node first second
    mnt=$ITEST_TMP/node-mnt
    log=$ITEST_TMP/lensfs-node.log
    ITEST_MOUNTS+=("$mnt")
    ITEST_LOGS+=("$log")
    LENSFS_MOUNT=$mnt LENSFS_UNMOUNT_STALE=$UNMOUNT_STALE \
        sh "$DEPLOY/kubernetes/lensfs-node.sh" --threads 2 "${PRIVATE_STATE[@]}" >"$log" 2>&1 &
    node=$!
    ITEST_PIDS+=("$node")
    wait_for 10 serves "$mnt"
    expect_eq "lensfs-node starts lensfs on the mount point" 0 $?
    first=$(started_pids "$log" | head -n 1)
    expect_match "and names the daemon's pid" '^[0-9]+$' "$first"
    [[ -n $first ]] || return

    kill -KILL "$first"
    wait_for 15 started_twice "$log" "$mnt"
    expect_eq "after a SIGKILL of lensfs, a new one serves again" 0 $?
    expect_match "the death is logged with its status" "lensfs exited with status 137" \
        "$(cat "$log")"
    expect_match "the stale mount was detached first" "detached a stale lensfs mount" \
        "$(cat "$log")"
    expect_eq "exactly one mount at the mount point (none stacked)" 1 "$(count_mounts "$mnt")"
    second=$(started_pids "$log" | tail -n 1)
    [[ -n $second && $second != "$first" ]] && alive "$second"
    expect_eq "the daemon serving now is another process ($first, then ${second:-none})" 0 $?

    kill -TERM "$node"
    wait_pid "$node" 10
    expect_eq "SIGTERM stops lensfs-node within 10 s with status 0" 0 "$STOP_STATUS"
    expect_eq "and the daemon has unmounted" 0 "$(count_mounts "$mnt")"
    ! alive "${second:-0}"
    expect_eq "and the daemon is gone" 0 $?
}

# make_node_root DIR: a root holding only a static busybox as /bin/sh.
make_node_root() {
    mkdir -p "$1/bin" "$1/opt"
    cp "$BUSYBOX" "$1/bin/sh"
}

test_bundle_daemon() {
    local root=$ITEST_TMP/node-root out
    sh "$DEPLOY/kubernetes/bundle-hook.sh" "$LENSFS" /opt/lensfs "$root/opt/lensfs" >/dev/null
    expect_eq "bundle-hook.sh bundles lensfs" 0 $?
    make_node_root "$root"
    [[ ! -e $root/lib && ! -e $root/usr ]]
    expect_eq "the node root has no libraries of its own" 0 $?
    out=$(chroot "$root" /opt/lensfs/bin/lensfs --version 2>&1)
    expect_eq "the bundled lensfs runs there" "lensfs ${LENSFS_VERSION:?}" "$out"
}

test_bundle_hook() {
    local root=$ITEST_TMP/hook-root out json jsons=() bad
    if [[ -z ${LENSFS_OCI_HOOK-} ]]; then
        note "this build has no lensfs-oci-hook: its bundle is not checked"
        return
    fi
    for json in "${BUILD_ROOT:?}"/src/oci-hook/*.json; do
        [[ -f $json ]] && jsons+=("$json")
    done
    sh "$DEPLOY/kubernetes/bundle-hook.sh" "$LENSFS_OCI_HOOK" /opt/lensfs "$root/opt/lensfs" \
        "${jsons[@]}" >/dev/null
    expect_eq "bundle-hook.sh bundles lensfs-oci-hook with ${#jsons[@]} hooks.d files" 0 $?
    make_node_root "$root"
    out=$(chroot "$root" /opt/lensfs/bin/lensfs-oci-hook --version 2>&1)
    expect_eq "the bundled hook runs in a root without libraries" 0 $?
    expect_match "and reports its version" "$LENSFS_VERSION" "$out"
    for json in "${jsons[@]}"; do
        out=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["hook"]["path"])' \
            "$root/opt/lensfs/hooks.d/$(basename "$json")" 2>&1)
        expect_eq "$(basename "$json") names the bundled hook" /opt/lensfs/bin/lensfs-oci-hook \
            "$out"
    done
    bad=$ITEST_TMP/no-path.json
    echo '{"version": "1.0.0", "hook": {}}' >"$bad"
    sh "$DEPLOY/kubernetes/bundle-hook.sh" "$LENSFS_OCI_HOOK" /opt/lensfs "$ITEST_TMP/bad" \
        "$bad" >/dev/null 2>&1
    expect_cmp "a hooks.d file without a path is an error" $? ">" 0
}

test_unmount_stale
test_supervisor
BUSYBOX=$(command -v busybox || true)
if [[ -n $BUSYBOX && $(ldd "$BUSYBOX" 2>&1) == *"not a dynamic"* ]]; then
    test_bundle_daemon
    test_bundle_hook
else
    note "no static busybox (package busybox-static): bundles are not run in a bare root"
fi
itest_finish
