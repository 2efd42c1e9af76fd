"""The zip a student downloads: the lessons, nnlib, the checks and the requirements.

It holds ``lessons/`` (never ``solutions/``), ``nnlib/``, the kernel side of ``grader/`` (the
visible checks need it; the instructor's tool stays out), ``requirements.txt``,
``pyproject.toml``, ``Makefile`` and ``README.md``, and refuses to be written if any file
still holds a solution or a hidden-test marker.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from grader.tool import KERNEL_SIDE_EXCLUDES

INCLUDE = (
    "lessons",
    "nnlib",
    "grader",
    "requirements.txt",
    "pyproject.toml",
    "Makefile",
    "README.md",
)
FORBIDDEN = (b"BEGIN SOLUTION", b"BEGIN HIDDEN TESTS")
SKIP = ("__pycache__", ".ipynb_checkpoints")


def _shipped(root: Path, path: Path) -> bool:
    """False for caches, and for the instructor's tool inside ``grader/``."""
    parts = path.relative_to(root).parts
    if any(part in SKIP for part in parts) or path.suffix == ".pyc":
        return False
    return not (parts[0] == "grader" and parts[1] in KERNEL_SIDE_EXCLUDES)


def bundle(root: Path, destination: Path) -> list[str]:
    """Write the student zip of the course at ``root`` to ``destination``.

    Returns the archive's member names. Raises ValueError naming a file that would leak a
    solution or a hidden test (e.g. a lesson generated from an unreleased edit).
    """
    root = Path(root)
    files = []
    for name in INCLUDE:
        path = root / name
        if path.is_file():
            files.append(path)
        elif path.is_dir():
            files += [p for p in sorted(path.rglob("*")) if p.is_file() and _shipped(root, p)]
    for path in files:
        data = path.read_bytes()
        for marker in FORBIDDEN:
            if marker in data and path.suffix == ".ipynb":
                raise ValueError(
                    f"{path.relative_to(root)} contains {marker.decode()!r}; "
                    "run `python -m grader release` and try again"
                )
    top = "nn-course"
    with zipfile.ZipFile(destination, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in files:
            archive.write(path, f"{top}/{path.relative_to(root).as_posix()}")
        return archive.namelist()
