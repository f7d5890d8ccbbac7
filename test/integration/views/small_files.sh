#!/bin/bash
# /proc/slabinfo and /proc/swaps through the mount.
#   slabinfo: v1 memory.kmem.slabinfo where the kernel fills it; since 5.9 it reads empty, and
#   the host's /proc/slabinfo is shown (documented in src/view/gather.cpp).
#   swaps: the header, and one line when the group has a swap limit and the host has swap.
. "$(dirname "$0")/../lib.sh"
require_root_and_fuse
require_hierarchy memory cpuset cpu cpuacct unified

make_cgroup small
start_lensfs
slab=$(read_in_cgroup small "$MOUNT/proc/slabinfo")
kmem=$(cat "$(cg_dir memory small)/memory.kmem.slabinfo" 2>/dev/null || true)
expect_match "slabinfo has the kernel's header" '^slabinfo - version: 2\.1$' "$slab"
if [[ -z $kmem ]]; then
    note "memory.kmem.slabinfo is empty on this kernel: the host's slabinfo is shown"
    expect_eq "slabinfo lists the host's caches" "$(awk 'NR > 2 { print $1 }' /proc/slabinfo | head -20)" \
        "$(awk 'NR > 2 { print $1 }' <<<"$slab" | head -20)" "$slab"
else
    expect_eq "slabinfo is the group's" "$(shape <<<"$kmem")" "$(shape <<<"$slab")" "$slab"
fi

swaps=$(read_in_cgroup small "$MOUNT/proc/swaps")
expect_match "swaps has the kernel's header" \
    $'^Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority$' "$swaps"
host_swap=$(awk '$1 == "SwapTotal:" { print $2 }' /proc/meminfo)
if [[ $host_swap -eq 0 ]]; then
    expect_eq "no swap on the host: header only" 1 "$(count_lines . "$swaps")" "$swaps"
fi
itest_finish
