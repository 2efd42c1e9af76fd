"""What a student downloads: the course zip, and the course's wheel inside it and beside it.

The zip holds ``lessons/`` (never ``solutions/``), ``nnlib/``, the kernel side of ``grader/``
(the visible checks need it; the instructor's tool stays out), ``requirements.txt``,
``pyproject.toml``, ``Makefile``, ``README.md`` and the wheel, and refuses to be written if any
notebook still holds a solution or a hidden-test marker.

The wheel (``nn_course-VERSION-py3-none-any.whl``) is the same ``nnlib`` and kernel side of
``grader``, with pyproject.toml's dependencies: what a Colab session installs with ``%pip``
(the lessons' first cell says so). It is written here rather than by a build backend, so
that it leaves the instructor's tool and its ``course-grader`` command out, and it is the
same bytes every time for the same files (fixed timestamps).
"""

from __future__ import annotations

import base64
import hashlib
import tomllib
import zipfile
from pathlib import Path

from grader.tool import KERNEL_SIDE_EXCLUDES
from nnlib.preflight import wheel_name

INCLUDE = (
    "lessons",
    "nnlib",
    "grader",
    "requirements.txt",
    "pyproject.toml",
    "Makefile",
    "README.md",
)
PACKAGES = ("nnlib", "grader")
FORBIDDEN = (b"BEGIN SOLUTION", b"BEGIN HIDDEN TESTS")
SKIP = ("__pycache__", ".ipynb_checkpoints")
TOP = "nn-course"
# Zip entries dated at the start of the zip format's calendar, so that the wheel is reproducible.
EPOCH = (1980, 1, 1, 0, 0, 0)


def _shipped(root: Path, path: Path) -> bool:
    """False for caches, and for the instructor's tool inside ``grader/``."""
    parts = path.relative_to(root).parts
    if any(part in SKIP for part in parts) or path.suffix == ".pyc":
        return False
    return not (parts[0] == "grader" and parts[1] in KERNEL_SIDE_EXCLUDES)


def _files(root: Path, names) -> list[Path]:
    """The shipped files among ``names`` (files or folders under ``root``), in order."""
    files = []
    for name in names:
        path = root / name
        if path.is_file():
            files.append(path)
        elif path.is_dir():
            files += [p for p in sorted(path.rglob("*")) if p.is_file() and _shipped(root, p)]
    return files


def wheel(root: Path, folder: Path) -> Path:
    """Write the course's wheel for the course at ``root`` into ``folder``.

    Returns the wheel's path. Its metadata carries pyproject.toml's name, version, summary,
    ``requires-python`` and ``dependencies`` (not the extras, which are not for students).
    """
    root, folder = Path(root), Path(folder)
    project = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    info = f"{project['name'].replace('-', '_')}-{project['version']}.dist-info"
    members = {p.relative_to(root).as_posix(): p.read_bytes() for p in _files(root, PACKAGES)}
    metadata = [
        "Metadata-Version: 2.1",
        f"Name: {project['name']}",
        f"Version: {project['version']}",
        f"Summary: {project['description']}",
        f"Requires-Python: {project['requires-python']}",
        *(f"Requires-Dist: {requirement}" for requirement in project["dependencies"]),
    ]
    members[f"{info}/METADATA"] = ("\n".join(metadata) + "\n").encode()
    members[f"{info}/WHEEL"] = (
        b"Wheel-Version: 1.0\nGenerator: grader bundle\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    )
    record = [f"{name},sha256={_digest(data)},{len(data)}" for name, data in members.items()]
    members[f"{info}/RECORD"] = ("\n".join([*record, f"{info}/RECORD,,"]) + "\n").encode()
    path = folder / wheel_name(project["version"])
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            entry = zipfile.ZipInfo(name, date_time=EPOCH)
            entry.external_attr = 0o644 << 16
            archive.writestr(entry, data, zipfile.ZIP_DEFLATED)
    return path


def _digest(data: bytes) -> str:
    """A RECORD line's hash: urlsafe base64 of the SHA-256, without padding."""
    return base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


def bundle(root: Path, destination: Path) -> list[str]:
    """Write the student zip of the course at ``root`` to ``destination``, and the course's
    wheel beside it (the zip holds a copy too).

    Returns the archive's member names. Raises ValueError naming a file that would leak a
    solution or a hidden test (e.g. a lesson generated from an unreleased edit).
    """
    root, destination = Path(root), Path(destination)
    files = _files(root, INCLUDE)
    for path in files:
        data = path.read_bytes()
        for marker in FORBIDDEN:
            if marker in data and path.suffix == ".ipynb":
                raise ValueError(
                    f"{path.relative_to(root)} contains {marker.decode()!r}; "
                    "run `python -m grader release` and try again"
                )
    built = wheel(root, destination.parent)
    with zipfile.ZipFile(destination, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in files:
            archive.write(path, f"{TOP}/{path.relative_to(root).as_posix()}")
        archive.write(built, f"{TOP}/{built.name}")
        return archive.namelist()
