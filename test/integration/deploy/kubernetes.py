#!/usr/bin/env python3
"""Parses and cross-checks the Kubernetes manifests and image build file of deploy/kubernetes.

Every YAML document is an object with apiVersion, kind and a valid metadata.name; the
kustomization lists every manifest; the DaemonSet runs the image the Containerfile documents
(tagged with the project version), privileged with host pids, with /var/lib/lensfs mounted
with bidirectional propagation; every volume is mounted and every mount names a volume; the
init container writes where its hostPaths are; the Containerfile copies what the build reads
and fetches nothing but Debian packages; the example pod bind-mounts every /proc file lensfs
serves (asked of a real daemon when run as root) from /var/lib/lensfs.
"""
import glob
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

import yaml

from checks import Checks, env, is_root_with_fuse

MOUNTPOINT = "/var/lib/lensfs"
DNS_NAME = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
# The /proc files runc lets a container bind-mount over (its checkProcMount list).
RUNC_PROC_FILES = {"cpuinfo", "diskstats", "meminfo", "stat", "swaps", "uptime", "loadavg",
                   "slabinfo"}
# What lensfs serves (DESIGN.md's layout), for a test run without root.
SERVED_PROC_FILES = {"cpuinfo", "diskstats", "meminfo", "stat", "swaps", "uptime", "loadavg",
                     "slabinfo"}


def load_documents(t, directory):
    docs = {}
    for path in sorted(glob.glob(os.path.join(directory, "*.y*ml"))):
        name = os.path.basename(path)
        try:
            with open(path, encoding="utf-8") as f:
                docs[name] = [d for d in yaml.safe_load_all(f) if d is not None]
        except yaml.YAMLError as e:
            t.check(f"{name} parses as YAML", False, str(e))
            continue
        t.check(f"{name} parses as YAML ({len(docs[name])} objects)", docs[name])
    return docs


def check_objects(t, docs):
    for name, objects in docs.items():
        for obj in objects:
            meta = obj.get("metadata") or {} if isinstance(obj, dict) else {}
            label = f"{name}: {obj.get('kind') if isinstance(obj, dict) else obj!r}"
            t.check(f"{label} has apiVersion, kind and metadata.name",
                    isinstance(obj, dict) and obj.get("apiVersion") and obj.get("kind")
                    and meta.get("name"), obj)
            t.check(f"{label} name {meta.get('name')!r} is a DNS-1123 name",
                    DNS_NAME.match(str(meta.get("name", ""))))


def objects_of(docs, kind):
    return [o for objects in docs.values() for o in objects if o.get("kind") == kind]


def check_kustomization(t, docs, directory):
    kustomizations = objects_of(docs, "Kustomization")
    if not t.check("there is one kustomization", len(kustomizations) == 1):
        return
    listed = kustomizations[0].get("resources", [])
    missing = [r for r in listed if not os.path.isfile(os.path.join(directory, r))]
    t.check("every resource the kustomization lists exists", not missing, missing)
    manifests = set(docs) - {"kustomization.yaml", "example-pod.yaml"}
    t.check("the kustomization lists every manifest but the example",
            manifests == set(listed), f"listed {sorted(listed)}, present {sorted(manifests)}")


def check_namespaces(t, docs):
    namespaces = [o["metadata"]["name"] for o in objects_of(docs, "Namespace")]
    if not t.check("one namespace is defined", len(namespaces) == 1, namespaces):
        return
    for name in set(docs) - {"example-pod.yaml", "kustomization.yaml"}:
        for obj in docs[name]:
            if obj.get("kind") != "Namespace":
                t.equal(f"{name}: {obj.get('kind')} lives in namespace {namespaces[0]}",
                        namespaces[0], obj.get("metadata", {}).get("namespace"))


def documented_image(t, source):
    """The image name of the build command the Containerfile documents."""
    with open(os.path.join(source, "deploy", "kubernetes", "Containerfile"), encoding="utf-8") as f:
        text = f.read()
    names = re.findall(r"build -t (\S+) -f deploy/kubernetes/Containerfile", text)
    t.check("the Containerfile documents its build command and image name", len(names) == 1)
    return (names or [None])[0], text


def check_image(t, pod, image, source, version):
    t.equal("the documented image is tagged with the project version", f"localhost/lensfs:{version}",
            image)
    containers = pod.get("initContainers", []) + pod.get("containers", [])
    for c in containers:
        t.equal(f"container {c.get('name')} runs the documented image", image, c.get("image"))
    with open(os.path.join(source, "docs", "kubernetes.md"), encoding="utf-8") as f:
        t.check("docs/kubernetes.md names the same image", image and image in f.read())


def check_volumes(t, pod, where):
    volumes = [v.get("name") for v in pod.get("volumes", [])]
    t.check(f"{where}: volume names are unique", len(volumes) == len(set(volumes)), volumes)
    mounted = set()
    for c in pod.get("initContainers", []) + pod.get("containers", []):
        paths = [m.get("mountPath") for m in c.get("volumeMounts", [])]
        t.check(f"{where}: {c.get('name')}'s mount paths are unique", len(paths) == len(set(paths)))
        for m in c.get("volumeMounts", []):
            t.check(f"{where}: {c.get('name')} mounts declared volume {m.get('name')}",
                    m.get("name") in volumes)
            mounted.add(m.get("name"))
    unused = set(volumes) - mounted
    t.check(f"{where}: every volume is mounted", not unused, sorted(unused))


def host_paths(pod):
    return {v["name"]: v["hostPath"] for v in pod.get("volumes", []) if "hostPath" in v}


def mount_of(container, volume):
    return next((m for m in container.get("volumeMounts", []) if m.get("name") == volume), None)


def check_daemon_container(t, pod):
    t.equal("the pod uses the host's pid namespace", True, pod.get("hostPID"))
    hp = host_paths(pod)
    by_path = {h["path"]: n for n, h in hp.items()}
    main = [c for c in pod.get("containers", []) if c.get("name") == "lensfs"]
    if not t.check("there is a container named lensfs", len(main) == 1):
        return
    c = main[0]
    t.equal("the lensfs container is privileged", True,
            (c.get("securityContext") or {}).get("privileged"))
    mnt = mount_of(c, by_path.get(MOUNTPOINT))
    t.check(f"hostPath {MOUNTPOINT} is mounted at {MOUNTPOINT} with Bidirectional propagation",
            mnt and mnt.get("mountPath") == MOUNTPOINT
            and mnt.get("mountPropagation") == "Bidirectional", mnt)
    for path, target, read_only in (("/run/lensfs", "/run/lensfs", False),
                                    ("/sys/fs/cgroup", "/sys/fs/cgroup", True),
                                    ("/dev/fuse", "/dev/fuse", False)):
        m = mount_of(c, by_path.get(path))
        t.check(f"hostPath {path} is mounted at {target}" + (" read-only" if read_only else ""),
                m and m.get("mountPath") == target and bool(m.get("readOnly")) == read_only, m)
    t.equal("/dev/fuse is a CharDevice hostPath", "CharDevice",
            hp.get(by_path.get("/dev/fuse"), {}).get("type"))
    t.check("no memory limit on the daemon",
            "memory" not in ((c.get("resources") or {}).get("limits") or {}))


def check_init_container(t, pod, containerfile):
    inits = pod.get("initContainers", [])
    if not t.check("one init container installs the hook", len(inits) == 1):
        return
    script = " ".join(inits[0].get("command", []) + inits[0].get("args", []))
    hp = host_paths(pod)
    node_dir = re.search(r"^ARG LENSFS_NODE_DIR=(\S+)", containerfile, re.M)
    node_dir = node_dir.group(1) if node_dir else None
    for volume, path in ((n, h["path"]) for n, h in hp.items()):
        m = mount_of(inits[0], volume)
        if m is None:
            continue
        t.equal(f"init container mounts hostPath {path} at /host{path}", "/host" + path,
                m.get("mountPath"))
        t.check(f"its script writes to /host{path}", "/host" + path in script)
    t.check(f"the bundle's node directory {node_dir} is a hostPath of the init container",
            any(h["path"] == node_dir and mount_of(inits[0], n) for n, h in hp.items()))
    t.check("the hooks.d files go to /etc/containers/oci/hooks.d on the node",
            any(h["path"] == "/etc/containers/oci/hooks.d" and mount_of(inits[0], n)
                for n, h in hp.items()))


def check_containerfile(t, text, source, pod):
    bases = re.findall(r"^FROM (\S+)", text, re.M)
    t.check("the image builds only from Debian 12", bases and all(
        re.fullmatch(r"debian:12(-slim)?", b) for b in bases), bases)
    fetchers = re.findall(r"\b(curl|wget|git clone|pip3? install|npm|go get|go install)\b", text)
    t.check("nothing is fetched but Debian packages", not fetchers, fetchers)
    copied = re.findall(r"^COPY (?!--from)(.+) \S+$", text, re.M)
    sources = [s for line in copied for s in line.split()]
    missing = [s for s in sources if not os.path.exists(os.path.join(source, s))]
    t.check("every COPY source exists in the tree", sources and not missing, missing)
    with open(os.path.join(source, "meson.build"), encoding="utf-8") as f:
        subdirs = re.findall(r"^subdir\('([^']+)'\)", f.read(), re.M)
    needed = {"meson.build", "meson_options.txt"} | set(subdirs)
    t.check("the build stage copies every top-level directory the build reads",
            needed <= set(sources), sorted(needed - set(sources)))
    entry = re.search(r"^COPY deploy/kubernetes/lensfs-node.sh (\S+)", text, re.M)
    main = [c for c in pod.get("containers", []) if c.get("name") == "lensfs"]
    t.check("the lensfs container runs the supervisor the image installs",
            entry and main and main[0].get("command", [None])[0] == entry.group(1))


def start_janitor(tmp):
    """lib.sh's janitor: unmounts what is left below tmp should this test be killed."""
    with open(f"/proc/{os.getpid()}/stat", encoding="ascii") as f:
        start = f.read().rsplit(")", 1)[1].split()[19]
    janitor = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                           "janitor.sh")
    subprocess.run(["setsid", "-f", "bash", janitor, str(os.getpid()), start, tmp,
                    "/sys/fs/cgroup"], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, check=False)


def list_served(mnt):
    files = set(os.listdir(os.path.join(mnt, "proc")))
    if os.path.exists(os.path.join(mnt, "sys/devices/system/cpu/online")):
        files.add("/sys/devices/system/cpu/online")
    return files


def served_proc_files(t):
    """The files a real daemon's mount serves, or README's list without root."""
    if not is_root_with_fuse():
        t.note("not root with /dev/fuse: the example pod is checked against the documented list")
        return SERVED_PROC_FILES
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    tmp = tempfile.mkdtemp(prefix="lensfs-itest-kubernetes.")
    start_janitor(tmp)
    mnt = os.path.join(tmp, "mnt")
    # No control socket, and the registry in the temp dir: the host's /run/lensfs is not used.
    daemon = subprocess.Popen([env("LENSFS"), "-f", "--no-socket", "--state-dir",
                               os.path.join(tmp, "state"), mnt],
                              stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    try:
        for _ in range(200):
            if os.path.exists(os.path.join(mnt, "proc", "meminfo")):
                break
            time.sleep(0.05)
        files = list_served(mnt)
    finally:
        daemon.terminate()
        daemon.wait(timeout=10)
        with open("/proc/self/mounts", encoding="utf-8") as f:
            still_mounted = any(line.split()[1] == mnt for line in f)
        t.check("the daemon unmounted on SIGTERM", not still_mounted)
        if not still_mounted:  # else the janitor unmounts, then removes it
            shutil.rmtree(tmp, ignore_errors=True)
    t.note(f"the daemon serves {sorted(files)}")
    return files


def check_example_pod(t, docs):
    pods = docs.get("example-pod.yaml", [])
    if not t.check("example-pod.yaml holds one Pod", len(pods) == 1 and pods[0]["kind"] == "Pod"):
        return
    spec = pods[0]["spec"]
    check_volumes(t, spec, "example pod")
    hp = host_paths(spec)
    targets = {}
    for c in spec.get("containers", []):
        for m in c.get("volumeMounts", []):
            source = hp.get(m["name"], {}).get("path", "")
            if source.startswith(MOUNTPOINT + "/"):
                t.equal(f"{m['mountPath']} is bound from the same path under {MOUNTPOINT}",
                        MOUNTPOINT + m["mountPath"], source)
                t.check(f"{m['mountPath']} is read-only and its hostPath has type File",
                        m.get("readOnly") and hp[m["name"]].get("type") == "File")
                targets[m["mountPath"]] = source
    served = served_proc_files(t)
    wanted = {"/proc/" + f for f in served if "/" not in f and f in RUNC_PROC_FILES}
    wanted |= {f for f in served if f.startswith("/sys/")}
    missing = sorted(wanted - set(targets))
    t.check(f"the example pod mounts each of the {len(wanted)} files lensfs serves",
            not missing, f"missing: {missing}")


def main():
    t = Checks("kubernetes")
    source, version = env("SOURCE_ROOT"), env("LENSFS_VERSION")
    directory = os.path.join(source, "deploy", "kubernetes")
    docs = load_documents(t, directory)
    check_objects(t, docs)
    check_kustomization(t, docs, directory)
    check_namespaces(t, docs)
    daemonsets = objects_of(docs, "DaemonSet")
    if t.check("there is one DaemonSet", len(daemonsets) == 1):
        ds = daemonsets[0]
        pod = ds["spec"]["template"]["spec"]
        labels = ds["spec"]["template"]["metadata"].get("labels", {})
        selector = ds["spec"]["selector"].get("matchLabels", {})
        t.check("the DaemonSet's selector matches its pod labels",
                selector and selector.items() <= labels.items())
        accounts = [o["metadata"]["name"] for o in objects_of(docs, "ServiceAccount")]
        t.check("the pod runs as the ServiceAccount defined here",
                pod.get("serviceAccountName") in accounts)
        image, containerfile = documented_image(t, source)
        check_image(t, pod, image, source, version)
        check_volumes(t, pod, "DaemonSet")
        check_daemon_container(t, pod)
        check_init_container(t, pod, containerfile)
        check_containerfile(t, containerfile, source, pod)
    check_example_pod(t, docs)
    t.finish()


if __name__ == "__main__":
    main()
