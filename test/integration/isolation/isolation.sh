#!/bin/bash
# No reader ever sees another container's text, whatever syscall it reads with.
#
# Readers in a 256 MiB and a 1 GiB cgroup loop on meminfo at the same time with read, pread
# (one open kept), sendfile into a pipe and splice: on the shared tree, through a bind mount of
# it, and (for the small one) on its own tree bind-mounted over /proc/meminfo in its own mount
# and pid namespace. An unprivileged attacker in a 512 MiB cgroup loops mmap + madvise and
# fadvise + readahead on the shared tree. Two runc busybox containers (256 MiB) loop `cat
# /proc/meminfo`: one with its own tree bound by the OCI hook, one with the shared tree bound
# LXCFS-style. Every read is checked: 0 wrong everywhere; page-cache access to the shared tree is
# refused (the figures are printed), to a container's own tree served.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../runc_lib.sh"
require_root_and_fuse
require_hierarchy memory
[[ -x ${XTALK-} && -x ${LENSCTL-} && -x ${OCI_HOOK-} ]] || die "XTALK, LENSCTL and OCI_HOOK must be set"
DUR=${XTALK_SECONDS:-5}

SOCK=$ITEST_TMP/lensfs.sock
mkdir -p "$ITEST_TMP/state"
start_lensfs --socket "$SOCK" --state-dir "$ITEST_TMP/state"
make_cgroup small memory
cg_write memory small memory.limit_in_bytes $((256 << 20))
make_cgroup big memory
cg_write memory big memory.limit_in_bytes $((1024 << 20))
make_cgroup attacker memory
cg_write memory attacker memory.limit_in_bytes $((512 << 20))
SMALL_ID=lensfs-test-iso-small-$$
"$LENSCTL" --socket "$SOCK" register "$SMALL_ID" --cgroup "/$(cg_rel small)" >/dev/null ||
    die "cannot register $SMALL_ID"
TREE=$MOUNT/containers/$SMALL_ID

# A bind mount of the shared file, as LXCFS users make them.
BIND=$ITEST_TMP/meminfo.bind
touch "$BIND"
mount --bind "$MOUNT/proc/meminfo" "$BIND" || die "cannot bind $MOUNT/proc/meminfo"
unbind() { umount -l "$BIND" 2>/dev/null; }
ITEST_CLEANUP_HOOKS+=(unbind)

# The two runc containers: started first, they loop for DUR seconds.
LOOP='end=$(( $(date +%s) + '$DUR' )); while [ $(date +%s) -lt $end ]; do
    for i in 1 2 3 4 5 6 7 8 9 10; do cat /proc/meminfo; done | grep "^MemTotal"; done
echo "== done"; exec sleep 600'
require_runc
OWN_ID=lensfs-test-iso-own-$$
LXC_ID=lensfs-test-iso-lxc-$$
runc_bundle "$OWN_ID" "$LOOP"
RUNC_MEMORY=$((256 << 20)) RUNC_HOOKS="$SOCK $MOUNT" runc_config "$OWN_ID"
runc_bundle "$LXC_ID" "$LOOP"
RUNC_MEMORY=$((256 << 20)) RUNC_BINDS="$MOUNT/proc/meminfo:/proc/meminfo" runc_config "$LXC_ID"
runc_start "$OWN_ID" || die "runc run $OWN_ID failed: $(cat "$ITEST_TMP/$OWN_ID.out")"
runc_start "$LXC_ID" || die "runc run $LXC_ID failed: $(cat "$ITEST_TMP/$LXC_ID.out")"

# reader NAME CGROUP MODE PATH KB [WRAPPER...]: one xtalk loop in the background.
readers=()
reader() {
    local name=$1 cg=$2 mode=$3 path=$4 kb=$5
    shift 5
    run_in_cgroup_bg "$cg" "$@" "$XTALK" "$mode" "$path" "$kb" "$DUR" >"$ITEST_TMP/x.$name"
    readers+=("$name:$BG_PID")
}
for mode in read pread sendfile splice; do
    reader "shared-small-$mode" small "$mode" "$MOUNT/proc/meminfo" 262144
    reader "shared-big-$mode" big "$mode" "$MOUNT/proc/meminfo" 1048576
done
reader bind-small-sendfile small sendfile "$BIND" 262144
reader bind-big-read big read "$BIND" 1048576
reader bind-big-sendfile big sendfile "$BIND" 1048576
nobody=(setpriv --reuid=65534 --regid=65534 --clear-groups)
reader attack-mmap attacker mmap "$MOUNT/proc/meminfo" 524288 "${nobody[@]}"
reader attack-fadvise attacker fadvise "$MOUNT/proc/meminfo" 524288 "${nobody[@]}"
run_in_cgroup_bg small unshare --mount --pid --fork --mount-proc bash -c '
    mount --bind "$1/proc/meminfo" /proc/meminfo || exit 1
    for mode in read pread sendfile splice; do
        "$2" "$mode" /proc/meminfo 262144 "$3" >"$4.$mode" &
    done
    wait' ns "$TREE" "$XTALK" "$DUR" "$ITEST_TMP/x.own-ns"
readers+=("own-ns:$BG_PID")

for entry in "${readers[@]}"; do wait_pid "${entry#*:}" $((DUR + 30)); done
runc_wait_line "$OWN_ID" '^== done' 30
runc_wait_line "$LXC_ID" '^== done' 30

field() { sed -nE "s/.* $1=([0-9]+).*/\1/p" <<<"$2"; }

# check_reader FILE REFUSED: REFUSED is "none" (page-cache access must be served), "all"
# (it must be refused) or "any".
check_reader() {
    local name=${1##*/x.} text refused reads
    text=$(cat "$1" 2>/dev/null)
    name=${name//./-}
    reads=$(field reads "$text")
    refused=$(field refused "$text")
    note "$name: $text"
    expect_cmp "[$name] made reads" "${reads:-0}" ">" 10 "$text"
    expect_eq "[$name] no read showed another container's MemTotal" 0 "$(field wrong "$text")" "$text"
    expect_eq "[$name] every read had a MemTotal line" 0 "$(field bad "$text")" "$text"
    expect_eq "[$name] no read failed" 0 "$(field errors "$text")" "$text"
    case $2 in
    none) expect_eq "[$name] page-cache reads were served" 0 "${refused:-x}" "$text" ;;
    all) expect_eq "[$name] page-cache reads were refused" "$reads" "${refused:-x}" "$text" ;;
    esac
}

for mode in read pread; do
    check_reader "$ITEST_TMP/x.shared-small-$mode" none
    check_reader "$ITEST_TMP/x.shared-big-$mode" none
    check_reader "$ITEST_TMP/x.own-ns.$mode" none
done
check_reader "$ITEST_TMP/x.bind-big-read" none
for mode in sendfile splice; do
    check_reader "$ITEST_TMP/x.shared-small-$mode" all
    check_reader "$ITEST_TMP/x.shared-big-$mode" all
    check_reader "$ITEST_TMP/x.own-ns.$mode" none
done
check_reader "$ITEST_TMP/x.bind-small-sendfile" all
check_reader "$ITEST_TMP/x.bind-big-sendfile" all

# The attackers see nothing through the cache: every access refused, no text at all.
for a in mmap fadvise; do
    text=$(cat "$ITEST_TMP/x.attack-$a")
    note "attacker $a: $text"
    expect_eq "[attacker $a] saw no text through the page cache" 0 "$(field reads "$text")" "$text"
    expect_cmp "[attacker $a] kept trying" "$(field refused "$text")" ">" 10 "$text"
done

# The runc containers: busybox cat (sendfile, falling back to read on the shared tree).
for id in "$OWN_ID" "$LXC_ID"; do
    out=$(cat "$ITEST_TMP/$id.out")
    total=$(grep -c '^MemTotal' <<<"$out")
    wrong=$(grep '^MemTotal' <<<"$out" | grep -cv ' 262144 kB$')
    note "runc ${id%-*}: $total cat reads, $wrong wrong"
    expect_cmp "[runc ${id%-*}] cat ran" "$total" ">" 10 "$out"
    expect_eq "[runc ${id%-*}] every cat showed 262144 kB" 0 "$wrong" "$out"
done
expect_eq "the daemon is still running" yes "$(alive "$LENSFS_PID" && echo yes || echo no)"
itest_finish
