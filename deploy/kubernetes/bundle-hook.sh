#!/bin/sh
# bundle-hook.sh EXECUTABLE NODE_DIR OUT_DIR [HOOKS_JSON...]
#
# Makes EXECUTABLE runnable on a node whatever that node's own libraries are. An OCI hook runs
# on the node, started by the node's runtime, not in the lensfs image: it must not depend on
# the node having the libraries (libfmt, libstdc++, liblensfs-hook, a recent glibc) it was
# built with. OUT_DIR receives, laid out to be copied to NODE_DIR on the node:
#
#   bin/NAME       a /bin/sh wrapper that starts NAME through the bundled dynamic loader
#   libexec/NAME   the executable itself
#   lib/           every shared library it loads (as ldd(1) resolves them) and the loader
#   hooks.d/FILE   for each HOOKS_JSON: a copy whose "path" is NODE_DIR/bin/NAME
#
# ldd must resolve every library (set LD_LIBRARY_PATH for libraries outside the default
# paths); an unresolved one is an error.
set -eu

if [ $# -lt 3 ]; then
    echo "usage: bundle-hook.sh EXECUTABLE NODE_DIR OUT_DIR [HOOKS_JSON...]" >&2
    exit 2
fi
exe=$1
node_dir=$2
out=$3
shift 3
name=$(basename "$exe")

die() { echo "bundle-hook.sh: $*" >&2; exit 1; }

[ -x "$exe" ] || die "$exe is not an executable"
case $node_dir in /*) ;; *) die "NODE_DIR must be absolute, not '$node_dir'" ;; esac

libs=$(ldd "$exe") || die "ldd cannot read $exe (not a dynamic executable?)"
if printf '%s\n' "$libs" | grep -q 'not found'; then
    die "unresolved libraries of $exe:
$(printf '%s\n' "$libs" | grep 'not found')"
fi

mkdir -p "$out/bin" "$out/libexec" "$out/lib"
cp -L "$exe" "$out/libexec/$name"

# "libx.so.1 => /path/libx.so.1 (0x...)" is a library, "/lib64/ld-linux-x86-64.so.2 (0x...)"
# the loader; linux-vdso has no file.
printf '%s\n' "$libs" | while read -r soname arrow path _; do
    if [ "$arrow" = "=>" ] && [ -f "$path" ]; then
        cp -L "$path" "$out/lib/$soname"
    fi
done
loader=$(printf '%s\n' "$libs" | awk '$1 ~ /^\// && $2 != "=>" { print $1; exit }')
[ -n "$loader" ] || die "no dynamic loader among the libraries of $exe"
cp -L "$loader" "$out/lib/$(basename "$loader")"

# --inhibit-cache: the node's ld.so.cache names the node's libraries, not ours.
cat >"$out/bin/$name" <<WRAPPER
#!/bin/sh
# Runs $name with the libraries it was built with (bundled by lensfs's bundle-hook.sh).
exec "$node_dir/lib/$(basename "$loader")" --inhibit-cache --library-path "$node_dir/lib" \\
    --argv0 "\$0" "$node_dir/libexec/$name" "\$@"
WRAPPER
chmod 0755 "$out/bin/$name" "$out/libexec/$name"

for hooks_json in "$@"; do
    mkdir -p "$out/hooks.d"
    target="$out/hooks.d/$(basename "$hooks_json")"
    sed -E "s#(\"path\"[[:space:]]*:[[:space:]]*\")[^\"]*\"#\\1$node_dir/bin/$name\"#" \
        "$hooks_json" >"$target"
    grep -q "\"path\"[[:space:]]*:[[:space:]]*\"$node_dir/bin/$name\"" "$target" ||
        die "$hooks_json has no \"path\" to point at $node_dir/bin/$name"
done
