"""Shared reporting of the deployment tests: one line per check, a summary, the exit status.

Like lib.sh for the shell tests: `ok: WHAT` or `FAIL: WHAT: DETAIL`, `SKIP: WHY` with exit
status 77 when the test cannot run here, and status 1 when any check failed.
"""
import os
import subprocess
import sys


class Checks:
    """Counts checks and failures of one test."""

    def __init__(self, name):
        self.name = name
        self.count = 0
        self.failed = 0

    def check(self, what, ok, detail=""):
        self.count += 1
        if ok:
            print(f"ok: {what}")
        else:
            self.failed += 1
            print(f"FAIL: {what}" + (f": {detail}" if detail else ""), file=sys.stderr)
        return bool(ok)

    def equal(self, what, expected, actual):
        return self.check(what, expected == actual, f"expected {expected!r}, got {actual!r}")

    def note(self, text):
        print(f"# {text}")

    def finish(self):
        print(f"# {self.name}: {self.count} checks, {self.failed} failed")
        sys.exit(1 if self.failed or not self.count else 0)


def skip(why):
    print(f"SKIP: {why}")
    sys.exit(77)


def die(why):
    print(f"ERROR: {why}", file=sys.stderr)
    sys.exit(1)


def env(name):
    """A variable meson sets for the test; its absence is a broken set-up, not a skip."""
    value = os.environ.get(name)
    if not value:
        die(f"{name} is not set (run the test through meson test)")
    return value


def run(argv, **kwargs):
    """Runs argv, capturing text output; never raises on a non-zero status."""
    return subprocess.run(argv, capture_output=True, text=True, check=False, **kwargs)


def is_root_with_fuse():
    return os.geteuid() == 0 and os.path.exists("/dev/fuse")
