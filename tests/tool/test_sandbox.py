"""The sandboxed kernel on its own, in each containment mode.

As root the tool uses "namespaces"; an instructor without root gets "user-namespace", and
"limits-only" only with ``--unsafe``. Both boxed modes are forced here, so that each runs in
CI; ``test_unprivileged.py`` runs the box as a real user who is not root.
Each probe is written the way a student who read the sandbox's source would write it.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from grader.tool import box as layout
from grader.tool import isolation as isolation_module
from grader.tool import shadow
from grader.tool.autograde import autograde
from grader.tool.course import course_config
from grader.tool.isolation import Limits, isolation, mode_isolation
from grader.tool.reply import Status
from grader.tool.sandbox import DRAIN_SECONDS, SandboxedKernel

REPO = Path(__file__).resolve().parents[2]
BOXED = ["namespaces", "user-namespace"]


@pytest.fixture(scope="module")
def copy(tmp_path_factory) -> Path:
    return shadow.build(tmp_path_factory.mktemp("copy") / "course", set())


def stdout(reply) -> str:
    return "".join(o.get("text", "") for o in reply.outputs if o["output_type"] == "stream")


def run(kernel: SandboxedKernel, code: str) -> str:
    reply = kernel.execute(code, timeout=30)
    assert reply.status is Status.OK, reply
    return stdout(reply).strip()


def kernel(mode: str, copy: Path, folder: Path, limits: Limits | None = None) -> SandboxedKernel:
    return SandboxedKernel(folder / "kernel", copy, limits or Limits(), mode_isolation(mode))


def test_this_machine_builds_the_box_as_root():
    assert isolation().mode == "namespaces", "these tests expect to run as root, as CI does"


SEES = """
import os, socket
print(os.getuid(), os.getgid(), os.getcwd())
print(sorted(os.listdir("/")))
for path in [{solutions!r}, "/proc/self/mountinfo", "/sys", {folder!r}]:
    print(path.rsplit("/", 1)[-1], os.path.exists(path))
try:
    socket.create_connection(("1.1.1.1", 80), timeout=2)
except OSError as error:
    print(error.strerror)
"""


@pytest.mark.parametrize("mode", BOXED)
def test_the_box_shows_the_system_python_and_the_course_only(mode, copy, tmp_path):
    code = SEES.format(solutions=str(REPO / "solutions"), folder=str(tmp_path))
    with kernel(mode, copy, tmp_path) as box:
        lines = run(box, code).splitlines()
        assert run(box, "import nnlib; print(nnlib.__file__)") == "/opt/course/nnlib/__init__.py"
    assert lines[0] == f"1000 1000 {layout.HOME}"
    assert set(eval(lines[1])) <= {*(d.strip("/") for d in layout.SYSTEM_DIRS), "dev", "home"} | {
        "opt",
        "root",
        "run",
        "tmp",
    }
    assert lines[2:] == [
        "solutions False",
        "mountinfo False",
        "sys False",
        f"{tmp_path.name} False",
        "Network is unreachable",
    ]


ESCAPE = """
import ctypes, os
os.makedirs("jail", exist_ok=True)
for name, attempt in [
    ("chroot", lambda: os.chroot("jail")),
    ("setuid", lambda: os.setuid(0)),
    ("write /opt/course", lambda: open("/opt/course/grader/remote.py", "w")),
    ("write /opt/venv", lambda: open("/opt/venv/bin/python3", "w")),
]:
    try:
        attempt()
        print(name, "done")
    except OSError as error:
        print(name, error.strerror)
# A new user namespace, from a child with one thread (as unshare requires).
libc = ctypes.CDLL(None, use_errno=True)
read, write = os.pipe()
if os.fork() == 0:
    result = libc.unshare(0x10000000)  # CLONE_NEWUSER
    os.write(write, f"{result} {os.strerror(ctypes.get_errno())}".encode())
    os._exit(0)
os.wait()
print("unshare", os.read(read, 100).decode())
"""


@pytest.mark.parametrize("mode", BOXED)
def test_no_root_no_capabilities_no_way_out(mode, copy, tmp_path):
    # The classic chroot escape needs CAP_SYS_CHROOT; a new user namespace would give it back.
    with kernel(mode, copy, tmp_path) as box:
        assert run(box, ESCAPE).splitlines() == [
            "chroot Operation not permitted",
            "setuid Invalid argument",  # uid 0 does not exist in the box's user namespace
            "write /opt/course Read-only file system",
            "write /opt/venv Read-only file system",
            "unshare -1 No space left on device",
        ]


ENVIRONMENT = """
import importlib.util, subprocess, sys
for name in ["numpy", "matplotlib", "ipywidgets", "torch", "functorch", "playwright"]:
    print(name, importlib.util.find_spec(name) is not None)
print(sys.prefix)
found = subprocess.run(
    ["grep", "-rlI", "--exclude=*.pyc", "-e", {repo!r}, "-e", {folder!r},
     "/opt", "/etc", "/home", "/tmp", "/run"],
    capture_output=True, text=True,
)
print("host paths in", found.stdout.split())
"""


@pytest.mark.parametrize("mode", BOXED)
def test_only_the_declared_packages_and_no_host_path(mode, copy, tmp_path):
    code = ENVIRONMENT.format(repo=str(REPO), folder=str(tmp_path))
    with kernel(mode, copy, tmp_path) as box:
        assert run(box, code).splitlines() == [
            "numpy True",
            "matplotlib True",
            "ipywidgets True",
            "torch False",
            "functorch False",
            "playwright False",
            layout.VENV_MOUNT,
            "host paths in []",
        ]


FILL = """
import os
try:
    with open("big", "wb") as file:
        for _ in range(64):
            file.write(bytes(2**20))
except OSError as error:
    print(error.strerror)
os.remove("big")
made = 0
try:
    for made in range(100_000):
        open(f"/tmp/f{made}", "w").close()
except OSError as error:
    print(error.strerror, made < 256)
"""


@pytest.mark.parametrize("mode", BOXED)
def test_the_writable_area_has_a_size_and_an_inode_quota(mode, copy, tmp_path):
    limits = Limits(disk_bytes=8 * 2**20, disk_files=256)
    before = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))
    with kernel(mode, copy, tmp_path, limits) as box:
        assert run(box, FILL).splitlines() == [
            "No space left on device",
            "No space left on device True",
        ]
        during = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file())
    assert before == [] and all(
        p.name in ("connection.json", "kernel.log", "pyvenv.cfg") for p in during
    )


def test_every_start_gets_a_new_folder_and_a_random_key(copy, tmp_path):
    box = kernel("namespaces", copy, tmp_path)
    keys = []
    for _ in range(2):
        box.start()
        assert run(box, "print(open('/run/connection.json').read()[:1])") == "{"
        box.kill()
        [latest] = [
            p
            for p in (tmp_path / "kernel").iterdir()
            if p.name.startswith(f"start{len(keys) + 1}-")
        ]
        keys.append(__import__("json").loads((latest / "connection.json").read_text())["key"])
    assert len(set(keys)) == 2 and all(len(key) == 64 for key in keys)


SPAMMER = """
import threading, time
def spam():
    while True:
        print("spam", flush=True)
        time.sleep(0.05)
threading.Thread(target=spam, daemon=True).start()
time.sleep(600)
"""


def test_a_thread_that_prints_forever_does_not_hold_the_grader(copy, tmp_path):
    with kernel("namespaces", copy, tmp_path) as box:
        started = time.monotonic()
        reply = box.execute(SPAMMER, timeout=2)
        stopped = time.monotonic() - started
        assert reply.status is Status.TIMEOUT
        # 2 s timeout, at most 3 s for the interrupt, then the drain's deadline.
        assert stopped < 2 + 3 + DRAIN_SECONDS + 1
        assert run(box, "print(6 * 7)") == "42"


def test_limits_only_mode_still_runs_and_caps_memory(copy, tmp_path):
    with kernel("limits-only", copy, tmp_path) as box:
        assert run(box, "print(6 * 7)") == "42"
        # 16 GiB, far above the default cap of 3 GiB (and below this machine's memory).
        reply = box.execute("import numpy as np; big = np.ones(2**31)", timeout=30)
        assert reply.status is Status.ERROR and reply.error[0] == "MemoryError"


def test_without_a_box_autograde_refuses_unless_unsafe(course):
    with pytest.raises(ValueError) as refused:
        autograde(course_config(course), "fx", mode="limits-only", progress=False)
    assert str(refused.value).startswith(
        "the sandbox cannot be built on this machine, so a student's code could read and "
        "change your files; missing: a hidden file system"
    )
    assert str(refused.value).endswith("pass --unsafe to grade with resource limits alone")


def test_isolation_names_what_is_missing(monkeypatch):
    monkeypatch.setattr(isolation_module.shutil, "which", lambda name: None)
    weak = isolation.__wrapped__()
    assert weak.mode == "limits-only" and not weak.safe
    assert weak.missing[0] == "the box (bwrap is not installed: apt-get install bubblewrap)"
