#!/bin/bash
# The load-average sampler's cost with 1000 containers: 1000 real v1 cpuacct cgroups with
# three sleeping threads each (LOADAVG_COST_CONTAINERS, LOADAVG_COST_THREADS), all tracked;
# reports the CPU time of one sample() (the daemon calls it every 5 s) and fails when it
# exceeds 2% of one CPU (100 ms per call). Measured on the 2-CPU dev VM: about 13 µs per
# container plus 9 µs per thread, 52 ms per call for 1000 x 3 (1% of one CPU).
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
cpu_us=$(sed -nE 's/.*cpu: mean ([0-9]+) us per call.*/\1/p' <<<"$out")
expect_cmp "one sample() of $count containers costs under 100 ms of CPU" "${cpu_us:-999999}" "<" 100000 \
    "$out"
itest_finish
