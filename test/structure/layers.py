#!/usr/bin/env python3
"""The source tree's layers, checked: every module of src/ may include from, and list in its
meson.build as a dependency, only the modules below it. Run with the path of src/.

    util <- model <- {cgroup, host, render, registry, protocol, seccomp} <- view <- {fuse, control}
    protocol <- client;  the binaries (daemon, ctl, hook, oci-hook) sit on top, never on each
    other.

Also: Boost.Asio only in control/, fuse_lowlevel.h only in fuse/, and no module includes
another module's header that brings in nlohmann/json (protocol, registry, ctl and oci-hook
use it inside; so does seccomp, for the runtime's message).
Prints every violation with file and line; exits 1 if there is one.
"""
import re
import sys
from pathlib import Path

FLOOR_1 = {"util"}
FLOOR_2 = FLOOR_1 | {"model"}
FLOOR_3 = FLOOR_2 | {"cgroup", "host", "render", "registry", "protocol", "seccomp"}
FLOOR_4 = FLOOR_3 | {"view"}
FLOOR_5 = FLOOR_4 | {"fuse", "control", "client"}

# What each module may include ("lensfs" is include/lensfs, the public C header).
ALLOWED = {
    "util": set(),
    "model": FLOOR_1,
    "cgroup": FLOOR_2,
    "host": FLOOR_2,
    "render": FLOOR_2,
    "registry": FLOOR_2,
    "protocol": FLOOR_2,
    "seccomp": FLOOR_2,
    "view": FLOOR_3,
    "fuse": FLOOR_4,
    "control": FLOOR_4,
    "client": FLOOR_2 | {"protocol"},
    "daemon": FLOOR_5,
    "ctl": FLOOR_4 | {"client"},
    "hook": FLOOR_2 | {"protocol", "client", "lensfs"},
    # lensfs-oci-hook is built on the hook library (liblensfs-hook), as any runtime would be.
    "oci-hook": FLOOR_4 | {"client", "lensfs", "hook"},
}

# Third-party headers that belong to one module.
OWNED_HEADERS = {
    re.compile(r"^boost/asio"): {"control"},
    re.compile(r"^fuse_lowlevel\.h$|^fuse\.h$|^fuse_common\.h$"): {"fuse"},
}

INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]')
DEP = re.compile(r"\blensfs_([a-z]+)_dep\b")
# Meson's names for modules whose folder has a dash or a different library name.
DEP_NAMES = {"oci": "oci-hook"}


def check(src: Path) -> list[str]:
    problems = []
    json_headers = set()  # headers that include nlohmann/json
    includes = []  # (where, module, target) of every include from another module
    modules = sorted(p.name for p in src.iterdir() if p.is_dir())
    for module in modules:
        if module not in ALLOWED:
            problems.append(f"src/{module}/: a module the layer test does not know; add it to "
                            f"test/structure/layers.py at its floor")
            continue
        allowed = ALLOWED[module]
        for path in sorted((src / module).rglob("*")):
            if path.suffix not in (".hpp", ".cpp", ".h"):
                continue
            for number, line in enumerate(path.read_text(errors="replace").splitlines(), 1):
                m = INCLUDE.match(line)
                if not m:
                    continue
                quote, target = m.groups()
                where = f"{path.relative_to(src.parent)}:{number}"
                first = target.split("/", 1)[0]
                if quote == '"' and "/" in target and first != module and first not in allowed:
                    problems.append(f'{where}: includes "{target}": {module}/ may not use {first}/')
                for pattern, owners in OWNED_HEADERS.items():
                    if pattern.search(target) and module not in owners:
                        problems.append(f"{where}: includes <{target}>, which only "
                                        f"{', '.join(sorted(owners))}/ may use")
                if target.startswith("nlohmann/") and path.suffix != ".cpp":
                    json_headers.add(f"{module}/{path.relative_to(src / module)}")
                elif quote == '"' and first != module:
                    includes.append((where, module, target))
        build = src / module / "meson.build"
        if build.exists():
            for number, line in enumerate(build.read_text().splitlines(), 1):
                if "declare_dependency" in line or re.match(r"^\s*lensfs_\w+_dep\s*=", line):
                    continue
                for dep in DEP.findall(line):
                    dep = DEP_NAMES.get(dep, dep)
                    if dep != module and dep not in allowed and dep in ALLOWED:
                        problems.append(f"src/{module}/meson.build:{number}: depends on "
                                        f"{dep}/, which {module}/ may not use")
    for where, module, target in includes:
        if target in json_headers:
            problems.append(f'{where}: includes "{target}", which brings nlohmann/json into '
                            f"{module}/; keep JSON inside the module that parses it")
    return problems


def main() -> int:
    if len(sys.argv) != 2:
        print("usage: layers.py SRC_DIR", file=sys.stderr)
        return 2
    src = Path(sys.argv[1])
    problems = check(src)
    for p in problems:
        print(f"FAIL: {p}")
    modules = sum(1 for p in src.iterdir() if p.is_dir())
    print(f"layers: {modules} modules checked, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
