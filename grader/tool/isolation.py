"""How much a submission may use (``Limits``), and how strongly this machine can contain it
(``isolation()``, probed once).

Three modes, strongest first: "namespaces" (as root: new mount, network and PID namespaces,
a fresh root, a separate uid per kernel), "user-namespace" (the same box inside a user
namespace, for an instructor who is not root) and "limits-only" (resource limits alone).
``Isolation.missing`` lists what a mode does not enforce, for the instructor's warning.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from functools import cache


@dataclass
class Limits:
    """What one submission may use.

    cell_timeout:  seconds one cell or one check may run before it is interrupted.
    start_timeout: seconds the kernel may take to start.
    memory_bytes:  address space of the kernel (RLIMIT_AS).
    processes:     processes and threads of the kernel's uid (RLIMIT_NPROC).
    file_bytes:    largest file it may write (RLIMIT_FSIZE).
    output_bytes:  bytes of output kept per cell; more interrupts the cell.
    """

    cell_timeout: float = 30.0
    start_timeout: float = 60.0
    memory_bytes: int = 3 * 2**30
    processes: int = 256
    file_bytes: int = 64 * 2**20
    output_bytes: int = 2 * 2**20


@dataclass
class Isolation:
    """How a kernel is contained here: ``mode`` and the protections it lacks."""

    mode: str  # "namespaces", "user-namespace" or "limits-only"
    unshare: tuple[str, ...]
    missing: tuple[str, ...] = ()


@cache
def isolation() -> Isolation:
    """Probe once which containment this machine allows, strongest first."""
    full = ("unshare", "--mount", "--net", "--pid", "--fork", "--kill-child")
    if os.geteuid() == 0 and _works(full):
        return Isolation("namespaces", full)
    user = ("unshare", "--user", "--map-root-user", *full[1:])
    if _works(user):
        return Isolation(
            "user-namespace",
            user,
            ("a separate uid per kernel (the student's code runs as your own user)",),
        )
    return Isolation(
        "limits-only",
        (),
        (
            "a hidden file system (the student's code can read your files)",
            "the network block",
            "a separate uid per kernel",
        ),
    )


def _works(command: tuple[str, ...]) -> bool:
    if shutil.which(command[0]) is None:
        return False
    probe = subprocess.run([*command, "true"], capture_output=True, timeout=10)
    return probe.returncode == 0
