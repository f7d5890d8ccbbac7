#!/bin/bash
# The C ABI of liblensfs-hook, no daemon needed: a consumer written in C11 compiles against
# lensfs/hook.h with -std=c11 -pedantic -Werror -Wall -Wextra and links; the header compiles
# as C++ with every function noexcept; bad arguments are refused before any connection; a
# daemon that is down gives -ENOENT (no socket) or -ECONNREFUSED (a stale socket); NULL as
# the socket path means $LENSFS_SOCKET.
. "$(dirname "$0")/client_lib.sh"
require_env HOOK_LIB HOOK_INCLUDE CLIENT_TEST_SRC
itest_tmp

consumer=$ITEST_TMP/hook_consumer
out=$(compile_consumer "$consumer" 2>&1)
expect_eq "the C11 consumer compiles with -pedantic -Werror" 0 $? "$out"
[[ -x $consumer ]] || itest_finish

libdir=$(dirname "$HOOK_LIB")
out=$("${CXX:-c++}" -std=c++20 -pedantic -Werror -Wall -Wextra -I"$HOOK_INCLUDE" \
    "$CLIENT_TEST_SRC/hook_cxx.cpp" -o "$ITEST_TMP/hook_cxx" \
    -L"$libdir" -llensfs-hook -Wl,-rpath,"$libdir" 2>&1) && out+=$("$ITEST_TMP/hook_cxx" 2>&1)
expect_eq "the header compiles as C++ and its functions are noexcept" 0 $? "$out"

out=$("$consumer" args 2>&1)
expect_eq "bad arguments are refused before connecting" 0 $? "$out"
note "$(tail -n 1 <<<"$out")"

out=$("$consumer" down "$ITEST_TMP/missing/lensfs.sock" ENOENT 2>&1)
expect_eq "no socket: -ENOENT" 0 $? "$out"

# A socket file nobody listens on, as a crashed daemon leaves behind.
stale=$ITEST_TMP/stale.sock
python3 -c 'import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' "$stale" ||
    die "cannot create a stale socket"
out=$("$consumer" down "$stale" ECONNREFUSED 2>&1)
expect_eq "a stale socket: -ECONNREFUSED" 0 $? "$out"

out=$(LENSFS_SOCKET=$ITEST_TMP/lensfs-c-abi-env.sock "$consumer" env ENOENT 2>&1)
expect_eq "NULL socket_path means \$LENSFS_SOCKET" 0 $? "$out"

itest_finish
