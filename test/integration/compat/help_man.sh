#!/bin/bash
# lensfs --help and lensfs(8) list the same long options.
. "$(dirname "$0")/../lib.sh"

[[ -f ${LENSFS_MAN-} ]] || die "LENSFS_MAN is not set to man/lensfs.8.scd"
help=$("$LENSFS" --help) || die "lensfs --help failed"
# Long options as the texts write them: "--name" in --help, "*--name*" in the scdoc source.
from_help=$(grep -oE -- '(^|[ ,])--[a-z][a-z0-9-]+' <<<"$help" | sed 's/^[ ,]*//' | sort -u)
from_man=$(grep -oE -- '\*--[a-z][a-z0-9-]+\*' "$LENSFS_MAN" | tr -d '*' | sort -u)
expect_cmp "--help lists options" "$(wc -l <<<"$from_help")" '>=' 15
expect_cmp "lensfs(8) lists options" "$(wc -l <<<"$from_man")" '>=' 15
only_help=$(comm -23 <(echo "$from_help") <(echo "$from_man"))
only_man=$(comm -13 <(echo "$from_help") <(echo "$from_man"))
expect_eq "every option of --help is in lensfs(8)" "" "$only_help"
expect_eq "every option of lensfs(8) is in --help" "" "$only_man"
# Short options too: "-x" on the option lines of --help ("  -n, -v  ..."), "*-x*" in the man page.
short_help=$(grep -E -- '^ +-[a-zA-Z]' <<<"$help" | grep -oE -- '(^|[ ,])-[a-zA-Z]([ ,]|$)' |
    tr -d ' ,' | sort -u)
short_man=$(grep -oE -- '\*-[a-zA-Z]\*' "$LENSFS_MAN" | tr -d '*' | sort -u)
expect_eq "the short options agree" "$short_help" "$short_man"
itest_finish
