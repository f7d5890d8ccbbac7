#!/usr/bin/env python3
"""Checks the generated systemd unit and tmpfiles.d entry.

The unit's keys are read with a small parser (the settings the issue asks for, and no
sandboxing that would hide the mount from the host); `systemd-analyze verify` then checks
the whole unit as systemd reads it (it needs no systemd as pid 1), and, as root,
`systemd-tmpfiles --root` creates the directories of the tmpfiles.d entry in a scratch root.
"""
import os
import re
import shutil
import stat
import tempfile

from checks import Checks, env, run

MOUNTPOINT = "/var/lib/lensfs"
RUNTIMES = ["docker.service", "containerd.service", "crio.service", "podman.service"]
# Each of these gives the service a mount namespace of its own: the FUSE mount would not
# reach the host. ProtectProc= would also hide the processes whose reads it answers.
NAMESPACING_KEYS = [
    "ProtectSystem", "ProtectHome", "PrivateTmp", "PrivateMounts", "PrivateDevices",
    "ReadOnlyPaths", "ReadWritePaths", "InaccessiblePaths", "TemporaryFileSystem", "BindPaths",
    "BindReadOnlyPaths", "RootDirectory", "RootImage", "MountFlags", "ProtectKernelTunables",
    "ProtectKernelModules", "ProtectControlGroups", "ProtectProc", "ProcSubset",
]


def parse_unit(path):
    """{section: {key: [values]}}; continuation lines are joined."""
    sections, section, pending = {}, None, ""
    with open(path, encoding="utf-8") as f:
        for raw in f:
            line = pending + raw.rstrip("\n")
            pending = ""
            if line.endswith("\\"):
                pending = line[:-1] + " "
                continue
            line = line.strip()
            if not line or line.startswith(("#", ";")):
                continue
            if line.startswith("["):
                section = sections.setdefault(line.strip("[]"), {})
            elif "=" in line and section is not None:
                key, value = line.split("=", 1)
                section.setdefault(key.strip(), []).append(value.strip())
    return sections


def one(section, key):
    values = section.get(key, [])
    return values[-1] if values else None


def check_service_keys(t, service):
    daemon = os.path.join(env("PREFIX"), env("SBINDIR"), "lensfs")
    t.equal("Type=notify (READY=1 once a server serves)", "notify", one(service, "Type"))
    t.equal("NotifyAccess=main (only the keeper speaks)", "main", one(service, "NotifyAccess"))
    t.check("FileDescriptorStoreMax= leaves room for the keeper's three descriptors",
            int(one(service, "FileDescriptorStoreMax") or 0) >= 3,
            one(service, "FileDescriptorStoreMax"))
    t.equal("ExecReload sends SIGUSR1 to the keeper", ["/bin/kill", "-USR1", "$MAINPID"],
            (one(service, "ExecReload") or "").split())
    t.equal("ExecStart runs the installed daemon: lensfs -f MOUNTPOINT",
            [daemon, "-f", MOUNTPOINT], (one(service, "ExecStart") or "").split())
    t.check("ExecStart is an absolute path", daemon.startswith("/"), daemon)
    t.equal("Restart=on-failure", "on-failure", one(service, "Restart"))
    t.equal("OOMScoreAdjust=-1000 (never chosen by the OOM killer)", "-1000",
            one(service, "OOMScoreAdjust"))
    t.equal("KillMode=mixed (SIGTERM to the keeper, which drains its server)", "mixed",
            one(service, "KillMode"))
    t.check("no ExecStopPost: its statfs would wait for a server during a restart, and the "
            "keeper detaches a dead mount itself", one(service, "ExecStopPost") is None,
            one(service, "ExecStopPost"))
    t.equal("RuntimeDirectory=lensfs", "lensfs", one(service, "RuntimeDirectory"))
    t.equal("the runtime directory (registry) survives a restart", "yes",
            one(service, "RuntimeDirectoryPreserve"))
    present = [k for k in NAMESPACING_KEYS if k in service]
    t.check("no setting that gives the service its own mount namespace", not present, present)


def check_unit_keys(t, unit):
    before = " ".join(unit.get("Unit", {}).get("Before", [])).split()
    t.check("ordered before the container runtimes", set(RUNTIMES) <= set(before), before)
    t.equal("WantedBy=multi-user.target", "multi-user.target",
            one(unit.get("Install", {}), "WantedBy"))
    check_service_keys(t, unit.get("Service", {}))


def verify_with_systemd(t, unit_path):
    """systemd-analyze verify on a copy whose programs are the ones in this tree."""
    analyze = shutil.which("systemd-analyze")
    if not analyze:
        t.note("systemd-analyze is missing: the unit is checked by the parser only")
        return
    with open(unit_path, encoding="utf-8") as f:
        text = f.read()
    text = re.sub(r"^ExecStart=\S+", "ExecStart=" + env("LENSFS"), text, flags=re.M)
    with tempfile.TemporaryDirectory() as tmp:
        copy = os.path.join(tmp, "lensfs.service")
        with open(copy, "w", encoding="utf-8") as f:
            f.write(text)
        result = run([analyze, "verify", "--man=no", copy])
    complaints = [l for l in (result.stdout + result.stderr).splitlines() if "lensfs" in l]
    t.check("systemd-analyze verify accepts the unit without a warning",
            result.returncode == 0 and not complaints, "\n".join(complaints) or result.stderr)


def check_tmpfiles(t, conf):
    with open(conf, encoding="utf-8") as f:
        lines = [l.split() for l in f if l.strip() and not l.lstrip().startswith("#")]
    t.check("tmpfiles.d: d /run/lensfs 0700 root root -",
            ["d", "/run/lensfs", "0700", "root", "root", "-"] in lines, lines)
    t.check("tmpfiles.d: d /var/lib/lensfs 0755 root root -",
            ["d", MOUNTPOINT, "0755", "root", "root", "-"] in lines, lines)
    tool = shutil.which("systemd-tmpfiles")
    if os.geteuid() != 0 or not tool:
        t.note("not root or no systemd-tmpfiles: the entry is not applied")
        return
    with tempfile.TemporaryDirectory() as root:
        result = run([tool, "--create", f"--root={root}", conf])
        t.check("systemd-tmpfiles --create --root applies the entry", result.returncode == 0,
                result.stderr)
        for path, mode in (("/run/lensfs", 0o700), (MOUNTPOINT, 0o755)):
            st = os.stat(root + path) if os.path.isdir(root + path) else None
            t.check(f"it creates {path} with mode {mode:o}, owned by root",
                    st and stat.S_IMODE(st.st_mode) == mode and st.st_uid == 0,
                    st and oct(st.st_mode))


def main():
    t = Checks("systemd")
    unit_path = env("LENSFS_UNIT")
    unit = parse_unit(unit_path)
    check_unit_keys(t, unit)
    verify_with_systemd(t, unit_path)
    check_tmpfiles(t, env("LENSFS_TMPFILES"))
    t.finish()


if __name__ == "__main__":
    main()
