#!/bin/bash
# The benchmark in a few seconds: one short bench/run-bench over meminfo with every source
# but LXCFS. It must start fuse-floor and lensfs, register its cgroup as a container, measure
# each source without a failed read (the lensfs trees showing the container's 1 GiB), render
# every table with the ratios, and leave no daemon, mount, cgroup or temporary directory.
#
# Environment, set by meson: RUN_BENCH (bench/run-bench), BUILDDIR (the build directory).
. "$(dirname "$0")/lib.sh"

[[ $(id -u) -eq 0 ]] || skip "run-bench creates cgroups and FUSE mounts: run as root"
[[ -c /dev/fuse ]] || skip "/dev/fuse is missing (load the fuse module)"
[[ -x ${RUN_BENCH-} ]] || die "RUN_BENCH must name bench/run-bench (got '${RUN_BENCH-}')"
[[ -d ${BUILDDIR-} ]] || die "BUILDDIR must name the build directory (got '${BUILDDIR-}')"
itest_tmp

readonly sources="kernel floor lensfs-tree lensfs-shared"
out=$ITEST_TMP/bench.md
"$RUN_BENCH" --builddir "$BUILDDIR" --duration 0.2 --threads 1 --files meminfo --no-lxcfs \
    --output "$out" >"$ITEST_TMP/stdout" 2>"$ITEST_TMP/stderr" &
bench=$!
ITEST_PIDS+=("$bench")
wait_pid "$bench" 50
expect_eq "run-bench exits 0" 0 "$STOP_STATUS" "$(cat "$ITEST_TMP/stderr")"
log=$(cat "$ITEST_TMP/stderr")

# One TSV line per source: reads done, none failed, bytes read.
tsv=$(cat "${out%.md}.tsv" 2>/dev/null)
for src in $sources; do
    verdict=$(awk -F '\t' -v s="$src" '$1 == "meminfo" && $3 == s {
        ok = $6 > 0 && $7 == 0 && $8 > 0 } END { print ok ? "ok" : "bad" }' <<<"$tsv")
    expect_eq "$src: reads done, none failed, bytes read" ok "$verdict" "$tsv"
done
expect_eq "only these sources were measured" "$sources" \
    "$(awk -F '\t' 'NR > 1 { printf "%s%s", (NR > 2 ? " " : ""), $3 }' <<<"$tsv")"

# The lensfs trees serve the container's view; the floor a copy of the host's file.
host_mem=$(meminfo_kb MemTotal "$(cat /proc/meminfo)")
expect_match "the per-container tree shows the cgroup's 1 GiB" \
    'lensfs-tree: MemTotal 1048576 kB' "$log"
expect_match "the shared tree shows the cgroup's 1 GiB" 'lensfs-shared: MemTotal 1048576 kB' "$log"
expect_match "the floor shows the host's MemTotal" "floor: MemTotal $host_mem kB" "$log"

# The tables: p50 / p99 of four sources and the two floor ratios; CPU per read of the three
# daemons and lensfs's excess over the floor; the goals.
md=$(cat "$out" 2>/dev/null)
num='[0-9]+\.[0-9]'
expect_match "latency row: four sources, two ratios" \
    "^\| meminfo \| 1 \|( $num / $num \|){4}( [0-9]+\.[0-9]{2} \|){2}\$" "$md"
expect_match "latency header names the ratios" '\| tree/floor \| shared/floor \|$' "$md"
expect_match "reads per second row" '^\| meminfo \| 1 \|( [0-9]+ \|){4}$' "$md"
expect_match "CPU row: three daemons, two excesses" \
    "^\| meminfo \| 1 \|( $num \|){3}( [-+]$num \|){2}\$" "$md"
expect_match "the goals table" '^\| tree p50 <= 1\.15 x floor \| [01] of 1 \|' "$md"
expect_no_match "no failed cell" '\*|fail' "$(grep '^| meminfo' <<<"$md")"

# Nothing left behind.
run_tmp=$(sed -nE 's|.*floor is up on (/tmp/lensfs-bench\.[^/]+)/floor.*|\1|p' <<<"$log")
expect_match "the log names the temporary directory" '^/tmp/lensfs-bench\.' "$run_tmp"
if [[ -n $run_tmp ]]; then
    expect_eq "no mount left" "" "$(awk -v t="$run_tmp/" 'index($2, t) == 1' /proc/self/mounts)"
    expect_eq "temporary directory removed" "" "$(ls -d "$run_tmp" 2>/dev/null)"
    expect_eq "no daemon left" "" "$(pgrep -af -- "$run_tmp/")"
fi
expect_eq "test cgroups removed" "" "$(ls -d "$CGROUP_FS"/*/lensfs-test-bench-"$bench" \
    "$CGROUP_FS"/lensfs-test-bench-"$bench" 2>/dev/null)"

itest_finish
