#!/usr/bin/env python3
"""`meson install --destdir` from the build directory, then checks the installed tree.

Always checked: every file meson means to install is there; the daemon, its man page (when
scdoc is installed), the systemd unit (ExecStart names the installed daemon), the tmpfiles.d
entry and the stale-mount helper. Checked when this build installs them: the hook library
(soname links, only lensfs_* exported, usable through its header and pkg-config file from a
C program), every other program (runs, has a man page), and the hooks.d files (schema, and
their hook path is the installed lensfs-oci-hook).
"""
import json
import os
import re
import shutil
import stat
import sys
import tempfile

from checks import Checks, die, env, run

OCI_STAGES = {"prestart", "createRuntime", "createContainer", "startContainer", "poststart",
              "poststop"}


def meson_json(meson, build, what):
    result = run([meson, "introspect", build, what])
    if result.returncode != 0:
        die(f"meson introspect {what} failed: {result.stderr}")
    return json.loads(result.stdout)


def install(t, build, destdir):
    built = run([env("NINJA"), "-C", build, "-j2"])
    if built.returncode != 0:
        die(f"the build fails, nothing to install:\n{built.stdout[-3000:]}")
    done = run([env("MESON"), "install", "-C", build, "--no-rebuild", "--quiet",
                "--destdir", destdir])
    t.check("meson install --destdir succeeds", done.returncode == 0, done.stdout + done.stderr)


class Tree:
    """The installed tree: install paths (absolute, as on the target) and their DESTDIR copy."""

    def __init__(self, destdir, installed, options):
        self.destdir = destdir
        self.paths = sorted(set(installed.values()))
        self.opt = {o["name"]: o["value"] for o in options}

    def dir(self, option):
        value = self.opt[option]
        return value if value.startswith("/") else os.path.join(self.opt["prefix"], value)

    def local(self, path):
        return self.destdir + path

    def under(self, option):
        top = self.dir(option) + "/"
        return [p for p in self.paths if p.startswith(top)]

    def find(self, pattern):
        return [p for p in self.paths if re.search(pattern, p)]


def is_elf(path):
    with open(path, "rb") as f:
        return f.read(4) == b"\x7fELF"


def is_executable(path):
    return os.path.isfile(path) and os.stat(path).st_mode & stat.S_IXUSR != 0


def check_every_file(t, tree):
    missing = [p for p in tree.paths if not os.path.lexists(tree.local(p))]
    t.check(f"all {len(tree.paths)} files meson installs are in the DESTDIR", not missing,
            f"missing: {missing}")


def check_daemon(t, tree, version):
    daemon = os.path.join(tree.dir("sbindir"), "lensfs")
    t.check(f"{daemon} is installed and executable", is_executable(tree.local(daemon)))
    out = run([tree.local(daemon), "--version"])
    t.equal("the installed lensfs reports the project version", f"lensfs {version}",
            out.stdout.strip())
    return daemon


def check_man_pages(t, tree):
    pages = tree.under("mandir")
    if shutil.which("scdoc"):
        t.check("man8/lensfs.8 is installed",
                os.path.join(tree.dir("mandir"), "man8", "lensfs.8") in pages, f"pages: {pages}")
    for page in pages:
        name, section = os.path.basename(page).rsplit(".", 1)
        with open(tree.local(page), encoding="utf-8") as f:
            text = f.read()
        header = re.search(r'^\.TH "?([^" ]+)"? "?([^" ]+)"?', text, re.M)
        t.check(f"{page} is a troff page titled {name}({section})",
                header and header.group(1).lower() == name.lower()
                and header.group(2) == section, text[:200])
    return pages


def unit_values(path):
    values = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith(("#", ";", "[")) and "=" in line:
                key, value = line.split("=", 1)
                values.setdefault(key.strip(), []).append(value.strip())
    return values


def check_service(t, tree, daemon):
    units = tree.find(r"/systemd/system/lensfs\.service$")
    if not t.check("the systemd unit lensfs.service is installed", len(units) == 1, units):
        return
    unit = unit_values(tree.local(units[0]))
    exec_start = unit.get("ExecStart", [""])[0].split()
    t.equal("ExecStart runs the installed daemon in the foreground", [daemon, "-f"],
            exec_start[:2])
    helpers = tree.find(r"/libexec/lensfs/unmount-stale$")
    t.check("the unmount-stale helper is installed and executable",
            len(helpers) == 1 and is_executable(tree.local(helpers[0])), helpers)
    mode = os.stat(tree.local(units[0])).st_mode & 0o777
    t.equal("the unit is installed with mode 0644", 0o644, mode)


def check_tmpfiles(t, tree):
    conf = os.path.join(tree.opt["prefix"], "lib", "tmpfiles.d", "lensfs.conf")
    if not t.check(f"{conf} is installed", conf in tree.paths):
        return
    with open(tree.local(conf), encoding="utf-8") as f:
        lines = [line.split() for line in f if line.strip() and not line.startswith("#")]
    t.check("tmpfiles.d creates /run/lensfs 0700 root root",
            ["d", "/run/lensfs", "0700", "root", "root", "-"] in lines, lines)
    t.check("tmpfiles.d creates the mount point /var/lib/lensfs",
            any(l[:2] == ["d", "/var/lib/lensfs"] for l in lines), lines)


def check_hook_library(t, tree):
    libs = tree.find(r"/liblensfs-hook\.so[.0-9]*$")
    if not libs:
        t.note("no liblensfs-hook.so in this build: hook library checks skipped")
        return False
    t.note("checking the hook library, its header and its pkg-config file")
    dev = [p for p in libs if p.endswith(".so")]
    if not t.check("liblensfs-hook.so (the development link) is installed", len(dev) == 1, libs):
        return True
    real = os.path.realpath(tree.local(dev[0]))
    t.check("the .so link resolves to an ELF shared library inside the DESTDIR",
            real.startswith(tree.destdir) and is_elf(real), real)
    soname = run(["readelf", "-d", real]).stdout
    t.check("the library has a SONAME liblensfs-hook.so.N",
            re.search(r"SONAME.*\[liblensfs-hook\.so\.\d+\]", soname), soname[:400])
    symbols = run(["nm", "-D", "--defined-only", real]).stdout.split("\n")
    names = [s.split()[-1] for s in symbols if len(s.split()) == 3 and s.split()[1] in "TDBRW"]
    stray = [n for n in names if not n.startswith("lensfs_")]
    t.check(f"the library exports only lensfs_* ({len(names)} symbols)", names and not stray,
            f"also exported: {stray[:20]}")
    return True


def check_hook_build(t, tree):
    header = os.path.join(tree.dir("includedir"), "lensfs", "hook.h")
    t.check(f"{header} is installed", header in tree.paths)
    pcs = tree.find(r"/pkgconfig/lensfs-hook\.pc$")
    if not t.check("lensfs-hook.pc is installed", len(pcs) == 1, pcs):
        return
    environment = dict(os.environ, PKG_CONFIG_SYSROOT_DIR=tree.destdir,
                       PKG_CONFIG_LIBDIR=os.path.dirname(tree.local(pcs[0])))
    flags = run(["pkg-config", "--cflags", "--libs", "lensfs-hook"], env=environment)
    if not t.check("pkg-config resolves lensfs-hook", flags.returncode == 0, flags.stderr):
        return
    compile_and_run(t, tree, flags.stdout.split())


# A real call through the installed header and library: no daemon listens on that path.
C_PROGRAM = """#include <errno.h>
#include <lensfs/hook.h>
int main(void) { return lensfs_ping("/nonexistent/lensfs.sock", 100) == -ENOENT ? 0 : 1; }
"""


def compile_and_run(t, tree, flags):
    compiler = shutil.which("cc") or shutil.which("gcc")
    if not compiler:
        t.note("no C compiler: the header and library are not compiled against")
        return
    with tempfile.TemporaryDirectory() as tmp:
        source, program = os.path.join(tmp, "use.c"), os.path.join(tmp, "use")
        with open(source, "w", encoding="utf-8") as f:
            f.write(C_PROGRAM)
        built = run([compiler, "-std=c99", "-Wall", "-Werror", source, "-o", program] + flags)
        if not t.check("a C program builds with the installed header and pkg-config flags",
                       built.returncode == 0, built.stderr):
            return
        libdir = [f[2:] for f in flags if f.startswith("-L")]
        ran = run([program], env=dict(os.environ, LD_LIBRARY_PATH=":".join(libdir)))
        t.equal("it loads the installed library and lensfs_ping() answers -ENOENT", 0,
                ran.returncode)


def check_programs(t, tree, pages):
    programs = [p for p in tree.under("bindir") + tree.under("sbindir")]
    t.note(f"installed programs: {', '.join(os.path.basename(p) for p in programs)}")
    page_names = {os.path.basename(p).rsplit(".", 1)[0] for p in pages}
    for program in programs:
        name = os.path.basename(program)
        local = tree.local(program)
        t.check(f"{name} is an executable ELF file", is_executable(local) and is_elf(local))
        helped = run([local, "--help"], env=dict(os.environ, LD_LIBRARY_PATH=lib_path(tree)))
        t.check(f"{name} --help exits 0", helped.returncode == 0, helped.stderr[:300])
        if shutil.which("scdoc"):
            t.check(f"{name} has an installed man page", name in page_names, sorted(page_names))


def lib_path(tree):
    return tree.local(tree.dir("libdir"))


def check_hooks_d(t, tree):
    files = tree.find(r"/hooks\.d/[^/]+\.json$")
    if not files:
        t.note("no hooks.d files in this build: hooks.d checks skipped")
        return
    t.note(f"checking hooks.d files: {', '.join(os.path.basename(f) for f in files)}")
    hook = os.path.join(tree.dir("bindir"), "lensfs-oci-hook")
    for path in files:
        name = os.path.basename(path)
        try:
            with open(tree.local(path), encoding="utf-8") as f:
                doc = json.load(f)
        except ValueError as e:
            t.check(f"{name} is JSON", False, str(e))
            continue
        t.equal(f"{name}: version", "1.0.0", doc.get("version"))
        t.equal(f"{name}: hook.path is the installed lensfs-oci-hook", hook,
                doc.get("hook", {}).get("path"))
        stages = doc.get("stages", [])
        t.check(f"{name}: stages are OCI stages", stages and set(stages) <= OCI_STAGES, stages)
        t.check(f"{name}: when has a condition", bool(doc.get("when")), doc.get("when"))
    t.check("lensfs-oci-hook is installed where the hooks.d files point", hook in tree.paths)


def main():
    t = Checks("install")
    build = env("BUILD_ROOT")
    destdir = tempfile.mkdtemp(prefix="lensfs-install-")
    try:
        install(t, build, destdir)
        tree = Tree(destdir, meson_json(env("MESON"), build, "--installed"),
                    meson_json(env("MESON"), build, "--buildoptions"))
        check_every_file(t, tree)
        daemon = check_daemon(t, tree, env("LENSFS_VERSION"))
        pages = check_man_pages(t, tree)
        check_service(t, tree, daemon)
        check_tmpfiles(t, tree)
        if check_hook_library(t, tree):
            check_hook_build(t, tree)
        check_programs(t, tree, pages)
        check_hooks_d(t, tree)
    finally:
        shutil.rmtree(destdir, ignore_errors=True)
    t.finish()


if __name__ == "__main__":
    main()
