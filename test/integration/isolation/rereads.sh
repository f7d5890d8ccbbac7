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
out=$(run_in_cgroup rr python3 - "$MOUNT" "$BURN" "$ALLOC" <<'PY'
import os, subprocess, sys
mount, burn, alloc = sys.argv[1:]
fds = {n: os.open(f"{mount}/proc/{n}", os.O_RDONLY) for n in ("stat", "meminfo", "uptime")}
def snap():
    out = {}
    for name, fd in fds.items():
        os.lseek(fd, 0, os.SEEK_SET)
        out[name] = os.read(fd, 1 << 16).decode()
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
print("memfree", memfree(a["meminfo"]), memfree(b["meminfo"]))
print("uptime", a["uptime"].split()[0], b["uptime"].split()[0])
PY
)
note "kept-open descriptors: $(tr '\n' ';' <<<"$out")"
read -r _ busy0 busy1 < <(grep '^busy' <<<"$out")
read -r _ free0 free1 < <(grep '^memfree' <<<"$out")
read -r _ up0 up1 < <(grep '^uptime' <<<"$out")
expect_cmp "[fd kept open] /proc/stat busy ticks grew by the 2 s burn" \
    "$((${busy1:-0} - ${busy0:-0}))" ">=" 150 "$out"
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

top_out=$(in_container '(sleep 0.5; python3 -c "$BURN" 4) & top -bn3 -d1; wait')
us=$(grep '^%Cpu' <<<"$top_out" | sed -E 's/^%Cpu\(s\): *([0-9.]+) us.*/\1/')
note "top us per frame: $(tr '\n' ' ' <<<"$us")"
expect_eq "[top] three frames" 3 "$(grep -c '^%Cpu' <<<"$top_out")" "$top_out"
expect_cmp "[top] the third frame shows the burn" "$(sed -n 3p <<<"$us")" ">=" 80 "$top_out"

vm_out=$(in_container '(sleep 0.5; python3 -c "$BURN" 4) & vmstat 1 3; wait')
us=$(awk 'NR > 2 { print $13 }' <<<"$vm_out")
note "vmstat us per line: $(tr '\n' ' ' <<<"$us")"
expect_cmp "[vmstat] the third line shows the burn" "$(sed -n 3p <<<"$us")" ">=" 80 "$vm_out"

free_out=$(in_container '(sleep 0.5; python3 -c "$ALLOC" 4 >/dev/null) & free -m -s1 -c3; wait')
used=$(awk '$1 == "Mem:" { print $3 }' <<<"$free_out")
note "free used per block: $(tr '\n' ' ' <<<"$used")"
expect_eq "[free] total is the 512 MiB limit" 512 "$(awk '$1 == "Mem:" { print $2; exit }' <<<"$free_out")" "$free_out"
expect_cmp "[free] used grew by the 100 MiB allocation" \
    "$(($(sed -n 3p <<<"$used") - $(sed -n 1p <<<"$used")))" ">=" 95 "$free_out"
itest_finish
