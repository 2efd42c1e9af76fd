"""Host uids for kernels: each kernel running on this machine holds one no other kernel holds.

As root ("namespaces" mode) a kernel drops to the host uid ``FIRST_UID + slot`` before
bubblewrap, so that a kernel that left its box owns nothing. That uid must be the kernel's
alone while it runs, machine-wide and not only within one run: RLIMIT_NPROC counts processes
per uid, so a fork bomb in one notebook would otherwise starve another run's kernel of the
same uid. Two runs at once (two lessons in two terminals, several Dask worker processes, the
tests in parallel) draw from the same slots.

A slot is leased by holding an exclusive ``flock`` on its lock file in ``LOCKS``. A lock
belongs to an open file, so threads of one process exclude each other too, and a process that
dies releases its slots with its file descriptors: no lease outlives its holder.
"""

from __future__ import annotations

import errno
import fcntl
import os
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

SLOTS = 4096  # kernels that may run at once on one machine
# Where the lock files live: the first of these that can be made. Root's /run, else (a
# read-only /run in some containers) the temporary folder, which is machine-wide too.
LOCKS = (Path("/run/nn-course-grader-uids"), Path(tempfile.gettempdir(), "nn-course-grader-uids"))


@contextmanager
def lease(locks: Path | None = None) -> Iterator[int]:
    """Hold a slot no other kernel on this machine holds, until the block ends.

    locks: the folder of lock files (default: the first of LOCKS that can be made), made 0700
           if missing; it must be a folder of this user's.
    Yields the slot, an integer in [0, SLOTS).
    Raises RuntimeError when every slot is held, and when the folder is not a private one.
    """
    folder = _private_folder(locks) if locks is not None else _usable(LOCKS)
    for slot in range(SLOTS):
        fd = os.open(
            str(folder / str(slot)), os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600
        )
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as error:
            os.close(fd)
            if error.errno in (errno.EWOULDBLOCK, errno.EAGAIN):
                continue  # another kernel holds it
            raise
        try:
            yield slot
        finally:
            os.close(fd)
        return
    raise RuntimeError(
        f"all {SLOTS} kernel uids of this machine are in use: grade with fewer workers at once"
    )


def _usable(folders: tuple[Path, ...]) -> Path:
    """The first of ``folders`` that exists or can be made (``_private_folder``)."""
    for folder in folders[:-1]:
        try:
            return _private_folder(folder)
        except OSError:
            continue  # a read-only or missing parent: the next one
    return _private_folder(folders[-1])


def _private_folder(folder: Path) -> Path:
    """``folder``, made 0700 if missing; raises RuntimeError unless it is a real folder of
    this user's that no one else may write (a lock someone else can take is no lock)."""
    try:
        folder.mkdir(mode=0o700, parents=True)
    except FileExistsError:
        pass
    info = os.lstat(folder)
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.geteuid() or info.st_mode & 0o022:
        raise RuntimeError(
            f"{folder} must be a folder of uid {os.geteuid()} that only it may write; "
            "remove it and grade again"
        )
    return folder
