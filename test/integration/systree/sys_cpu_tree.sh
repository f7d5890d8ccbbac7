#!/bin/bash
# MOUNT/sys/devices/system/cpu through a real mount, read by processes in real cpuset cgroups:
# the list files and the listing show exactly the visible CPUs renumbered from 0; cpuK is the
# host's directory of the K-th visible CPU, attributes and symlinks as they are; names are
# answered afresh for every reader (no dentry cached from another reader); the tree is
# read-only; a host process sees the host's directory unchanged.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/common.sh"
require_root_and_fuse
require_hierarchy memory cpuset cpu cpuacct unified

ncpu=$(host_cpu_count)
start_systree_daemon

# --- a host process sees the host's directory ----------------------------------------------

check_host_view() {
    expect_eq "[host] the listing is the host's" "$(listing "$HOST_CPU_DIR")" \
        "$(at_root ls -A1 "$CPU_DIR" | names)"
    local f
    for f in online present possible offline; do
        expect_eq "[host] $f is the host's" "$(od -c "$HOST_CPU_DIR/$f")" \
            "$(at_root od -c "$CPU_DIR/$f")"
    done
    expect_eq "[host] cpu$((ncpu - 1)) is the host's" \
        "$(dump "$HOST_CPU_DIR/cpu$((ncpu - 1))")" \
        "$(at_root bash -c "$(declare -f dump); dump $CPU_DIR/cpu$((ncpu - 1))")"
}
check_host_view

# --- containers see their visible CPUs ------------------------------------------------------

# check_container NAME N: a reader in cgroup NAME sees N CPUs in the list files and listing.
check_container() {
    local name=$1 n=$2 f
    expect_eq "[$name] the listing has cpu0..cpu$((n - 1)) and the host's other entries" \
        "$(expected_listing "$n")" "$(run_in_cgroup "$name" ls -A1 "$CPU_DIR" | names)"
    for f in online present possible; do
        expect_eq "[$name] $f is $(cpu_list "$n")" "$(cpu_list "$n")" \
            "$(read_in_cgroup "$name" "$CPU_DIR/$f")"
    done
    # The kernel prints an empty list as a bare newline.
    expect_eq "[$name] offline is a bare newline" "$(printf '\n' | od -c)" \
        "$(read_in_cgroup "$name" "$CPU_DIR/offline" | od -c)"
}

make_cpu_cgroup one 0
check_container one 1
if [[ $ncpu -lt 2 ]]; then
    note "the host has one CPU: the two-CPU cases are skipped"
    check_host_view
    itest_finish
fi
make_cpu_cgroup two 0-1
make_cpu_cgroup second 1
make_cpu_cgroup half 0-1 50000
check_container two 2
check_container second 1
check_container half 1

# --- cpuK is the host's directory of the K-th visible CPU ----------------------------------

attr=$(cpu_attr)
host0=$(cat "$HOST_CPU_DIR/cpu0/$attr")
host1=$(cat "$HOST_CPU_DIR/cpu1/$attr")
expect_eq "[second] cpu0/$attr is host cpu1's" "$host1" \
    "$(read_in_cgroup second "$CPU_DIR/cpu0/$attr")"
expect_eq "[one] cpu0/$attr is host cpu0's" "$host0" "$(read_in_cgroup one "$CPU_DIR/cpu0/$attr")"
expect_eq "[two] cpu1/$attr is host cpu1's" "$host1" "$(read_in_cgroup two "$CPU_DIR/cpu1/$attr")"
expect_eq "[second] cpu0 lists host cpu1's entries" "$(listing "$HOST_CPU_DIR/cpu1")" \
    "$(run_in_cgroup second ls -A1 "$CPU_DIR/cpu0" | names)"
# A container that sees host CPU 1 alone calls it CPU 0 everywhere: every CPU list below its
# cpu0 says 0 and every CPU mask 1 (lscpu -e would show no core otherwise); the rest is the
# host's as it is.
host_dump=$(dump "$HOST_CPU_DIR/cpu1" |
    sed -E 's/^([^:]*_list):.*/\1:0/; s/^([^:]*(_cpus|_siblings|shared_cpu_map)):.*/\1:1/')
seen_dump=$(run_in_cgroup second bash -c "$(declare -f dump); dump $CPU_DIR/cpu0")
expect_eq "[second] below cpu0: host cpu1's attributes, CPU lists and masks renumbered" \
    "$host_dump" "$seen_dump" "$seen_dump"
expect_match "[second] cpu0/topology/core_cpus_list is renumbered" \
    '^\./topology/core_cpus_list:0$' "$seen_dump"
two_dump=$(run_in_cgroup two bash -c "$(declare -f dump); dump $CPU_DIR/cpu1")
expect_eq "[two] cpu1 below a cpuset of both CPUs is host cpu1's unchanged" \
    "$(dump "$HOST_CPU_DIR/cpu1")" "$two_dump" "$two_dump"
expect_match "[second] symlinks are passed through" ' -> ' "$seen_dump"
for e in cpufreq vulnerabilities kernel_max; do
    [[ -e $HOST_CPU_DIR/$e ]] || continue
    expect_eq "[second] $e is the host's" "$(dump "$HOST_CPU_DIR" | grep "^\./$e[/:]")" \
        "$(run_in_cgroup second bash -c "$(declare -f dump); dump $CPU_DIR" | grep "^\./$e[/:]")"
done

# --- every reader's names are its own, also right after another reader's ---------------------

for round in 1 2 3; do
    expect_eq "[round $round, two] lists two CPUs" "$(expected_listing 2)" \
        "$(run_in_cgroup two ls -A1 "$CPU_DIR" | names)"
    expect_eq "[round $round, two] reads cpu1/$attr" "$host1" \
        "$(read_in_cgroup two "$CPU_DIR/cpu1/$attr")"
    expect_eq "[round $round, one] lists one CPU" "$(expected_listing 1)" \
        "$(run_in_cgroup one ls -A1 "$CPU_DIR" | names)"
    err=$(run_in_cgroup one stat -c %n "$CPU_DIR/cpu1" 2>&1 >/dev/null)
    expect_match "[round $round, one] cpu1 is not found right after two found it" \
        'No such file or directory' "$err"
    err=$(run_in_cgroup half cat "$CPU_DIR/cpu1/$attr" 2>&1 >/dev/null)
    expect_match "[round $round, half] no cpu1/$attr under its quota" \
        'No such file or directory' "$err"
    expect_eq "[round $round, one] cpu0 is host cpu0" "$host0" \
        "$(read_in_cgroup one "$CPU_DIR/cpu0/$attr")"
    expect_eq "[round $round, second] cpu0 is host cpu1 right after one read host cpu0" \
        "$host1" "$(read_in_cgroup second "$CPU_DIR/cpu0/$attr")"
done

# A reader whose cwd is cpu0 (host cpu1) keeps reading host cpu1 through relative paths after
# another reader walked its own cpu0 (host cpu0) in between.
mkfifo "$ITEST_TMP/ready" "$ITEST_TMP/go"
run_in_cgroup_bg second bash -c "cd $CPU_DIR/cpu0 && echo >$ITEST_TMP/ready &&
    read -r _ <$ITEST_TMP/go && cat $attr >$ITEST_TMP/cwd.out"
cwd_pid=$BG_PID
read -r _ <"$ITEST_TMP/ready"
read_in_cgroup one "$CPU_DIR/cpu0/$attr" >/dev/null
echo >"$ITEST_TMP/go"
wait_pid "$cwd_pid" 10
expect_eq "[second] relative reads from inside cpu0 stay on host cpu1" "$host1" \
    "$(cat "$ITEST_TMP/cwd.out")"

# Readers that reach one host CPU under different names at the same time (cpu0 of cpuset 1 and
# cpu1 of cpuset 0-1), next to a reader of the other CPU: every read is right.
race() {
    local want=$1 file=$2 wrong=0 i
    for ((i = 0; i < 200; i++)); do
        [[ $(cat "$file" 2>&1) == "$want" ]] || wrong=$((wrong + 1))
    done
    echo "$wrong"
}
racers=()
for spec in "second cpu0 $host1" "two cpu1 $host1" "two cpu0 $host0"; do
    read -r name dir want <<<"$spec"
    run_in_cgroup_bg "$name" bash -c "$(declare -f race); race '$want' $CPU_DIR/$dir/$attr \
        >$ITEST_TMP/race.$name.$dir"
    racers+=("$BG_PID")
done
for pid in "${racers[@]}"; do wait_pid "$pid" 60; done
for spec in "second cpu0" "two cpu1" "two cpu0"; do
    read -r name dir <<<"$spec"
    expect_eq "[$name] 200 concurrent reads of $dir/$attr are all right" 0 \
        "$(cat "$ITEST_TMP/race.$name.$dir")"
done

# --- read-only -----------------------------------------------------------------------------

# expect_denied WHAT CMD...: CMD (run by root in cgroup second) fails with EACCES.
expect_denied() {
    local what=$1 err
    shift
    err=$(run_in_cgroup second "$@" 2>&1)
    expect_match "[second] $what is refused with EACCES" 'Permission denied' "$err"
}
# Host cpu1's "online" is 1 and writing 1 again would change nothing, should it get through.
if [[ -e $HOST_CPU_DIR/cpu1/online && $(cat "$HOST_CPU_DIR/cpu1/online") == 1 ]]; then
    expect_denied "writing cpu0/online (host cpu1's)" bash -c "echo 1 >$CPU_DIR/cpu0/online"
    expect_eq "[second] cpu0/online shows no write bit" 444 \
        "$(run_in_cgroup second stat -c %a "$CPU_DIR/cpu0/online")"
fi
expect_denied "writing present" bash -c "echo 0 >$CPU_DIR/present"
expect_denied "writing online" bash -c "echo 0 >$CPU_DIR/online"
expect_denied "creating a file" touch "$CPU_DIR/lensfs-test-file"
expect_denied "creating a directory" mkdir "$CPU_DIR/cpu0/lensfs-test-dir"
expect_denied "removing a file" rm -f "$CPU_DIR/cpu0/uevent"
expect_denied "changing a mode" chmod 0644 "$CPU_DIR/cpu0/uevent"
expect_eq "[host] host cpu1 is still online" "$(cat "$HOST_CPU_DIR/online")" \
    "$(at_root cat "$CPU_DIR/online")"

# After all that, the host still sees its own directory.
check_host_view

itest_finish
