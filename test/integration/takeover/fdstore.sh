#!/bin/bash
# systemd keeps the mount across `systemctl restart`: this test plays the service manager
# (fake_manager.py): it gives the keeper a NOTIFY_SOCKET, takes the FUSE descriptor, the INIT
# request and the control socket into its store (FDSTORE=1), stops the keeper with SIGTERM
# (the mount stays), starts a new one with LISTEN_FDS, and finally closes its store. A reader
# keeps reading all along and never fails.
. "$(dirname "$0")/../lib.sh"
require_root_and_fuse
[[ -x ${TTREAD-} ]] || die "TTREAD must be set"
command -v python3 >/dev/null || skip "python3 is missing"

MOUNT=$(mktemp -d "$ITEST_TMP/mnt.XXXXXX")
ITEST_MOUNTS+=("$MOUNT")
STATE=$(mktemp -d "$ITEST_TMP/state.XXXXXX")
out=$(python3 "$(dirname "$0")/fake_manager.py" "$LENSFS" "$MOUNT" "$STATE" "$TTREAD" 4 2>"$ITEST_TMP/manager.err")
note "$(tr '\n' ';' <<<"$out")"
val() { awk -v k="$1" '$1 == k { $1 = ""; sub(/^ /, ""); print }' <<<"$out"; }
show="$out
$(tail -n 30 "$ITEST_TMP/manager.err")"

expect_eq "READY=1 from the first keeper" yes "$(val first-ready)" "$show"
expect_eq "with MAINPID the keeper's pid" ok "$(val first-mainpid)" "$show"
expect_eq "the keeper stores the FUSE descriptor, the INIT request, the control and seccomp sockets" \
    "control,fuse,fuse-init,seccomp-socket" "$(val stored)" "$show"
expect_eq "SIGTERM under the manager: exit status 0" 0 "$(val stop-status)" "$show"
expect_eq "the mount stays for the next start" yes "$(val mounted-after-stop)" "$show"
expect_eq "READY=1 from the keeper started with the store" yes "$(val second-ready)" "$show"
expect_eq "which stores nothing twice" none "$(val second-stored)" "$show"
reader=$(val reader)
expect_match "the reader read through the restart" 'reads=[0-9]{3,}' "$reader"
expect_match "and no read failed" ' failures=0 ' "$reader"
expect_eq "the second keeper stops with status 0" 0 "$(val second-stop-status)" "$show"
expect_eq "closing the store ends the connection" stale "$(val after-store-closed)" "$show"
itest_finish
