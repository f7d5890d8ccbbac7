#!/bin/bash
# `meson install` installs the header, the library and lensfs-hook.pc, and a C11 consumer
# builds against the installed copy through pkg-config alone.
. "$(dirname "$0")/client_lib.sh"
require_env CLIENT_TEST_SRC
[[ -d ${BUILD_ROOT-} ]] || die "BUILD_ROOT must name the build directory"
command -v pkg-config >/dev/null || skip "pkg-config is missing"
MESON=${MESON:-meson}
itest_tmp

dest=$ITEST_TMP/dest
out=$("$MESON" install -C "$BUILD_ROOT" --destdir "$dest" --no-rebuild --quiet 2>&1)
expect_eq "meson install into a staging directory" 0 $? "$out"

pc=$(find "$dest" -name lensfs-hook.pc | head -n 1)
header=$(find "$dest" -path '*/include/lensfs/hook.h' | head -n 1)
lib=$(find "$dest" -name 'liblensfs-hook.so.0' | head -n 1)
expect_match "lensfs-hook.pc is installed" 'lensfs-hook\.pc$' "$pc"
expect_match "lensfs/hook.h is installed" 'include/lensfs/hook\.h$' "$header"
expect_match "liblensfs-hook.so.0 is installed" 'liblensfs-hook\.so\.0$' "$lib"
[[ -n $pc && -n $lib ]] || itest_finish

export PKG_CONFIG_PATH=$(dirname "$pc") PKG_CONFIG_SYSROOT_DIR=$dest
flags=$(pkg-config --cflags --libs lensfs-hook 2>&1)
expect_match "pkg-config knows lensfs-hook" '-llensfs-hook' "$flags"
expect_eq "pkg-config version" "0.1.0" "$(pkg-config --modversion lensfs-hook 2>&1)"

# shellcheck disable=SC2086 # flags are words
out=$("${CC:-cc}" -std=c11 -pedantic -Werror -Wall -Wextra "$CLIENT_TEST_SRC/hook_consumer.c" \
    -o "$ITEST_TMP/consumer" $flags 2>&1)
expect_eq "a C11 consumer builds with pkg-config's flags" 0 $? "$out"
out=$(LD_LIBRARY_PATH=$(dirname "$lib") "$ITEST_TMP/consumer" down "$ITEST_TMP/none.sock" ENOENT 2>&1)
expect_eq "and runs against the installed library" 0 $? "$out"
resolved=$(LD_LIBRARY_PATH=$(dirname "$lib") ldd "$ITEST_TMP/consumer" | awk '/liblensfs-hook/ { print $3 }')
expect_eq "the installed library is the one loaded" "$(realpath "$lib")" "$(realpath "$resolved")"

itest_finish
