# Real runc containers for the integration tests; sourced after lib.sh.
#
#   require_runc
#   runc_bundle ID SCRIPT        a busybox-static root filesystem running SCRIPT with /bin/sh
#   RUNC_MEMORY=... RUNC_CPUS=0 RUNC_HOOKS="SOCK MOUNT" RUNC_BINDS="SRC:DST ..." runc_config ID
#   runc_start ID                runc run -d; output in $ITEST_TMP/ID.out
#   runc_wait_line ID ERE SECS   waits until the container's output has a matching line
#
# Every container is deleted (runc delete -f) at cleanup, before the daemons stop, and its
# cgroups (named after the id, which must start with lensfs-test-) are removed. Environment:
# OCI_HOOK (lensfs-oci-hook) when hooks are used, BUSYBOX (default /bin/busybox).

RUNC_ROOT=""
RUNC_IDS=()
BUSYBOX=${BUSYBOX:-/bin/busybox}

runc_cleanup_all() {
    local id dir
    for id in "${RUNC_IDS[@]}"; do
        if runc --root "$RUNC_ROOT" state "$id" >/dev/null 2>&1; then
            runc --root "$RUNC_ROOT" delete -f "$id" >/dev/null 2>&1 ||
                echo "CLEANUP: runc delete -f $id failed" >&2
        fi
        for dir in "$CGROUP_FS"/*/"$id"; do
            [[ -d $dir ]] && ITEST_CGROUPS+=("$dir")
        done
    done
}

require_runc() {
    command -v runc >/dev/null || skip "runc is not installed (package runc)"
    [[ -x $BUSYBOX ]] && ! ldd "$BUSYBOX" >/dev/null 2>&1 ||
        skip "needs a static busybox at $BUSYBOX (package busybox-static)"
    itest_tmp
    RUNC_ROOT=$ITEST_TMP/runc-root
    mkdir -p "$RUNC_ROOT"
    ITEST_CLEANUP_HOOKS+=(runc_cleanup_all)
}

# runc_bundle ID SCRIPT: $ITEST_TMP/ID/ with config.json (from runc spec) and a root file
# system whose /probe.sh is SCRIPT.
runc_bundle() {
    local id=$1 bundle=$ITEST_TMP/$1
    [[ $id == lensfs-test-* ]] || die "runc ids must start with lensfs-test- (got $id)"
    mkdir -p "$bundle/rootfs"/{bin,proc,sys,dev,tmp,etc} || die "mkdir failed"
    # Installed from inside the root, so that the links point at the container's busybox.
    cp "$BUSYBOX" "$bundle/rootfs/bin/busybox" &&
        chroot "$bundle/rootfs" /bin/busybox --install -s /bin || die "cannot populate $bundle"
    printf '%s\n' "$2" >"$bundle/rootfs/probe.sh"
    (cd "$bundle" && runc spec) || die "runc spec failed"
}

# runc_config ID: edits ID's config.json: /probe.sh as the process, cgroupsPath /ID,
# RUNC_MEMORY bytes, cpuset RUNC_CPUS, the OCI hook when RUNC_HOOKS="SOCK MOUNT", and
# read-only binds RUNC_BINDS="SRC:DST ...".
runc_config() {
    python3 - "$ITEST_TMP/$1/config.json" "$1" "${RUNC_MEMORY:-}" "${RUNC_CPUS:-}" \
        "${OCI_HOOK:-}" "${RUNC_HOOKS:-}" "${RUNC_BINDS:-}" <<'PY' || die "cannot edit config.json"
import json, sys
path, cid, memory, cpus, hook, hooks, binds = sys.argv[1:]
with open(path) as f:
    spec = json.load(f)
spec["process"]["terminal"] = False
spec["process"]["args"] = ["/bin/sh", "/probe.sh"]
linux = spec["linux"]
linux["cgroupsPath"] = "/" + cid
res = linux.setdefault("resources", {})
if memory:
    res["memory"] = {"limit": int(memory)}
if cpus:
    res["cpu"] = {"cpus": cpus, "mems": "0"}
if hooks:
    sock, mount = hooks.split()
    def entry(*args):
        return {"path": hook, "args": ["lensfs-oci-hook", "--strict", *args]}
    spec["hooks"] = {
        "createRuntime": [entry("--socket", sock, "createRuntime")],
        "createContainer": [entry("--mount", mount, "createContainer")],
        "poststop": [entry("--socket", sock, "poststop")],
    }
for pair in binds.split():
    src, dst = pair.split(":")
    spec["mounts"].append({"destination": dst, "type": "bind", "source": src,
                           "options": ["rbind", "ro"]})
with open(path, "w") as f:
    json.dump(spec, f, indent=2)
PY
}

# runc_start ID: starts the container detached; status of runc run.
runc_start() {
    RUNC_IDS+=("$1")
    runc --root "$RUNC_ROOT" run -d --bundle "$ITEST_TMP/$1" "$1" >"$ITEST_TMP/$1.out" 2>&1
}

# runc_wait_line ID ERE SECONDS: status 1 when no output line matched in time.
runc_wait_line() {
    local i
    for ((i = 0; i < $3 * 20; i++)); do
        grep -Eq -- "$2" "$ITEST_TMP/$1.out" && return 0
        sleep 0.05
    done
    return 1
}

# runc_kill ID: SIGKILL to the container; waits until runc reports it stopped.
runc_kill() {
    local i
    runc --root "$RUNC_ROOT" kill "$1" KILL >/dev/null 2>&1
    for ((i = 0; i < 100; i++)); do
        runc --root "$RUNC_ROOT" state "$1" 2>/dev/null | grep -q '"status": "stopped"' && return 0
        sleep 0.05
    done
}
