#!/bin/bash
# A runc container configured the way LXCFS's documentation configures containers: no hooks,
# only per-file bind mounts in config.json's "mounts" from the daemon's mount point over the
# container's /proc files (and /sys/devices/system/cpu/online), read-only. With a 256 MiB
# memory limit and cpuset 0 the container sees MemTotal 262144 kB and one processor.
. "$(dirname "$0")/../lib.sh"
require_root_and_fuse
command -v runc >/dev/null || skip "runc is not installed"
require_hierarchy memory cpuset
BUSYBOX=${BUSYBOX:-/bin/busybox}
[[ -x $BUSYBOX ]] && ! ldd "$BUSYBOX" >/dev/null 2>&1 || skip "needs a static busybox at $BUSYBOX (busybox-static)"

ID=lensfs-test-binds-$$
RUNC_ROOT=""

# runc's own state and the container go first, so that the daemon and the mount can go.
binds_cleanup() {
    local rc=$?
    if [[ -n $RUNC_ROOT ]] && runc --root "$RUNC_ROOT" state "$ID" >/dev/null 2>&1; then
        runc --root "$RUNC_ROOT" delete -f "$ID" >/dev/null 2>&1 ||
            echo "CLEANUP: runc delete -f $ID failed" >&2
    fi
    local dir
    for dir in "$CGROUP_FS"/*/"$ID"; do
        [[ -d $dir ]] && ITEST_CGROUPS+=("$dir")
    done
    (exit "$rc")
    itest_cleanup
}
trap binds_cleanup EXIT

# Started as an LXCFS unit starts lxcfs.
start_lensfs -l --enable-cfs -o allow_other
RUNC_ROOT=$ITEST_TMP/runc-root
BUNDLE=$ITEST_TMP/bundle
ROOTFS=$BUNDLE/rootfs
mkdir -p "$RUNC_ROOT" "$ROOTFS"/{bin,proc,sys,dev,tmp,etc} || die "mkdir failed"
cp "$BUSYBOX" "$ROOTFS/bin/busybox" && chroot "$ROOTFS" /bin/busybox --install -s /bin ||
    die "cannot populate $ROOTFS"
cat >"$ROOTFS/probe.sh" <<'PROBE'
echo "== meminfo"
cat /proc/meminfo
echo "== cpuinfo processors $(grep -c '^processor' /proc/cpuinfo)"
echo "== online $(cat /sys/devices/system/cpu/online)"
echo "== uptime $(cat /proc/uptime)"
echo "== mounts"
grep -E ' /proc/[a-z]+ ' /proc/self/mountinfo
echo "== done"
PROBE

(cd "$BUNDLE" && runc spec) || die "runc spec failed"
python3 - "$BUNDLE/config.json" "$ID" "$MOUNT" <<'PY' || die "cannot edit config.json"
import json, sys
path, cid, mount = sys.argv[1:]
with open(path) as f:
    spec = json.load(f)
spec["process"]["terminal"] = False
spec["process"]["args"] = ["/bin/sh", "/probe.sh"]
files = ["cpuinfo", "diskstats", "loadavg", "meminfo", "slabinfo", "stat", "swaps", "uptime"]
binds = [("/proc/" + f, mount + "/proc/" + f) for f in files]
binds.append(("/sys/devices/system/cpu/online", mount + "/sys/devices/system/cpu/online"))
for dest, src in binds:
    spec["mounts"].append(
        {"destination": dest, "type": "bind", "source": src, "options": ["rbind", "ro"]})
linux = spec["linux"]
linux["cgroupsPath"] = "/" + cid
linux.setdefault("resources", {})
linux["resources"]["memory"] = {"limit": 256 * 1024 * 1024}
linux["resources"]["cpu"] = {"cpus": "0", "mems": "0"}
with open(path, "w") as f:
    json.dump(spec, f, indent=2)
PY

OUT=$ITEST_TMP/container.out
timeout 60 runc --root "$RUNC_ROOT" run --bundle "$BUNDLE" "$ID" >"$OUT" 2>&1 </dev/null
rc=$?
text=$(cat "$OUT")
expect_eq "runc runs the container with the bind mounts" 0 "$rc" "$text"
expect_match "the probe finished" '^== done' "$text"
expect_match "MemTotal is the 256 MiB limit" '^MemTotal: +262144 kB$' "$text"
expect_match "cpuinfo lists one processor" '^== cpuinfo processors 1$' "$text"
expect_match "one CPU online" '^== online 0$' "$text"
up=$(awk '$1 == "==" && $2 == "uptime" { print $3 }' <<<"$text")
expect_cmp "uptime counts from the container's start" "${up:-x}" "<" 30 "$text"
for f in cpuinfo diskstats loadavg meminfo slabinfo stat swaps uptime; do
    expect_match "/proc/$f is a read-only bind of lensfs" " /proc/$f ro,.* fuse" "$text"
done
itest_finish
