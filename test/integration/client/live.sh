#!/bin/bash
# The clients against a running daemon: the C11 consumer registers and unregisters (also
# from 8 threads at once); lensctl lists, gets, registers, unregisters, reports status and
# shows a container's files exactly as a process inside it reads them through the mount;
# lensfs-oci-hook registers from a runtime state and unregisters at poststop.
. "$(dirname "$0")/client_lib.sh"
require_root_and_fuse
require_env HOOK_LIB HOOK_INCLUDE CLIENT_TEST_SRC LENSCTL OCI_HOOK
daemon_supports_socket || skip "this lensfs has no control socket (--socket)"
require_hierarchy memory cpuset

make_cgroup live
cg_write memory live memory.limit_in_bytes $((256 << 20))
CG=/$(cg_rel live)
run_in_cgroup_bg live sleep 600
# BG_PID is the subshell that waits for the sleeper; the sleeper is the cgroup's member.
SLEEPER=""
for ((i = 0; i < 100; i++)); do
    SLEEPER=$(head -n 1 "$(cg_dir memory live)/cgroup.procs")
    [[ -n $SLEEPER ]] && break
    sleep 0.05
done
[[ -n $SLEEPER ]] || die "the sleeper did not join cgroup live"
start_lensfs_with_socket
ctl() { "$LENSCTL" --socket "$SOCK" "$@"; }

consumer=$ITEST_TMP/hook_consumer
compile_consumer "$consumer" || die "the C11 consumer does not compile"

# --- the C ABI ---------------------------------------------------------------------------
out=$("$consumer" live "$SOCK" "$CG" "$SLEEPER" 2>&1)
expect_eq "the C11 consumer's live checks" 0 $? "$out"
note "$(tail -n 1 <<<"$out")"

# --- lensctl -----------------------------------------------------------------------------
text=$(ctl status)
expect_match "status names the version and the processes" \
    "^lensfs 0\\.1\\.0, keeper pid $LENSFS_PID, server [0-9]+ pid [0-9]+\$" "$text"
text=$(ctl list)
expect_match "the pid registered through the C ABI is listed" "^c-abi-pid +$SLEEPER .* $CG\$" "$text"
expect_no_match "the threads' ids are all gone" '^c-abi-thread-' "$text"
text=$(ctl --json get c-abi-pid)
expect_match "get --json has the cgroup the daemon read from /proc/PID/cgroup" "\"cgroup\": \"$CG\"" "$text"
expect_eq "unregister" 0 "$(ctl unregister c-abi-pid >/dev/null 2>&1; echo $?)"
err=$(ctl unregister c-abi-pid 2>&1)
expect_eq "unregistering an unknown id exits 1" 1 $?
expect_match "and says so" "^lensctl: .*c-abi-pid" "$err"
text=$(ctl --json get c-abi-pid 2>/dev/null)
expect_match "--json errors carry the protocol's code" '"code": "not_found"' "$text"

# A container that started 100 s ago, registered by cgroup with a wall-clock start time.
start=$(awk -v now="$(date +%s.%N)" 'BEGIN { printf "%.3f", now - 100 }')
out=$(ctl register lctl-live --cgroup "$CG" --start-time "@$start" --annotation team=storage)
expect_match "register prints the stored entry" '^annotation: +team=storage$' "$out"
reads_of() { ctl --json status | python3 -c 'import json,sys; print(json.load(sys.stdin)["reads"]["proc/uptime"])'; }
before=$(reads_of)
up_show=$(ctl show --id lctl-live proc/uptime | awk '{ print $1 }')
expect_eq "show --id reads the container's own tree in the daemon's mount" \
    "$((before + 1))" "$(reads_of)"
up_read=$(read_in_cgroup live "$MOUNT/proc/uptime" | awk '{ print $1 }')
expect_between "show --id: uptime of a container started 100 s ago" 99 "${up_show:-x}" 115
expect_between "and a reader in the container sees the same" 99 "${up_read:-x}" 115

shown=$(ctl show --pid "$SLEEPER" proc/meminfo)
read=$(read_in_cgroup live "$MOUNT/proc/meminfo")
expect_eq "show --pid gives the MemTotal a reader in the container gets" \
    "$(meminfo_kb MemTotal "$read")" "$(meminfo_kb MemTotal "$shown")" "$shown"
expect_match "which is the limit" '^MemTotal: +262144 kB$' "$shown"
text=$(ctl --json show --pid "$SLEEPER" proc/uptime)
expect_match "show --json says the container came from the registry" '"source": "registry"' "$text"
expect_match "and names it" '"id": "lctl-live"' "$text"
expect_eq "unregister lctl-live" 0 "$(ctl unregister lctl-live >/dev/null 2>&1; echo $?)"

"$LENSCTL" --socket "$ITEST_TMP/none.sock" list >/dev/null 2>"$ITEST_TMP/err"
expect_eq "an unreachable daemon exits 3" 3 $?
expect_match "with a hint" "cannot reach lensfs at $ITEST_TMP/none.sock: .*is the daemon running" \
    "$(cat "$ITEST_TMP/err")"

# --- lensfs-oci-hook ---------------------------------------------------------------------
state="{\"ociVersion\":\"1.0.2\",\"id\":\"oci-live\",\"status\":\"created\",\"pid\":$SLEEPER,\
\"bundle\":\"$ITEST_TMP\",\"annotations\":{\"io.example\":\"x\"}}"
out=$("$OCI_HOOK" --socket "$SOCK" createRuntime <<<"$state" 2>&1)
expect_eq "createRuntime registers quietly" "0:" "$?:$out"
text=$(ctl get oci-live)
expect_match "with the init's cgroup" "^cgroup: +$CG\$" "$text"
expect_match "and pid" "^pid: +$SLEEPER\$" "$text"
expect_match "and the state's annotations" '^annotation: +io.example=x$' "$text"
expect_eq "poststop unregisters" 0 "$("$OCI_HOOK" --socket "$SOCK" poststop <<<"$state" >/dev/null 2>&1; echo $?)"
expect_no_match "the entry is gone" '^oci-live ' "$(ctl list)"
out=$("$OCI_HOOK" --socket "$SOCK" --strict poststop <<<"$state" 2>&1)
expect_eq "poststop of an unknown container is fine, even with --strict" "0:" "$?:$out"
out=$("$OCI_HOOK" --socket "$ITEST_TMP/none.sock" createRuntime <<<"$state" 2>&1)
expect_eq "daemon down: the hook still exits 0" 0 $?
expect_match "with one line on stderr" '^lensfs-oci-hook: createRuntime: .*is the daemon running' "$out"
expect_eq "one line only" 1 "$(wc -l <<<"$out")"
"$OCI_HOOK" --socket "$ITEST_TMP/none.sock" --strict createRuntime <<<"$state" >/dev/null 2>&1
expect_eq "daemon down with --strict: exit 1" 1 $?
"$OCI_HOOK" --socket "$SOCK" --strict createRuntime <<<'{"id": oops' >/dev/null 2>&1
expect_eq "malformed state with --strict: exit 1" 1 $?

itest_finish
