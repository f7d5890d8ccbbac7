#!/bin/bash
# liblensfs-hook.so exports exactly its documented lensfs_* functions, under the version
# node LENSFS_HOOK_0, with soname liblensfs-hook.so.0; it has no global constructors and
# imports nothing that prints or exits.
. "$(dirname "$0")/client_lib.sh"
require_env HOOK_LIB
command -v nm >/dev/null && command -v readelf >/dev/null || skip "nm and readelf (binutils) are needed"

exported=$(nm -D --defined-only "$HOOK_LIB" | awk '$2 != "A" { print $3 }' | sort | tr '\n' ' ')
expect_eq "exported symbols" \
    "lensfs_last_error@@LENSFS_HOOK_0 lensfs_ping@@LENSFS_HOOK_0 lensfs_register@@LENSFS_HOOK_0 lensfs_unregister@@LENSFS_HOOK_0 " \
    "$exported"

soname=$(readelf -d "$HOOK_LIB" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
expect_eq "soname" "liblensfs-hook.so.0" "$soname"

# Static initialisers show up as _GLOBAL__sub_I_* functions, per-thread ones as _ZTH*.
ctors=$(nm "$HOOK_LIB" | awk '$3 ~ /^(_GLOBAL__sub_I|_ZTH)/ { print $3 }')
expect_eq "no global or thread-local constructors" "" "$ctors"

imports=$(nm -D --undefined-only "$HOOK_LIB" | awk '{ print $2 }' | sed 's/@.*//' |
    grep -Ex 'abort|exit|_exit|_Exit|printf|fprintf|vfprintf|puts|fputs|fwrite|perror|write|syslog|vsyslog|_ZSt9terminatev|raise|signal|sigaction' |
    tr '\n' ' ')
expect_eq "no import that prints, exits or touches signals" "" "$imports"

itest_finish
