"""How much a submission may use (``Limits``), and how strongly this machine can contain it
(``isolation()``, probed once).

Three modes, strongest first:

- "namespaces" (the tool runs as root): the box below, and each kernel runs as its own host
  uid (``FIRST_UID + slot``, the slot leased machine-wide by ``uids.lease``), so that even a
  kernel that left its box owns nothing;
- "user-namespace" (an instructor who is not root): the same box; on the host the kernel's
  processes belong to the instructor's uid, but inside the box they are an unprivileged uid
  with no capabilities, and the box shows nothing of the instructor's files;
- "limits-only": resource limits alone. The student's code can read and write whatever the
  instructor can, so the tool refuses it unless told ``--unsafe``.

The box is built by bubblewrap (``bwrap``): new user, mount, PID, network, IPC and UTS
namespaces, a root entered with ``pivot_root``, no capabilities, no further user namespaces.
``Isolation.missing`` says what a mode lacks, and why, for the instructor.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from functools import cache

FIRST_UID = 200_000  # far above any real account; in "namespaces" mode each kernel gets its own
PROBE_UID = FIRST_UID - 1  # the probe's: never a kernel's, whose process count it would share
MODES = ("namespaces", "user-namespace", "limits-only")


@dataclass
class Limits:
    """What one submission may use. Each has an option on ``autograde``.

    cell_timeout:      seconds one cell or one check may run before it is interrupted.
    notebook_timeout:  seconds of the whole notebook, restarts and replays included.
    start_timeout:     seconds the kernel may take to start.
    memory_bytes:      address space of the kernel (RLIMIT_AS).
    processes:         processes and threads of the kernel's uid (RLIMIT_NPROC).
    file_bytes:        largest file it may write (RLIMIT_FSIZE).
    disk_bytes:        size of the kernel's writable area (its home and /tmp, one tmpfs).
    disk_files:        files and folders in that area (the tmpfs's inodes).
    output_bytes:      bytes of output kept per cell; more interrupts the cell.
    notebook_output_bytes: bytes of output kept for the whole notebook; later outputs dropped.
    notebook_bytes:    largest notebook file accepted at intake.
    intake_memory_bytes: memory that reading and restoring one notebook may take.
    """

    cell_timeout: float = 30.0
    notebook_timeout: float = 600.0
    start_timeout: float = 60.0
    memory_bytes: int = 3 * 2**30
    processes: int = 256
    file_bytes: int = 64 * 2**20
    disk_bytes: int = 128 * 2**20
    disk_files: int = 4096
    output_bytes: int = 2 * 2**20
    notebook_output_bytes: int = 16 * 2**20
    notebook_bytes: int = 16 * 2**20
    intake_memory_bytes: int = 2 * 2**30


@dataclass
class Isolation:
    """How a kernel is contained here.

    mode:    one of MODES.
    unshare: the command that gives the launcher its private mount namespace (empty in
             "limits-only").
    missing: what this mode does not enforce, each with the reason.
    """

    mode: str
    unshare: tuple[str, ...]
    missing: tuple[str, ...] = ()

    @property
    def safe(self) -> bool:
        """True when the student's code is boxed (grading needs ``--unsafe`` otherwise)."""
        return self.mode != "limits-only"


ROOT_UNSHARE = ("unshare", "--mount")
USER_UNSHARE = ("unshare", "--user", "--map-root-user", "--mount")


def mode_isolation(mode: str) -> Isolation:
    """The Isolation of ``mode``, without asking whether this machine allows it."""
    if mode == "namespaces":
        return Isolation(mode, ROOT_UNSHARE)
    if mode == "user-namespace":
        return Isolation(
            mode,
            USER_UNSHARE,
            ("a host uid of its own per kernel (on the host, the kernel's processes are yours)",),
        )
    if mode == "limits-only":
        return Isolation(
            mode,
            (),
            (
                "a hidden file system (the student's code can read and write your files)",
                "the network block",
                "a uid of its own",
                "the disk quota",
            ),
        )
    raise ValueError(f"unknown sandbox mode {mode!r}; choose one of {', '.join(MODES)}")


@cache
def isolation() -> Isolation:
    """The strongest mode this machine allows, probed once. In "limits-only", ``missing``
    starts with what stopped the box: bubblewrap not installed, or namespaces refused."""
    reason = _box_refused()
    if reason is None:
        return mode_isolation("namespaces" if os.geteuid() == 0 else "user-namespace")
    weak = mode_isolation("limits-only")
    return Isolation(weak.mode, weak.unshare, (f"the box ({reason})", *weak.missing))


def _box_refused() -> str | None:
    """Why the box cannot be built here, or None when a trial box runs."""
    for program, package in (("bwrap", "bubblewrap"), ("unshare", "util-linux")):
        if shutil.which(program) is None:
            return f"{program} is not installed: apt-get install {package}"
    trial = (
        "bwrap",
        "--unshare-all",
        "--unshare-user",
        "--uid",
        "1000",
        "--cap-drop",
        "ALL",
        "--disable-userns",
    )
    trial += ("--ro-bind", "/", "/", "true")
    # As root, the launcher drops to a kernel's uid before it runs bwrap; otherwise bwrap runs
    # inside the launcher's user namespace.
    root = os.geteuid() == 0
    command = trial if root else (*USER_UNSHARE, *trial)
    probe = subprocess.run(
        command,
        capture_output=True,
        text=True,
        timeout=10,
        preexec_fn=_drop_to(PROBE_UID) if root else None,
    )
    if probe.returncode != 0:
        return (
            f"bwrap could not build a user namespace: {probe.stderr.strip()[:200]}; "
            "allow unprivileged user namespaces (sysctl kernel.unprivileged_userns_clone=1, "
            "user.max_user_namespaces > 0)"
        )
    return None


def _drop_to(uid: int):
    """A preexec function that becomes ``uid`` (for the probe: as the kernels will be)."""

    def drop():
        os.setgroups([])
        os.setgid(uid)
        os.setuid(uid)

    return drop
