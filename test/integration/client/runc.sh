#!/bin/bash
# End to end with a real runc container: a busybox-static root filesystem, a 256 MiB memory
# limit and cpuset 0, and lensfs-oci-hook (with --strict, so that any hook failure fails the
# container) at createRuntime, createContainer and poststop. Inside the container
# /proc/meminfo shows MemTotal 262144 kB, cpuinfo one processor, uptime under 1 s at start
# and about 3 s more after `sleep 3`; `lensctl list` shows the container while it runs and
# not after `runc delete`.
. "$(dirname "$0")/client_lib.sh"
require_root_and_fuse
require_env LENSCTL OCI_HOOK
command -v runc >/dev/null || skip "runc is not installed"
daemon_supports_socket || skip "this lensfs has no control socket (--socket)"
require_hierarchy memory cpuset
BUSYBOX=${BUSYBOX:-/bin/busybox}
[[ -x $BUSYBOX ]] && ! ldd "$BUSYBOX" >/dev/null 2>&1 || skip "needs a static busybox at $BUSYBOX (busybox-static)"

ID=lensfs-test-runc-$$
RUNC_ROOT=""

# runc's own state and the container go first, so that the daemon and the mount can go.
runc_cleanup() {
    [[ -n $RUNC_ROOT ]] || return 0
    if runc --root "$RUNC_ROOT" state "$ID" >/dev/null 2>&1; then
        runc --root "$RUNC_ROOT" delete -f "$ID" >/dev/null 2>&1 ||
            echo "CLEANUP: runc delete -f $ID failed" >&2
    fi
    local dir
    for dir in "$CGROUP_FS"/*/"$ID"; do
        [[ -d $dir ]] && ITEST_CGROUPS+=("$dir")
    done
}
runc_test_cleanup() {
    local rc=$?
    runc_cleanup
    (exit "$rc")
    itest_cleanup
}
trap runc_test_cleanup EXIT

start_lensfs_with_socket
RUNC_ROOT=$ITEST_TMP/runc-root
BUNDLE=$ITEST_TMP/bundle
ROOTFS=$BUNDLE/rootfs
mkdir -p "$RUNC_ROOT" "$ROOTFS"/{bin,proc,sys,dev,tmp,etc} || die "mkdir failed"
# Installed from inside the root, so that the links point at /bin/busybox of the container.
cp "$BUSYBOX" "$ROOTFS/bin/busybox" && chroot "$ROOTFS" /bin/busybox --install -s /bin ||
    die "cannot populate $ROOTFS"

# The probe reports, waits 3 s, reports again, then idles until the test deletes it.
cat >"$ROOTFS/probe.sh" <<'PROBE'
echo "uptime0 $(cat /proc/uptime)"
echo "== meminfo"
cat /proc/meminfo
echo "== cpuinfo processors $(grep -c '^processor' /proc/cpuinfo)"
echo "== online $(cat /sys/devices/system/cpu/online)"
echo "== nproc $(nproc)"
echo "== mounts"
grep -E ' /proc/(meminfo|uptime) ' /proc/self/mountinfo
sleep 3
echo "uptime3 $(cat /proc/uptime)"
echo "== done"
exec sleep 600
PROBE

(cd "$BUNDLE" && runc spec) || die "runc spec failed"
python3 - "$BUNDLE/config.json" "$ID" "$OCI_HOOK" "$SOCK" "$MOUNT" <<'PY' || die "cannot edit config.json"
import json, sys
path, cid, hook, sock, mount = sys.argv[1:]
with open(path) as f:
    spec = json.load(f)
spec["process"]["terminal"] = False
spec["process"]["args"] = ["/bin/sh", "/probe.sh"]
linux = spec["linux"]
linux["cgroupsPath"] = "/" + cid
linux.setdefault("resources", {})
linux["resources"]["memory"] = {"limit": 256 * 1024 * 1024}
linux["resources"]["cpu"] = {"cpus": "0", "mems": "0"}
def hook_entry(*args):
    return {"path": hook, "args": ["lensfs-oci-hook", "--strict", *args]}
spec["hooks"] = {
    "createRuntime": [hook_entry("--socket", sock, "createRuntime")],
    "createContainer": [hook_entry("--mount", mount, "createContainer")],
    "poststop": [hook_entry("--socket", sock, "poststop")],
}
with open(path, "w") as f:
    json.dump(spec, f, indent=2)
PY

OUT=$ITEST_TMP/container.out
runc --root "$RUNC_ROOT" run -d --bundle "$BUNDLE" "$ID" >"$OUT" 2>&1
rc=$?
expect_eq "runc run -d starts the container with the hooks" 0 "$rc" "$(cat "$OUT")"
[[ $rc -eq 0 ]] || itest_finish

for ((i = 0; i < 200; i++)); do
    grep -q '^== done' "$OUT" && break
    sleep 0.05
done
text=$(cat "$OUT")
expect_match "the probe finished" '^== done' "$text"

expect_match "MemTotal is the 256 MiB limit" '^MemTotal: +262144 kB$' "$text"
expect_match "cpuinfo lists one processor" '^== cpuinfo processors 1$' "$text"
expect_match "one CPU online" '^== online 0$' "$text"
expect_match "meminfo is a read-only bind of lensfs" ' /proc/meminfo ro,.* fuse' "$text"
expect_match "meminfo comes from the container's own tree" \
    " /containers/$ID/proc/meminfo /proc/meminfo ro," "$text"
expect_match "uptime comes from the container's own tree" \
    " /containers/$ID/proc/uptime /proc/uptime ro," "$text"
expect_match "nproc says one CPU" '^== nproc 1$' "$text"
up0=$(awk '$1 == "uptime0" { print $2 }' <<<"$text")
up3=$(awk '$1 == "uptime3" { print $2 }' <<<"$text")
expect_cmp "uptime at start is under 1 s" "${up0:-x}" "<" 1 "$text"
delta=$(awk -v a="${up0:-0}" -v b="${up3:-0}" 'BEGIN { printf "%.2f", b - a }')
expect_between "uptime grew by about 3 s over sleep 3" 2.9 "$delta" 3.6 "$text"

listed=$("$LENSCTL" --socket "$SOCK" list 2>&1)
expect_match "lensctl list shows the running container" "^$ID +[0-9]+ .* /$ID\$" "$listed"
shown=$("$LENSCTL" --socket "$SOCK" show --id "$ID" proc/meminfo 2>&1)
expect_match "lensctl show --id renders the container's meminfo" '^MemTotal: +262144 kB$' "$shown"

# The registry survives a daemon restart: same start time, so the same uptime.
before=$("$LENSCTL" --socket "$SOCK" --json get "$ID" | grep -A1 '"start_time"' | tail -n 1)
stop_lensfs
expect_eq "the daemon stops cleanly" 0 "$STOP_STATUS"
start_lensfs --socket "$SOCK" --state-dir "$STATE_DIR"
for ((i = 0; i < 100; i++)); do
    [[ -S $SOCK ]] && break
    sleep 0.05
done
after=$("$LENSCTL" --socket "$SOCK" --json get "$ID" | grep -A1 '"start_time"' | tail -n 1)
expect_match "a restarted daemon still knows the container" '"boottime": [0-9.]+' "$after"
expect_eq "with the same start time" "$before" "$after"

runc --root "$RUNC_ROOT" kill "$ID" KILL >/dev/null 2>&1
for ((i = 0; i < 100; i++)); do
    [[ $(runc --root "$RUNC_ROOT" state "$ID" 2>/dev/null | grep -o '"status": "[a-z]*"') == *stopped* ]] && break
    sleep 0.05
done
out=$(runc --root "$RUNC_ROOT" delete "$ID" 2>&1)
expect_eq "runc delete runs the poststop hook" 0 $? "$out"
listed=$("$LENSCTL" --socket "$SOCK" list 2>&1)
expect_no_match "lensctl list no longer shows the container" "^$ID " "$listed"
"$LENSCTL" --socket "$SOCK" get "$ID" >/dev/null 2>&1
expect_eq "lensctl get of the deleted container fails" 1 $?

itest_finish
