"""The sandboxed kernel on its own, in each containment mode.

As root the tool uses "namespaces"; an instructor without root gets "user-namespace", and
"limits-only" only with ``--unsafe``. Both boxed modes are forced here, so that each runs in
CI; ``test_unprivileged.py`` runs the box as a real user who is not root.
Each probe is written the way a student who read the sandbox's source would write it.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import time
from pathlib import Path

import pytest

from grader.tool import box as layout
from grader.tool import environment, shadow, uids
from grader.tool import isolation as isolation_module
from grader.tool.isolation import FIRST_UID, Limits, isolation, mode_isolation
from grader.tool.reply import Status
from grader.tool.sandbox import DRAIN_SECONDS, INTERRUPT_SECONDS, SandboxedKernel
from grader.tool.session import KernelSession

REPO = Path(__file__).resolve().parents[2]
BOXED = ["namespaces", "user-namespace"]
_scan = importlib.util.spec_from_file_location("box_scan", Path(__file__).with_name("box_scan.py"))
box_scan = importlib.util.module_from_spec(_scan)
_scan.loader.exec_module(box_scan)


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


@pytest.fixture(scope="module", params=BOXED)
def boxed(request, copy, tmp_path_factory):
    """A kernel in each boxed mode, shared by the probes that only look around:
    (the mode, the kernel, the folder its host files are in)."""
    folder = tmp_path_factory.mktemp(request.param)
    with kernel(request.param, copy, folder) as box:
        yield request.param, box, folder


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


def test_the_box_shows_the_system_python_and_the_course_only(boxed):
    _, box, folder = boxed
    lines = run(box, SEES.format(solutions=str(REPO / "solutions"), folder=str(folder)))
    lines = lines.splitlines()
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
        f"{folder.name} False",
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
# Every capability set is empty, the bounding and ambient sets too (no /proc to read them).
class Header(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]
class Sets(ctypes.Structure):
    _fields_ = [(name, ctypes.c_uint32) for name in ("effective", "permitted", "inheritable")]
sets = (Sets * 2)()
libc.capget(ctypes.byref(Header(0x20080522, 0)), sets)  # _LINUX_CAPABILITY_VERSION_3
print("capabilities", [s.effective | s.permitted | s.inheritable for s in sets])
print("bounding", [cap for cap in range(64) if libc.prctl(23, cap, 0, 0, 0) == 1])
print("ambient", [cap for cap in range(64) if libc.prctl(47, 1, cap, 0, 0) == 1])
"""


def test_no_root_no_capabilities_no_way_out(boxed):
    # The classic chroot escape needs CAP_SYS_CHROOT; a new user namespace would give it back.
    _, box, _ = boxed
    assert run(box, ESCAPE).splitlines() == [
        "chroot Operation not permitted",
        "setuid Invalid argument",  # uid 0 does not exist in the box's user namespace
        "write /opt/course Read-only file system",
        "write /opt/venv Read-only file system",
        "unshare -1 No space left on device",
        "capabilities [0, 0]",
        "bounding []",
        "ambient []",
    ]


def descendants(pid: int) -> set[int]:
    """``pid`` and every process it started, read from the host's /proc."""
    family, grew = {pid}, True
    while grew:
        grew = False
        for entry in Path("/proc").iterdir():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            if parent in family and int(entry.name) not in family:
                family.add(int(entry.name))
                grew = True
    return family


def host_uids(pid: int) -> set[int]:
    """The real, effective, saved and file-system uids of ``pid`` and its descendants."""
    uids = set()
    for process in descendants(pid):
        for line in Path(f"/proc/{process}/status").read_text().splitlines():
            if line.startswith("Uid:"):
                uids |= {int(uid) for uid in line.split()[1:]}
    return uids


def test_as_root_each_kernel_runs_as_a_host_uid_no_other_kernel_holds(copy, tmp_path):
    box = mode_isolation("namespaces")
    first = KernelSession(tmp_path / "one", copy, Limits(), box)
    second = KernelSession(tmp_path / "two", copy, Limits(), box)
    try:
        assert run(first.kernel, "print(6 * 7)") == run(second.kernel, "print(6 * 7)") == "42"
        [one] = host_uids(first.kernel.process.pid)
        [two] = host_uids(second.kernel.process.pid)
        assert one != two
        assert {one, two} <= set(range(FIRST_UID, FIRST_UID + uids.SLOTS))
        assert len(descendants(first.kernel.process.pid)) >= 3  # bwrap, its init, the kernel
    finally:
        first.close()
        second.close()
    with uids.lease() as slot:  # closed sessions give their uids back
        assert slot <= max(one, two) - FIRST_UID


PACKAGES = """
import importlib.util, sys
for name in ["numpy", "matplotlib", "ipywidgets", "torch", "functorch", "playwright"]:
    print(name, importlib.util.find_spec(name) is not None)
print(sys.prefix)
"""


def host_paths(copy: Path, folder: Path) -> list[str]:
    """What the box must not show: the repository, the venv, the grader's folders (the
    kernel's, the course copy's) and the grader's cache of compiled files."""
    return [str(REPO), str(Path(sys.prefix).resolve()), str(folder), str(copy)]


def test_only_the_declared_packages_and_no_host_path(boxed, copy):
    _, box, folder = boxed
    scan = box_scan.scan_code(
        [*host_paths(copy, folder), str(environment.CACHE)], layout.python_layout()[2]
    )
    assert run(box, PACKAGES).splitlines() == [
        "numpy True",
        "matplotlib True",
        "ipywidgets True",
        "torch False",
        "functorch False",
        "playwright False",
        layout.VENV_MOUNT,
    ]
    lines = run(box, scan).splitlines()
    # Every compiled file of the declared packages was searched, and names the box's path.
    assert lines == [f"control in {len(environment.compiled_files())} files", *box_scan.CLEAN]


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


MARK = """
import os
print(os.path.exists("mark") or os.path.exists("/tmp/mark"))
open("mark", "w").close()
open("/tmp/mark", "w").close()
"""


def test_every_start_gets_a_new_folder_and_a_random_key(copy, tmp_path):
    box = kernel("namespaces", copy, tmp_path)
    keys = []
    for _ in range(2):
        box.start()
        assert run(box, "print(open('/run/connection.json').read()[:1])") == "{"
        # The writable area is new at every start: the mark of the first is gone.
        assert run(box, MARK) == "False"
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
        # The 2 s timeout, the interrupt's grace, then the drain's deadline.
        assert stopped < 2 + INTERRUPT_SECONDS + DRAIN_SECONDS + 1
        # The kernel still answers; the thread still prints, into whichever cell is running.
        lines = run(box, "print(6 * 7)").splitlines()
        assert "42" in lines and set(lines) <= {"42", "spam"}


BIG_FILE = """
try:
    with open("big", "wb") as file:
        file.write(bytes(2 * 2**20))
except OSError as error:
    print(error.strerror)
"""


def test_limits_only_mode_still_runs_and_caps_memory_and_file_size(copy, tmp_path):
    with kernel("limits-only", copy, tmp_path, Limits(file_bytes=2**20)) as box:
        assert run(box, "print(6 * 7)") == "42"
        assert run(box, BIG_FILE) == "File too large"
        # 16 GiB, far above the default cap of 3 GiB (and below this machine's memory).
        reply = box.execute("import numpy as np; big = np.ones(2**31)", timeout=30)
        assert reply.status is Status.ERROR and reply.error[0] == "MemoryError"


def test_isolation_names_what_is_missing(monkeypatch):
    monkeypatch.setattr(isolation_module.shutil, "which", lambda name: None)
    weak = isolation.__wrapped__()
    assert weak.mode == "limits-only" and not weak.safe
    assert weak.missing[0] == "the box (bwrap is not installed: apt-get install bubblewrap)"


def test_isolation_says_why_namespaces_were_refused(monkeypatch):
    def refused(*args, **kwargs):
        stderr = "bwrap: No permissions to create new namespace"
        return subprocess.CompletedProcess(args, 1, "", stderr)

    monkeypatch.setattr(isolation_module.subprocess, "run", refused)
    weak = isolation.__wrapped__()
    assert weak.mode == "limits-only" and not weak.safe
    assert weak.missing[0] == (
        "the box (bwrap could not build a user namespace: bwrap: No permissions to create new "
        "namespace; allow unprivileged user namespaces (sysctl "
        "kernel.unprivileged_userns_clone=1, user.max_user_namespaces > 0))"
    )
