"""The Python a graded kernel sees: the packages students are told to install, nothing else.

The grading machine has more installed than a student's environment (PyTorch and the test
tools, for the course's own tests; the course itself as an editable install, whose finder
names the repository's path). A kernel that could import ``torch.autograd`` would pass every
backward-pass exercise without writing one. So the sandbox shows an empty site-packages
folder with only the entries that belong to the distributions ``requirements.txt`` declares
bound into it (``declared_entries``), and hides every other site-packages folder.

The box shows site-packages at another path than the host's (``box.VENV_MOUNT``). The compiled
files (``.pyc``) that pip wrote name the host's folder in every code object, so the box lays
``bytecode(box_site)`` over them: the same files with each code object's file name moved to
the box's path, built once per installed environment in a cache only the grader writes.
"""

from __future__ import annotations

import fcntl
import hashlib
import marshal
import os
import shutil
import sys
import sysconfig
import tempfile
import types
from functools import cache
from importlib import metadata
from importlib.util import MAGIC_NUMBER
from pathlib import Path

from packaging.requirements import Requirement

from grader.tool.course import ROOT

REQUIREMENTS = ROOT / "requirements.txt"
CACHE = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "nn-course-grader"
HEADER = 16  # bytes before a .pyc's marshalled code: magic, flags, source mtime and size


def site_packages() -> Path:
    """The site-packages folder this Python installs into (the venv's, in a venv)."""
    return Path(sysconfig.get_path("purelib"))


def hidden_site_packages() -> list[Path]:
    """Other site-packages folders of this installation (the base Python's, under a venv)."""
    base = {"base": sys.base_prefix, "platbase": sys.base_prefix}
    folders = {Path(sysconfig.get_path(key, vars=base)) for key in ("purelib", "platlib")}
    folders |= {Path(sysconfig.get_path("platlib"))}
    return sorted(f for f in folders if f != site_packages() and f.is_dir())


def declared_names(requirements: Path) -> list[str]:
    """The distribution names in a requirements file (one requirement a line) whose
    environment marker holds on this machine (``appnope ; sys_platform == 'darwin'`` does
    not on Linux)."""
    names = []
    for line in requirements.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            requirement = Requirement(line)
            if requirement.marker is None or requirement.marker.evaluate():
                names.append(requirement.name)
    return names


@cache
def declared_entries(requirements: Path = REQUIREMENTS) -> tuple[str, ...]:
    """The names in ``site_packages()`` that belong to a declared distribution.

    requirements: the students' requirements file.
    Returns top-level packages, modules, ``.libs`` folders and ``.dist-info`` folders, sorted.
    Raises ValueError naming a declared distribution that is not installed here.
    """
    folder = site_packages()
    entries = set()
    for name in declared_names(requirements):
        try:
            distribution = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            raise ValueError(
                f"{name} is in {requirements.name} but not installed for {sys.executable}; "
                f"install the requirements first (pip install -r {requirements.name})"
            ) from None
        for file in distribution.files or ():
            top = file.parts[0]
            if top not in ("..", "__pycache__") and (folder / top).exists():
                entries.add(top)
    return tuple(sorted(entries))


def compiled_files() -> list[Path]:
    """The .pyc files of the declared entries, relative to ``site_packages()``, sorted."""
    folder = site_packages()
    return sorted(
        path.relative_to(folder)
        for entry in declared_entries()
        if (folder / entry).is_dir()
        for path in (folder / entry).rglob("*.pyc")
    )


@cache
def bytecode(box_site: str, cache_root: Path = CACHE) -> Path | None:
    """A folder laid over site-packages in the box: every .pyc of ``compiled_files()``, with
    its file names moved from ``site_packages()`` to ``box_site``.

    box_site:   where the box shows site-packages.
    cache_root: the grader's cache (created 0700, so that only the grader writes it).
    Returns the folder, or None when the box shows site-packages at its host path. It is
    rebuilt when the installed packages change (their .pyc sizes and times), under a lock, so
    that concurrent workers build it once.
    """
    host = str(site_packages())
    if host == box_site:
        return None
    files = compiled_files()
    stamp = hashlib.sha256(f"{sys.version}\n{host}\n{box_site}".encode())
    for relative in files:
        status = (site_packages() / relative).stat()
        stamp.update(f"{relative} {status.st_size} {status.st_mtime_ns}\n".encode())
    cache_root.mkdir(mode=0o700, parents=True, exist_ok=True)
    home = cache_root / f"bytecode-{hashlib.sha256(host.encode()).hexdigest()[:16]}"
    with open(cache_root / "lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if (home / "stamp").is_file() and (home / "stamp").read_text() == stamp.hexdigest():
            return home / "site"
        building = Path(tempfile.mkdtemp(prefix="building-", dir=cache_root))
        _relocate_all(files, building / "site", host, box_site)
        (building / "stamp").write_text(stamp.hexdigest())
        if home.exists():
            home.rename(cache_root / f"old-{building.name}")
            shutil.rmtree(cache_root / f"old-{building.name}")
        building.rename(home)
    return home / "site"


def _relocate_all(files: list[Path], destination: Path, host: str, box_site: str) -> None:
    """Write each of ``files`` (relative to ``site_packages()``) relocated into
    ``destination``, every folder and file readable by a kernel's uid, whatever the umask."""
    destination.mkdir()
    for relative in files:
        target = destination / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(relocated((site_packages() / relative).read_bytes(), host, box_site))
    for folder, _, names in os.walk(destination):
        os.chmod(folder, 0o755)
        for name in names:
            os.chmod(os.path.join(folder, name), 0o644)


def relocated(pyc: bytes, old: str, new: str) -> bytes:
    """A .pyc whose code objects' file names start with ``new`` where they started with
    ``old``; its header is kept, so that Python still takes it as up to date.

    A .pyc of another Python version comes back empty: Python ignores a .pyc it cannot read
    and compiles the source instead.
    """
    if pyc[:4] != MAGIC_NUMBER:
        return b""
    return pyc[:HEADER] + marshal.dumps(_moved(marshal.loads(pyc[HEADER:]), old, new))


def _moved(code: types.CodeType, old: str, new: str) -> types.CodeType:
    """``code`` and the code objects nested in its constants, with their file names moved."""
    name = code.co_filename
    if name == old or name.startswith(old + os.sep):
        name = new + name[len(old) :]
    constants = tuple(
        _moved(c, old, new) if isinstance(c, types.CodeType) else c for c in code.co_consts
    )
    return code.replace(co_filename=name, co_consts=constants)
