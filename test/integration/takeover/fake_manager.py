#!/usr/bin/env python3
"""Plays systemd for the lensfs keeper: NOTIFY_SOCKET, the descriptor store (FDSTORE=1) and
a restart with LISTEN_FDS, while a reader keeps reading the mount.

    fake_manager.py LENSFS MOUNT STATE_DIR TTREAD SECONDS

Prints one "key value" line per observation; the test script checks them.
"""
import array
import os
import signal
import socket
import subprocess
import sys
import time

lensfs, mount, state, ttread, seconds = sys.argv[1:6]
seconds = float(seconds)
notify_path = os.path.join(state, "notify.sock")
args = [lensfs, "-f", "--socket", os.path.join(state, "lensfs.sock"), "--state-dir", state, mount]


def say(key, value):
    print(key, value, flush=True)


def receive(sock, store, deadline):
    """Reads notifications until READY=1; keeps stored descriptors by name."""
    while time.monotonic() < deadline:
        sock.settimeout(max(0.05, deadline - time.monotonic()))
        try:
            data, anc, _, _ = sock.recvmsg(4096, socket.CMSG_SPACE(16 * 4))
        except socket.timeout:
            break
        fds = array.array("i")
        for level, kind, payload in anc:
            if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
                fds.frombytes(payload[: len(payload) - (len(payload) % fds.itemsize)])
        fields = dict(l.split("=", 1) for l in data.decode().split("\n") if "=" in l)
        if fields.get("FDSTORE") == "1":
            for fd in fds:
                store.append((fields.get("FDNAME", "unknown"), fd))
        if fields.get("READY") == "1":
            return fields
    return None


def mounted():
    with open("/proc/self/mounts") as f:
        return any(line.split()[1] == mount for line in f)


def start_restored(store):
    """fork + exec with the stored descriptors at 3.. and LISTEN_* set for the child."""
    pid = os.fork()
    if pid == 0:
        for i, (_, fd) in enumerate(store):
            os.dup2(fd, 3 + i, inheritable=True)
        env = dict(os.environ)
        env["LISTEN_PID"] = str(os.getpid())
        env["LISTEN_FDS"] = str(len(store))
        env["LISTEN_FDNAMES"] = ":".join(name for name, _ in store)
        env["NOTIFY_SOCKET"] = notify_path
        os.execve(lensfs, args, env)
    return pid


sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
sock.bind(notify_path)
env = dict(os.environ, NOTIFY_SOCKET=notify_path)
first = subprocess.Popen(args, env=env)
store = []
ready = receive(sock, store, time.monotonic() + 15)
say("first-ready", "yes" if ready else "no")
say("first-mainpid", "ok" if ready and ready.get("MAINPID") == str(first.pid) else "wrong")
say("stored", ",".join(sorted(name for name, _ in store)) or "none")
if not ready:
    first.kill()
    sys.exit(1)

reader = subprocess.Popen([ttread, "reopen", os.path.join(mount, "proc/uptime"), str(seconds)],
                          stdout=subprocess.PIPE, text=True)
time.sleep(seconds / 4)
# "systemctl restart": SIGTERM to the main process, then a new start with the store.
first.send_signal(signal.SIGTERM)
say("stop-status", first.wait(timeout=20))
say("mounted-after-stop", "yes" if mounted() else "no")
time.sleep(0.5)  # the reader waits meanwhile
second_store = []
second = start_restored(store)
ready = receive(sock, second_store, time.monotonic() + 15)
say("second-ready", "yes" if ready else "no")
say("second-stored", ",".join(sorted(name for name, _ in second_store)) or "none")
out, _ = reader.communicate(timeout=seconds + 30)
say("reader", out.strip())

# "systemctl stop": the keeper leaves the mount, the manager closes its store; the connection
# is gone with the last descriptor.
os.kill(second, signal.SIGTERM)
_, status = os.waitpid(second, 0)
say("second-stop-status", os.waitstatus_to_exitcode(status))
for _, fd in store + second_store:
    os.close(fd)
time.sleep(0.3)
try:
    os.statvfs(mount)
    say("after-store-closed", "live")
except OSError as e:
    say("after-store-closed", "stale" if e.errno == 107 else f"error {e.errno}")
