#!/bin/bash
# Bad cgroup data never breaks a read: garbage, empty, truncated or missing files, and a
# cgroup directory removed while its process keeps reading. Every file is still served, what
# could not be read shows the host's value, and the daemon stays up.
. "$(dirname "$0")/lib.sh"
require_root_and_fuse
require_hierarchy unified

fixture=$TEST_DATA_DIR/cgroup/v2
[[ -d $fixture/lensfs-test-garbage ]] || die "no garbage group in $fixture"
# (diskstats is left out: a group without I/O rightly reads as an empty file.)
files=(proc/meminfo proc/cpuinfo proc/stat proc/uptime proc/swaps proc/loadavg
    sys/devices/system/cpu/online)
host_mem=$(meminfo_kb MemTotal "$(cat /proc/meminfo)")

# A copy of the v2 fixture; the groups our real cgroups will map to:
#   garbage   every file malformed (the fixture's lensfs-test-garbage)
#   empty     every file of lensfs-test-v2, empty
#   truncated every file of lensfs-test-v2 cut in the middle of its first line
#   missing   a directory without any file
#   vanish    a copy of lensfs-test-v2, removed while its process reads
#   (absent)  a real cgroup with no directory in the fixture tree at all
itest_tmp
root=$ITEST_TMP/root
cp -a "$fixture" "$root" || die "cannot copy $fixture"
mv "$root/lensfs-test-garbage" "$root/$(cg_rel garbage)"
mkdir "$root/$(cg_rel empty)" "$root/$(cg_rel truncated)" "$root/$(cg_rel missing)"
for f in "$root"/lensfs-test-v2/*; do
    : >"$root/$(cg_rel empty)/${f##*/}"
    head -c $(($(head -n 1 "$f" | wc -c) / 2)) "$f" >"$root/$(cg_rel truncated)/${f##*/}"
done
cp -a "$root/lensfs-test-v2" "$root/$(cg_rel vanish)"

for name in garbage empty truncated missing vanish absent; do
    make_cgroup "$name" unified
done
start_lensfs --cgroup-root "$root"

for name in garbage empty truncated missing absent; do
    for file in "${files[@]}"; do
        text=$(read_in_cgroup "$name" "$MOUNT/$file")
        expect_cmp "[$name] $file is served ($(printf '%s' "$text" | wc -c) bytes)" \
            "$(printf '%s' "$text" | wc -c)" '>' 0
        expect_eq "[$name] $file ends in a newline" 1 "$(tail -c 1 <<<"$text" | wc -l)"
    done
    meminfo=$(read_in_cgroup "$name" "$MOUNT/proc/meminfo")
    total=$(meminfo_kb MemTotal "$meminfo")
    if [[ $name == truncated ]]; then
        # A cut number can still parse (as a smaller limit): only sanity is checked.
        expect_between "[$name] MemTotal within (0, host]" 1 "$total" "$host_mem" "$meminfo"
    else
        expect_eq "[$name] MemTotal is the host's" "$host_mem" "$total" "$meminfo"
    fi
    expect_eq "[$name] no kB field exceeds MemTotal (the host's DirectMap excepted)" "" "$(printf '%s\n' "$meminfo" | awk -v t="$total" '
        $3 == "kB" && $1 !~ /^(VmallocTotal|Hugepagesize|DirectMap)/ && $2 + 0 > t + 0')" "$meminfo"
    cpuinfo=$(read_in_cgroup "$name" "$MOUNT/proc/cpuinfo")
    expect_cmp "[$name] cpuinfo has processors" "$(count_lines '^processor' "$cpuinfo")" '>=' 1 "$cpuinfo"
    stat=$(read_in_cgroup "$name" "$MOUNT/proc/stat")
    expect_eq "[$name] stat has the host's lines but cpuN" \
        "$(grep -Ev '^cpu[0-9]+ ' /proc/stat | awk '{ print $1 }')" \
        "$(printf '%s\n' "$stat" | grep -Ev '^cpu[0-9]+ ' | awk '{ print $1 }')" "$stat"
    expect_match "[$name] uptime is two numbers" '^[0-9]+\.[0-9]{2} [0-9]+\.[0-9]{2}$' \
        "$(read_in_cgroup "$name" "$MOUNT/proc/uptime")"
done
expect_eq "the daemon is still running" yes "$(alive "$LENSFS_PID" && echo yes || echo no)"
expect_match "the daemon logged why it used host values" 'host values' "$(cat "$LENSFS_LOG")"

# A process reads in a loop while its fixture group is removed.
loop=$ITEST_TMP/loop
run_in_cgroup_bg vanish bash -c '
    mount=$1 out=$2 n=0
    while [[ ! -e $out.stop && $n -lt 3000 ]]; do
        for f in proc/meminfo proc/cpuinfo proc/stat proc/uptime proc/swaps sys/devices/system/cpu/online; do
            t=$(cat "$mount/$f" 2>&1) && [[ -n $t ]] ||
                echo "read $n of $f: status $?, [$t]" >>"$out.err"
        done
        [[ $n -eq 0 ]] && grep "^MemTotal" "$mount/proc/meminfo" >"$out.first"
        n=$((n + 1))
        echo "$n" >"$out.count.new" && mv "$out.count.new" "$out.count"
    done
    grep "^MemTotal" "$mount/proc/meminfo" >"$out.last"' _ "$MOUNT" "$loop"
loop_pid=$BG_PID
count() { cat "$loop.count" 2>/dev/null || echo 0; }
for ((i = 0; i < 200 && $(count) < 20; i++)); do sleep 0.05; done
expect_cmp "the reader loop runs" "$(count)" '>=' 20
rm -rf "$root/$(cg_rel vanish)"
removed_at=$(count)
for ((i = 0; i < 400 && $(count) < removed_at + 100; i++)); do sleep 0.05; done
touch "$loop.stop"
wait_pid "$loop_pid" 20
expect_eq "the reader loop ended by itself" 0 "$STOP_STATUS"
expect_cmp "reads went on after the removal (removed at read $removed_at)" "$(count)" '>=' \
    $((removed_at + 100))
expect_eq "no read failed or was empty" "" "$(cat "$loop.err" 2>/dev/null)"
expect_match "before the removal: the fixture group's limit" '^MemTotal:[[:blank:]]+262144 kB$' \
    "$(cat "$loop.first" 2>/dev/null)"
expect_match "after the removal: the host's MemTotal" "^MemTotal:[[:blank:]]+$host_mem kB\$" \
    "$(cat "$loop.last" 2>/dev/null)"
expect_eq "the daemon is still running" yes "$(alive "$LENSFS_PID" && echo yes || echo no)"

itest_finish
