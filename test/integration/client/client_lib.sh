# Shared by the client tests: the integration helpers (lib.sh: checks, temp dir, cleanup of
# daemons, mounts and cgroups) plus what the hook library tests need.
#
# Environment, set by meson: HOOK_LIB (liblensfs-hook.so in the build tree), HOOK_INCLUDE
# (the include/ directory), CLIENT_TEST_SRC (this directory), LENSCTL, OCI_HOOK, and lib.sh's
# LENSFS, READPAT, TEST_DATA_DIR. CC and CXX name the compilers (default cc and c++).

. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

require_env() {
    local name
    for name in "$@"; do
        [[ -n ${!name-} && -e ${!name} ]] || die "$name must name an existing file (got '${!name-}')"
    done
}

# compile_consumer OUT: the C11 consumer, built exactly as a strict C user would build it.
compile_consumer() {
    local libdir
    libdir=$(dirname "$HOOK_LIB")
    "${CC:-cc}" -std=c11 -pedantic -Werror -Wall -Wextra -I"$HOOK_INCLUDE" \
        "$CLIENT_TEST_SRC/hook_consumer.c" -o "$1" \
        -L"$libdir" -llensfs-hook -Wl,-rpath,"$libdir"
}

# daemon_supports_socket: the daemon has the control socket (--socket in its --help).
daemon_supports_socket() { [[ $("$LENSFS" --help 2>&1) == *--socket* ]]; } # no pipe: grep -q would end it early (SIGPIPE under pipefail)

# start_lensfs_with_socket: a daemon on a temp mount with its control socket and state in
# the test's temp dir. Sets SOCK and STATE_DIR besides start_lensfs's MOUNT, LENSFS_PID.
start_lensfs_with_socket() {
    itest_tmp
    SOCK=$ITEST_TMP/lensfs.sock
    STATE_DIR=$ITEST_TMP/state
    mkdir -p "$STATE_DIR"
    start_lensfs --socket "$SOCK" --state-dir "$STATE_DIR" "$@"
    local i
    for ((i = 0; i < 100; i++)); do
        [[ -S $SOCK ]] && return 0
        sleep 0.05
    done
    die "lensfs did not create its control socket $SOCK"
}
