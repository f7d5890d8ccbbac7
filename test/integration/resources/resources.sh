#!/bin/bash
# The daemon's descriptors and memory stay flat under cgroup churn and under load.
#
# Warm-up: 64 readers in 8 containers (a cgroup and a pid namespace each) read every kind of
# file for 10 s; then WARM_CHURN containers (40) come and go beside them and the readers go on
# for 40 s more, so that every code path, cache and eviction has run once and the allocator's
# per-thread arenas of the FUSE workers have their working size. The server's open descriptors
# and RSS after that are the reference (the figures after the first 10 s are printed too).
# Churn: CHURN cgroups (default 1000) are made one after another, read from by a process in
# its own pid namespace inside each, and removed. Load: the 64 readers again for LOAD_SECONDS
# (default 60). Afterwards the server holds as many descriptors as after the warm-up (within
# 16) and its RSS is within RSS_SLACK_KB of the warm-up's: what belonged to vanished cgroups,
# processes and namespaces was let go.
# (What remains above the warm-up is in the FUSE workers' malloc arenas: free fragments between
# live objects. It does not grow with the churn. The keeper starts the server without glibc's
# thread caches and fast bins (spawn.cpp); with them, 0.8 MB remained instead of 0.3-0.5 MB.
# Over the plain 10 s warm-up the end is 0.8-1.0 MB higher, 1.3 MB with them.)
# Environment: LENSFS_TEST_CHURN, LENSFS_TEST_LOAD_SECONDS (shorter runs while developing;
# the idle entries are let go after 30 s, so a load phase under 40 s cannot show it).
. "$(dirname "$0")/../lib.sh"
require_root_and_fuse
require_hierarchy memory cpuset cpu cpuacct
[[ -x ${RESLOAD-} ]] || die "RESLOAD must name resload"

CHURN=${LENSFS_TEST_CHURN:-1000}
LOAD_SECONDS=${LENSFS_TEST_LOAD_SECONDS:-60}
WARM_SECONDS=10
WARM_CHURN=40
WARM_CHURN_SECONDS=40 # the churned containers' entries are idle for 30 s, then let go
RSS_SLACK_KB=1024
(( LOAD_SECONDS >= 40 )) || die "LENSFS_TEST_LOAD_SECONDS must be at least 40"

start_lensfs
server=$(pgrep -P "$LENSFS_PID" | head -n 1)
[[ -n $server ]] || die "no server process under the daemon $LENSFS_PID"
note "server pid $server"
# glibc 2.36 cuts the process's own copy of GLIBC_TUNABLES after its first setting when it
# reads it, so only that one shows here.
tunables=$(tr '\0' '\n' <"/proc/$server/environ" | grep '^GLIBC_TUNABLES=' || true)
note "server allocator: ${tunables:-the defaults of glibc}"
if [[ -z ${GLIBC_TUNABLES+set} ]]; then
    expect_match "the server runs with the allocator settings of lensfs" \
        '^GLIBC_TUNABLES=glibc\.malloc\.' "$tunables"
fi

fds() { find "/proc/$server/fd" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l; }
rss_kb() { awk '$1 == "VmRSS:" { print $2 }' "/proc/$server/status"; }
rss_parts() { awk '$1 ~ /^Rss(Anon|File):$/ { printf "%s %s kB ", $1, $2 }' "/proc/$server/status"; }

hierarchies=(memory cpuset cpu cpuacct)
[[ -d $CGROUP_FS/blkio ]] && hierarchies+=(blkio)
[[ -d $CGROUP_FS/unified ]] && hierarchies+=(unified)

files=(proc/meminfo proc/stat proc/cpuinfo proc/uptime proc/loadavg proc/diskstats
    proc/swaps sys/devices/system/cpu/online)
paths=()
for f in "${files[@]}"; do paths+=("$MOUNT/$f"); done

load() {
    local i pids=() rc=0
    for ((i = 0; i < 8; i++)); do
        run_in_cgroup "crowd$i" unshare --pid --fork "$RESLOAD" 8 "$1" "${paths[@]}" \
            >"$ITEST_TMP/load.$i" &
        pids+=($!)
    done
    for i in "${!pids[@]}"; do
        wait "${pids[$i]}" || rc=1
    done
    awk '{ for (i = 2; i <= NF; i++) { split($i, kv, "="); sum[kv[1]] += kv[2] } }
        END { printf "%d reads, %d failed", sum["reads"], sum["failures"] }' "$ITEST_TMP"/load.?
    return $rc
}

for ((i = 0; i < 8; i++)); do make_cgroup "crowd$i" "${hierarchies[@]}"; done

summary=$(load "$WARM_SECONDS") || fail "warm-up reads failed: $summary"
plain_fds=$(fds)
plain_rss=$(rss_kb)
note "after ${WARM_SECONDS} s of 64 readers ($summary): $plain_fds fds, RSS $plain_rss kB ($(rss_parts))"

# Churn: a cgroup, a reader in its own pid namespace, the cgroup removed; four workers at once.
CHURN_PREFIX=$(cg_rel churn)
remove_churned() {
    local dir
    for dir in "$CGROUP_FS"/*/"$CHURN_PREFIX"-*; do
        [[ -d $dir ]] && remove_cgroup "$dir"
    done
}
ITEST_CLEANUP_HOOKS+=(remove_churned)
churn_worker() {
    local w=$1 count=$2 n h dir failed=0
    for ((n = 0; n < count; n++)); do
        local dirs=()
        for h in "${hierarchies[@]}"; do
            dir=$CGROUP_FS/$h/$CHURN_PREFIX-$w-$n
            mkdir "$dir" || { echo "cannot create $dir" >&2; return 1; }
            dirs+=("$dir")
            if [[ $h == cpuset ]]; then
                cat "$CGROUP_FS/cpuset/cpuset.mems" >"$dir/cpuset.mems"
                cat "$CGROUP_FS/cpuset/cpuset.cpus" >"$dir/cpuset.cpus"
            fi
        done
        (
            for dir in "${dirs[@]}"; do echo "$BASHPID" >"$dir/cgroup.procs" || exit 125; done
            exec unshare --pid --fork cat "${paths[@]}"
        ) >/dev/null 2>&1 || failed=$((failed + 1))
        for dir in "${dirs[@]}"; do remove_cgroup "$dir"; done
    done
    echo "$failed"
}
# run_churn COUNT TAG: COUNT cgroups churned by four workers; prints the failed reads.
run_churn() {
    local w pid pids=()
    for ((w = 0; w < 4; w++)); do
        churn_worker "$2$w" $((($1 + 3 - w) / 4)) >"$ITEST_TMP/churn.$2$w" &
        pids+=($!)
    done
    for pid in "${pids[@]}"; do wait "$pid" || die "a churn worker failed"; done
    cat "$ITEST_TMP/churn.$2"? | awk '{ s += $1 } END { print s + 0 }'
}

failed=$(run_churn "$WARM_CHURN" w) || die "the warm-up churn failed"
expect_eq "every reader of the warm-up's churn read its files" 0 "$failed"
summary=$(load "$WARM_CHURN_SECONDS") || fail "warm-up reads failed: $summary"
warm_fds=$(fds)
warm_rss=$(rss_kb)
note "after $WARM_CHURN containers come and gone and $WARM_CHURN_SECONDS s more of 64 readers" \
    "($summary): $warm_fds fds, RSS $warm_rss kB ($(rss_parts))"

start=$SECONDS
failed=$(run_churn "$CHURN" c) || die "the churn failed"
churn_fds=$(fds)
churn_rss=$(rss_kb)
note "after $CHURN cgroups churned in $((SECONDS - start)) s ($failed failed reads): $churn_fds fds, RSS $churn_rss kB ($(rss_parts))"
expect_eq "every churned reader read its files" 0 "$failed"

summary=$(load "$LOAD_SECONDS") || fail "reads under load failed: $summary"
end_fds=$(fds)
end_rss=$(rss_kb)
note "after ${LOAD_SECONDS} s of 64 readers ($summary): $end_fds fds, RSS $end_rss kB ($(rss_parts))"
note "figures: fds plain warm $plain_fds, warm $warm_fds, churned $churn_fds, end $end_fds;" \
    "RSS kB plain warm $plain_rss, warm $warm_rss, churned $churn_rss, end $end_rss" \
    "(end - warm $((end_rss - warm_rss)), end - plain warm $((end_rss - plain_rss)))"
expect_between "descriptors back to the warm-up's (within 16)" "$((warm_fds - 16))" \
    "$end_fds" "$((warm_fds + 16))"
expect_cmp "RSS within $RSS_SLACK_KB kB of the warm-up's" "$end_rss" "<=" \
    "$((warm_rss + RSS_SLACK_KB))"
itest_finish
