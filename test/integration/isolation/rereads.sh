#!/bin/bash
# A file kept open shows fresh figures when it is read again from offset 0, as procfs does:
# one descriptor per file, lseek 0 + read before and after a 2 s CPU burn and a 100 MiB
# allocation in the reader's cgroup; then procps top, vmstat and free, which keep their files
# open, run in a namespace container (own mount and pid namespace, lensfs files bound over
# its /proc files) while the container burns CPU and allocates memory.
. "$(dirname "$0")/../lib.sh"
require_root_and_fuse
require_hierarchy memory cpuset cpu cpuacct
for tool in top vmstat free python3; do
    command -v "$tool" >/dev/null || skip "$tool is missing (packages procps, python3)"
done

start_lensfs --no-socket
make_cgroup rr memory cpuset cpu cpuacct
cg_write cpuset rr cpuset.cpus 0
cg_write memory rr memory.limit_in_bytes $((512 << 20))

BURN='import time
end = time.monotonic() + float(__import__("sys").argv[1])
while time.monotonic() < end:
    pass'
ALLOC='import sys, time
block = bytearray(100 << 20)
for i in range(0, len(block), 4096):
    block[i] = 1
print("allocated", flush=True)
time.sleep(float(sys.argv[1]))'

# --- one descriptor per file, read again from offset 0 ----------------------------------
out=$(run_in_cgroup rr python3 - "$MOUNT" "$BURN" "$ALLOC" "$(cg_dir cpuacct rr)/cpuacct.usage" <<'PY'
import os, subprocess, sys
mount, burn, alloc, usage_file = sys.argv[1:]
fds = {n: os.open(f"{mount}/proc/{n}", os.O_RDONLY) for n in ("stat", "meminfo", "uptime")}
def snap():
    out = {}
    for name, fd in fds.items():
        os.lseek(fd, 0, os.SEEK_SET)
        out[name] = os.read(fd, 1 << 16).decode()
    with open(usage_file) as f:
        out["usage"] = int(f.read()) # the cgroup's real CPU time (ns)
    return out
def busy(text):
    f = text.split("\n")[0].split()
    return int(f[1]) + int(f[3])
def memfree(text):
    return next(int(l.split()[1]) for l in text.splitlines() if l.startswith("MemFree:"))
a = snap()
subprocess.run([sys.executable, "-c", burn, "2"], check=True)
holder = subprocess.Popen([sys.executable, "-c", alloc, "30"], stdout=subprocess.PIPE, text=True)
holder.stdout.readline()
b = snap()
holder.kill()
print("busy", busy(a["stat"]), busy(b["stat"]))
print("real", (b["usage"] - a["usage"]) // 10_000_000) # in ticks
print("memfree", memfree(a["meminfo"]), memfree(b["meminfo"]))
print("uptime", a["uptime"].split()[0], b["uptime"].split()[0])
PY
)
note "kept-open descriptors: $(tr '\n' ';' <<<"$out")"
read -r _ busy0 busy1 < <(grep '^busy' <<<"$out")
read -r _ free0 free1 < <(grep '^memfree' <<<"$out")
read -r _ up0 up1 < <(grep '^uptime' <<<"$out")
read -r _ real < <(grep '^real' <<<"$out")
expect_cmp "[fd kept open] the 2 s burn ran (${real:-?} ticks of CPU)" "${real:-0}" ">=" 20 "$out"
expect_between "[fd kept open] /proc/stat busy ticks grew as the cgroup's CPU time did" \
    "$((${real:-0} - 10))" "$((${busy1:-0} - ${busy0:-0}))" "$((${real:-0} + 10))" "$out"
expect_cmp "[fd kept open] MemFree fell by the 100 MiB allocation" \
    "$((${free0:-0} - ${free1:-0}))" ">=" 95000 "$out"
expect_cmp "[fd kept open] uptime moved on" "$(awk -v a="${up0:-0}" -v b="${up1:-0}" 'BEGIN { print b - a }')" ">=" 2 "$out"

# --- procps in a namespace container ----------------------------------------------------
# in_container SCRIPT: runs SCRIPT in the cgroup, in a new mount and pid namespace whose
# /proc/{stat,meminfo,uptime,loadavg} are the lensfs files.
in_container() {
    run_in_cgroup rr unshare --mount --pid --fork --mount-proc bash -c '
        for f in stat meminfo uptime loadavg; do
            mount --bind "$1/proc/$f" "/proc/$f" || exit 1
        done
        eval "$2"' container "$MOUNT" "$1"
}
export BURN ALLOC
# The truth each frame is checked against: the cgroup's own accounting, read (and stamped
# with the time) as soon as the tool prints a frame, i.e. right after it read its files. On a
# busy host the burn gets less than the whole CPU, so the frames must match what the cgroup
# really got, not a fixed figure.
export CPU_USAGE MEM_USAGE
CPU_USAGE=$(cg_dir cpuacct rr)/cpuacct.usage
MEM_USAGE=$(cg_dir memory rr)/memory.stat
ANNOTATE='while IFS= read -r line; do
    printf "%s @ %s %s %s\n" "$line" "$(date +%s%N)" "$(cat "$CPU_USAGE")" \
        "$(awk "\$1 == \"total_rss\" { print \$2 }" "$MEM_USAGE")"
done'
export ANNOTATE
# busy_between PATTERN TEXT: the cgroup's real CPU share (per cent of its one CPU) between
# the last two annotated lines matching PATTERN.
busy_between() {
    grep -E "$1" <<<"$2" | tail -n 2 | awk '{ t[NR] = $(NF - 2); u[NR] = $(NF - 1) }
        END { if (NR == 2 && t[2] > t[1]) printf "%.0f\n", 100 * (u[2] - u[1]) / (t[2] - t[1]) }'
}
# expect_frame_busy TOOL SHOWN REAL TEXT: a frame shows the CPU time the cgroup really used
# in its interval (within 20 points); below 20 % the burn was starved and proves nothing.
expect_frame_busy() {
    if [[ -z $3 ]] || ((${3} < 20)); then
        note "[$1] the burn got ${3:-?} % of its CPU on a busy host: frame not checked"
        return
    fi
    expect_between "[$1] the third frame shows the CPU the cgroup used (${3} %)" \
        "$(($3 - 20))" "$2" "$(($3 + 20))" "$4"
}

top_out=$(in_container '(sleep 0.5; python3 -c "$BURN" 4) & top -bn3 -d1 | eval "$ANNOTATE"; wait')
# busy per frame: us + sy (the cgroup's real share counts both)
us=$(grep '^%Cpu' <<<"$top_out" | sed -E 's/^%Cpu\(s\): *([0-9.]+) us, *([0-9.]+) sy.*/\1 \2/' |
    awk '{ print $1 + $2 }')
real=$(busy_between '^%Cpu' "$top_out")
note "top us+sy per frame: $(tr '\n' ' ' <<<"$us"); the cgroup's real share in the last: ${real:-?} %"
expect_eq "[top] three frames" 3 "$(grep -c '^%Cpu' <<<"$top_out")" "$top_out"
expect_frame_busy top "$(sed -n 3p <<<"$us")" "$real" "$top_out"

vm_out=$(in_container '(sleep 0.5; python3 -c "$BURN" 4) & vmstat 1 3 | eval "$ANNOTATE"; wait')
vm_lines=$(grep -E '^ *[0-9]' <<<"$vm_out")
us=$(awk '{ print $13 + $14 }' <<<"$vm_lines")
real=$(busy_between '.' "$vm_lines")
note "vmstat us+sy per line: $(tr '\n' ' ' <<<"$us"); the cgroup's real share in the last: ${real:-?} %"
expect_eq "[vmstat] three lines" 3 "$(wc -l <<<"$vm_lines")" "$vm_out"
expect_frame_busy vmstat "$(sed -n 3p <<<"$us")" "$real" "$vm_out"

# The last block comes well after the allocation has finished: both figures are at rest.
free_out=$(in_container '(sleep 0.5; python3 -c "$ALLOC" 5 >/dev/null) & free -m -s1 -c4 | eval "$ANNOTATE"; wait')
mem_lines=$(grep '^Mem:' <<<"$free_out")
used=$(awk '{ print $3 }' <<<"$mem_lines")
rss_mib=$(awk '{ printf "%d\n", $NF / 1048576 }' <<<"$mem_lines")
note "free used per block: $(tr '\n' ' ' <<<"$used"); the cgroup's rss: $(tr '\n' ' ' <<<"$rss_mib")"
expect_eq "[free] total is the 512 MiB limit" 512 "$(awk '{ print $2; exit }' <<<"$mem_lines")" "$free_out"
grew=$(($(sed -n 4p <<<"$rss_mib") - $(sed -n 1p <<<"$rss_mib")))
expect_cmp "[free] the 100 MiB allocation was made by the last block" "$grew" ">=" 95 "$free_out"
expect_between "[free] used grew as the cgroup's rss did (${grew} MiB)" "$((grew - 12))" \
    "$(($(sed -n 4p <<<"$used") - $(sed -n 1p <<<"$used")))" "$((grew + 12))" "$free_out"
itest_finish
