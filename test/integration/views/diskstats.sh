#!/bin/bash
# /proc/diskstats from v1 blkio: dd with O_DIRECT in a cgroup shows its writes on the disk
# that holds the file, under the host's name for it; every device the host lists is listed,
# in its order, with zeros where the container did nothing (an idle sibling: all zeros).
. "$(dirname "$0")/../lib.sh"
require_root_and_fuse
require_hierarchy memory cpuset cpu cpuacct unified blkio

itest_tmp
file=$ITEST_TMP/dd.out
: >"$file"
# The whole disk under the file's file system: throttle rules and blkio statistics are kept
# per disk, not per partition.
devno=$(stat -c '%Hd:%Ld' "$file" 2>/dev/null) || devno=$(printf '%d:%d' \
    "$(($(stat -c '0x%d' "$file") >> 8))" "$(($(stat -c '0x%d' "$file") & 0xff))")
[[ -e /sys/dev/block/$devno ]] || skip "$file is not on a block device ($devno)"
if [[ -e /sys/dev/block/$devno/partition ]]; then
    devno=$(cat "/sys/dev/block/$devno/../dev")
fi
disk=$(awk -v d="$devno" '{ if ($1 ":" $2 == d) print $3 }' /proc/diskstats)
[[ -n $disk ]] || skip "disk $devno is not in /proc/diskstats"
note "the file is on $disk ($devno)"

make_cgroup io memory cpuset cpu cpuacct unified blkio
make_cgroup idle memory cpuset cpu cpuacct unified blkio
# A rule far above any real rate: it throttles nothing, but makes the throttle layer keep
# statistics for the disk, which are what kernels without CFQ count.
cg_write blkio io blkio.throttle.write_bps_device "$devno 1099511627776"
start_lensfs

host_devices() { awk '{ print $1, $2, $3 }' /proc/diskstats; }
devices() { awk '{ print $1, $2, $3 }' <<<"$1"; }
nonzero() { awk '{ for (i = 4; i <= NF; i++) if ($i != 0) { print $3; break } }' <<<"$1"; }
before=$(read_in_cgroup io "$MOUNT/proc/diskstats")
expect_eq "before any I/O: every device the host lists, in its order" "$(host_devices)" \
    "$(devices "$before")" "$before"
expect_eq "before any I/O: all zeros" "" "$(nonzero "$before")" "$before"
run_in_cgroup io dd if=/dev/zero of="$file" bs=1M count=8 oflag=direct status=none ||
    die "dd failed"
text=$(read_in_cgroup io "$MOUNT/proc/diskstats")
line=$(awk -v n="$disk" '$3 == n' <<<"$text")
expect_eq "every device the host lists" "$(host_devices)" "$(devices "$text")" "$text"
expect_eq "only $disk has I/O" "$disk" "$(nonzero "$text")" "$text"
read -r -a f <<<"$line"
expect_eq "[$disk] major:minor" "$devno" "${f[0]}:${f[1]}" "$text"
expect_cmp "[$disk] sectors written cover the 8 MiB" "${f[9]:-0}" ">=" 16384 "$text"
expect_cmp "[$disk] ... and not much more" "${f[9]:-0}" "<=" 17000 "$text"
expect_cmp "[$disk] writes completed" "${f[7]:-0}" ">=" 8 "$text"
expect_eq "[$disk] as many fields as the host's line" \
    "$(awk -v n="$disk" '$3 == n { print NF }' /proc/diskstats)" "${#f[@]}" "$text"
idle_text=$(read_in_cgroup idle "$MOUNT/proc/diskstats")
expect_eq "the idle sibling lists every device" "$(host_devices)" "$(devices "$idle_text")" "$idle_text"
expect_eq "the idle sibling's figures are all zero" "" "$(nonzero "$idle_text")" "$idle_text"

itest_finish
