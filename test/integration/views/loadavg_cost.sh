#!/bin/bash
# The load-average sampler's cost with 1000 containers: 1000 real v1 cpuacct cgroups with
# three sleeping threads each (LOADAVG_COST_CONTAINERS, LOADAVG_COST_THREADS), all tracked;
# reports the CPU time of one sample() (the daemon calls it every 5 s) as a figure, and checks
# the work it does, counted in read system calls: at most two per tasks file and per thread
# (a file read to its end), plus a small constant. Time is not asserted: it depends on the
# machine and its load (52-66 ms per call for 1000 x 3 on the 2-CPU dev VM, 1-1.3% of one CPU;
# 104 ms on a busier CI machine). bench/run-bench is where speed is measured.
. "$(dirname "$0")/../lib.sh"
require_root_and_fuse
require_hierarchy cpuacct
[[ -x ${LOADAVG_COST-} ]] || die "LOADAVG_COST must name the loadavg-cost helper"
count=${LOADAVG_COST_CONTAINERS:-1000}
threads=${LOADAVG_COST_THREADS:-3}

for ((i = 0; i < count; i++)); do
    make_cgroup "load$i" cpuacct
done
out=$("$LOADAVG_COST" "$CGROUP_FS/cpuacct" "$(cg_rel 'load{}')" "$count" "$threads" 20 2>&1)
rc=$?
printf '%s\n' "$out" | sed 's/^/# /'
expect_eq "every container tracked and counted" 0 "$rc" "$out"
reads=$(sed -nE 's/^read calls: at most ([0-9]+) per call.*/\1/p' <<<"$out")
limit=$((2 * count * (threads + 1) + 64))
expect_cmp "one sample() of $count containers x $threads threads makes at most $limit reads" \
    "${reads:-999999999}" "<=" "$limit" "$out"
itest_finish
