#!/bin/bash
# The clients against a daemon that misbehaves (fake_daemon.py): no answer, garbage, a
# closed connection, an answer to another request, error responses. The hook library gets
# the documented errno, within its timeout; lensctl and lensfs-oci-hook report one clear line.
. "$(dirname "$0")/client_lib.sh"
require_env HOOK_LIB HOOK_INCLUDE CLIENT_TEST_SRC LENSCTL OCI_HOOK
command -v python3 >/dev/null || skip "python3 is missing"
itest_tmp

consumer=$ITEST_TMP/hook_consumer
compile_consumer "$consumer" || die "the C11 consumer does not compile"

# fake MODE: starts a fake daemon; sets FAKE (its socket).
fake() {
    FAKE=$ITEST_TMP/fake-$1.sock
    python3 "$CLIENT_TEST_SRC/fake_daemon.py" "$FAKE" "$1" >"$ITEST_TMP/fake-$1.out" 2>&1 &
    ITEST_PIDS+=("$!")
    local i
    for ((i = 0; i < 100; i++)); do
        grep -q ready "$ITEST_TMP/fake-$1.out" 2>/dev/null && return 0
        sleep 0.05
    done
    die "fake daemon ($1) did not start"
}

# expect_errno WHAT MODE ERRNO: the consumer's ping gets -ERRNO from a fake in MODE.
expect_errno() {
    fake "$2"
    local out
    out=$("$consumer" expect "$FAKE" "$3" 2>&1)
    expect_eq "$1" 0 $? "$out"
}

expect_errno "a daemon that answers ok: 0" ok OK
expect_errno "garbage instead of a response: -EPROTO" garbage EPROTO
expect_errno "an answer to another request: -EPROTO" wrong-seq EPROTO
expect_errno "a connection closed without an answer: -ECONNRESET" close ECONNRESET
expect_errno "half a response, then close: -ECONNRESET" partial ECONNRESET
expect_errno "a not_found error: -ESRCH" not-found ESRCH
expect_errno "busy, without a seq: -EAGAIN" busy EAGAIN

fake silent
start=$(date +%s%N)
out=$("$consumer" expect "$FAKE" ETIMEDOUT 300 2>&1)
expect_eq "no answer: -ETIMEDOUT" 0 $? "$out"
ms=$((($(date +%s%N) - start) / 1000000))
expect_between "after about the 300 ms timeout" 250 "$ms" 2000

out=$("$LENSCTL" --socket "$FAKE" --timeout 300 list 2>&1)
expect_eq "lensctl: no answer exits 3" 3 $? "$out"
expect_match "and says the daemon did not answer" "^lensctl: lensfs at $FAKE did not answer: .*timed out" "$out"

fake not-found
out=$("$LENSCTL" --socket "$FAKE" get x 2>&1)
expect_eq "lensctl: an error response exits 1" 1 $? "$out"
expect_eq "with the daemon's message" "lensctl: no container with id 'x'" "$out"

fake garbage
out=$("$OCI_HOOK" --socket "$FAKE" createRuntime <<<'{"id":"c1","pid":1}' 2>&1)
expect_eq "oci hook: a garbage answer still exits 0" 0 $? "$out"
expect_match "with one line naming the problem" \
    "^lensfs-oci-hook: createRuntime: cannot register container 'c1': .*malformed response" "$out"

# --- hostile states on stdin (no daemon needed: the hook refuses them first) ---
t0=$(date +%s)
out=$("$OCI_HOOK" --socket "$FAKE" --timeout 500 --strict createRuntime \
    < <(echo "$BASHPID" >"$ITEST_TMP/writer.pid"; exec sleep 30) 2>&1)
rc=$?
kill "$(cat "$ITEST_TMP/writer.pid")" 2>/dev/null
expect_eq "oci hook: a state on stdin that never ends fails (--strict)" 1 "$rc" "$out"
expect_match "... after --timeout, saying so" \
    "^lensfs-oci-hook: createRuntime: the state on stdin did not end within 500 ms" "$out"
expect_cmp "... without waiting for the writer (s)" $(($(date +%s) - t0)) "<" 10 "$out"
out=$("$OCI_HOOK" --socket "$FAKE" --strict createRuntime <<<'{"id":"victim\u0000evil","pid":1}' 2>&1)
expect_eq "oci hook: an id with a NUL is refused" 1 $? "$out"
expect_match "... as a bad state, never cut at the NUL" \
    "^lensfs-oci-hook: createRuntime: bad container state on stdin: the container state's 'id' is not valid" \
    "$out"
out=$("$OCI_HOOK" --socket "$FAKE" --strict createRuntime <<<'{"id":"a","pid":1e999}' 2>&1)
expect_eq "oci hook: a number out of range is refused" 1 $? "$out"
expect_match "... as bad input, not an internal error" \
    "^lensfs-oci-hook: createRuntime: bad container state on stdin: the container state is not valid JSON" \
    "$out"

itest_finish
