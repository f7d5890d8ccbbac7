#!/bin/bash
# The layer check fails where it should: small trees with one violation each.
set -u
LAYERS=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
tree() { # NAME: a clean tree of every known module in $tmp/NAME/src
    local m
    for m in util model cgroup host render registry protocol view fuse control client daemon ctl hook oci-hook; do
        mkdir -p "$tmp/$1/src/$m"
        echo "#include \"util/result.hpp\"" >"$tmp/$1/src/$m/a.cpp"
    done
    : >"$tmp/$1/src/util/a.cpp"
}
expect() { # NAME WANT(0|1) PATTERN
    local out rc
    out=$(python3 "$LAYERS" "$tmp/$1/src" 2>&1)
    rc=$?
    if [[ $rc != "$2" ]] || ! grep -qE -- "$3" <<<"$out"; then
        echo "FAIL: $1: expected exit $2 and /$3/, got $rc:"
        sed 's/^/  | /' <<<"$out"
        failures=$((failures + 1))
    else
        echo "ok: $1"
    fi
}
tree clean
expect clean 0 "0 problems"
tree upward
echo '#include "view/engine.hpp"' >>"$tmp/upward/src/model/a.cpp"
expect upward 1 'src/model/a.cpp:2: includes "view/engine.hpp": model/ may not use view/'
tree sibling
echo '#include "host/host_proc.hpp"' >"$tmp/sibling/src/cgroup/b.hpp"
expect sibling 1 'cgroup/ may not use host/'
tree binaries
echo '#include "ctl/options.hpp"' >>"$tmp/binaries/src/daemon/a.cpp"
expect binaries 1 'daemon/ may not use ctl/'
tree asio
echo '#include <boost/asio.hpp>' >>"$tmp/asio/src/view/a.cpp"
expect asio 1 'includes <boost/asio.hpp>, which only control/ may use'
tree fuse
echo '#include <fuse_lowlevel.h>' >>"$tmp/fuse/src/daemon/a.cpp"
expect fuse 1 'only fuse/ may use'
tree json
echo '#include <nlohmann/json.hpp>' >"$tmp/json/src/protocol/fields.hpp"
echo '#include "protocol/fields.hpp"' >>"$tmp/json/src/client/a.cpp"
expect json 1 'brings nlohmann/json into client/'
tree meson
echo "lensfs_model_lib = static_library('m', dependencies : [lensfs_view_dep])" >"$tmp/meson/src/model/meson.build"
expect meson 1 'src/model/meson.build:1: depends on view/'
tree unknown
mkdir -p "$tmp/unknown/src/extra"
expect unknown 1 'src/extra/: a module the layer test does not know'
echo "# layers self-test: $failures failed"
exit $((failures > 0))
