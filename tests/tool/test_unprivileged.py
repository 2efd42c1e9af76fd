"""The box as an instructor who is not root gets it: run by a real unprivileged user.

Run as root (as CI is), the test creates that user with ``useradd`` if it does not exist,
and runs the sandbox as that user. When Python is installed below a folder other users may
not enter (``/root/.pyenv``, say), that folder is replaced, in a mount namespace of the test's
own, by an empty one that shows only the way to Python; nothing on the machine changes.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from grader.tool import box as layout
from grader.tool import environment

REPO = Path(__file__).resolve().parents[2]
_scan = importlib.util.spec_from_file_location("box_scan", Path(__file__).with_name("box_scan.py"))
box_scan = importlib.util.module_from_spec(_scan)
_scan.loader.exec_module(box_scan)
USER = "nn-course-grader"

PROBE = """
import json, os, sys
from pathlib import Path
from grader.tool import shadow
from grader.tool.isolation import Limits, isolation
from grader.tool.sandbox import SandboxedKernel

CODE = '''
import importlib.util, os, socket
os.makedirs("jail")
try:
    os.chroot("jail")
except OSError as error:
    print("chroot", error.strerror)
print("uid", os.getuid())
print("repository", os.path.exists(REPO))
print("torch", importlib.util.find_spec("torch") is not None)
try:
    socket.create_connection(("1.1.1.1", 80), timeout=2)
except OSError as error:
    print("network", error.strerror)
children = 0
for _ in range(2000):
    try:
        pid = os.fork()
    except OSError:
        break
    if pid == 0:
        import time
        time.sleep(30)
        os._exit(0)
    children += 1
print("forks stopped", children < 256)
'''
work = Path(sys.argv[1])
box = isolation()
copy = shadow.build(work / "course", set())
with SandboxedKernel(work / "kernel", copy, Limits(), box) as kernel:
    scan = kernel.execute(os.environ["SCAN"], timeout=60)  # before the forks fill the box
    reply = kernel.execute(CODE.replace("REPO", repr(sys.argv[2])), timeout=30)
text = "".join(o.get("text", "") for o in reply.outputs)
found = "".join(o.get("text", "") for o in scan.outputs)
print(json.dumps({"mode": box.mode, "missing": box.missing, "lines": text.splitlines(),
                  "scan": found.splitlines()}))
"""


def _user() -> tuple[int, int]:
    """The unprivileged user's (uid, gid), created if missing."""
    if subprocess.run(["id", "-u", USER], capture_output=True).returncode != 0:
        subprocess.run(
            ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", USER],
            check=True,
        )
    uid = int(subprocess.run(["id", "-u", USER], capture_output=True, text=True).stdout)
    gid = int(subprocess.run(["id", "-g", USER], capture_output=True, text=True).stdout)
    return uid, gid


def _way_in(path: str) -> str:
    """Shell lines that make ``path`` reachable by other users in this mount namespace: the
    first folder on the way that others may not enter is covered by an open tmpfs that shows
    only the way to ``path``."""
    parts = Path(path).parts
    for depth in range(2, len(parts)):
        folder = Path(*parts[:depth])
        if not os.stat(folder).st_mode & 0o001:
            child = Path(*parts[: depth + 1])
            return (
                f"held=$(mktemp -d); mount --rbind {child} $held; "
                f"mount -t tmpfs -o mode=0755 tmpfs {folder}; mkdir {child}; "
                f"mount --move $held {child}; "
            )
    return ""


def test_a_user_who_is_not_root_gets_the_same_box():
    if os.geteuid() != 0:
        pytest.fail("run the tests as root (as CI does): this test creates a user")
    uid, gid = _user()
    work = Path(tempfile.mkdtemp(prefix="unprivileged-"))
    os.chown(work, uid, gid)
    # The user's cache of compiled files outlives the test, so that it is built once.
    cache = Path(tempfile.gettempdir()) / f"{USER}-cache"
    cache.mkdir(mode=0o700, exist_ok=True)
    os.chown(cache, uid, gid)
    prepare = _way_in(os.path.realpath(sys.base_prefix))
    command = (
        f"{prepare}exec setpriv --reuid={uid} --regid={gid} --clear-groups "
        f"env HOME={work} XDG_CACHE_HOME={cache} "
        f'{sys.executable} -c "$PROBE" {work} {REPO}'
    )
    # The repository, the venv, and the grader's folders: the course copy and the kernel's
    # folder are in ``work``.
    needles = [str(REPO), str(Path(sys.prefix).resolve()), str(work), str(cache)]
    scan = box_scan.scan_code(needles, layout.python_layout()[2])
    done = subprocess.run(
        ["unshare", "--mount", "--propagation", "private", "sh", "-c", command],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PROBE": PROBE, "SCAN": scan},
        cwd=work,
    )
    subprocess.run(["rm", "-rf", str(work)], check=True)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.splitlines()[-1])
    assert result["mode"] == "user-namespace"
    assert result["missing"] == [
        "a host uid of its own per kernel (on the host, the kernel's processes are yours)"
    ]
    assert result["lines"] == [
        "chroot Operation not permitted",
        "uid 1000",
        "repository False",
        "torch False",
        "network Network is unreachable",
        "forks stopped True",  # RLIMIT_NPROC holds for a user who is not root
    ]
    compiled = len(environment.compiled_files())
    assert result["scan"] == [f"control in {compiled} files", *box_scan.CLEAN]
