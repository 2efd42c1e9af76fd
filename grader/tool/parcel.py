"""A grading job as data, for a worker on another machine: no path of the instructor's.

A ``Parcel`` carries the submitted notebook's bytes, the assignment's ``Material`` (the
source part of the gradebook as a small SQLite file, the source folder's other files, and the
nnlib references the kernel must not see), the limits, the job's secret seed and the course
version it was built for. ``grade_parcel`` runs on the worker: it checks that the worker runs
the same course version, decides the containment mode there, lays the parcel out in a private
temporary folder, builds the course copy from the worker's own checkout (``shadow.build``,
once per assignment and process), and grades it with ``grading.grade_notebook``, as a local
worker would. Its ``Outcome`` is plain data; only the instructor's process saves it.
"""

from __future__ import annotations

import atexit
import hashlib
import importlib.metadata
import os
import shutil
import sys
import tempfile
import threading
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import grader
import nnlib
from grader.tool import shadow
from grader.tool.grading import Job, grade_notebook
from grader.tool.isolation import Isolation, Limits, isolation, mode_isolation
from grader.tool.results import Outcome
from grader.tool.testcells import NotebookSpec

# The packages whose versions decide a grade, beside the course's own code.
PINNED = ("numpy", "nbgrader", "nbformat", "ipykernel", "jupyter_client")


@dataclass(frozen=True)
class Material:
    """What every job of one assignment needs on a worker.

    key:        a digest of the rest, which names the worker's unpacked copy.
    gradebook:  the assignment's source part of the gradebook (``gradebook.source_copy``).
    files:      the source folder's files other than notebooks, {relative path: bytes}.
    references: nnlib names removed from the kernel's course copy (``shadow.build``).
    """

    key: str
    gradebook: bytes
    files: dict[str, bytes]
    references: tuple[str, ...]


@dataclass
class Parcel:
    """One notebook to grade, with everything a worker elsewhere needs.

    notebook: the submitted file's bytes.
    mode:     the containment mode asked for, or None for the strongest the worker allows.
    unsafe:   grade even where the worker cannot box the student's code.
    version:  ``course_version()`` of the instructor's checkout.
    digest:   the job's digest (``grading.Job``), recorded in the results file.
    """

    student: str
    spec: NotebookSpec
    notebook: bytes
    material: Material
    limits: Limits
    seed: int
    mode: str | None
    unsafe: bool
    version: str
    digest: str


def material(gradebook: bytes, source_folder: Path, references: set[str]) -> Material:
    """The Material of one assignment: ``gradebook`` as ``gradebook.source_copy`` gave it, the
    files of ``source_folder`` other than notebooks, and the nnlib ``references``."""
    files = {
        str(path.relative_to(source_folder)): path.read_bytes()
        for path in sorted(Path(source_folder).rglob("*"))
        if path.is_file() and path.suffix != ".ipynb"
    }
    digest = hashlib.sha256(gradebook)
    for name, data in files.items():
        digest.update(name.encode() + b"\0" + hashlib.sha256(data).digest())
    digest.update("\0".join(sorted(references)).encode())
    return Material(digest.hexdigest(), gradebook, files, tuple(sorted(references)))


def course_version() -> str:
    """A digest of what decides a grade here: the source of ``grader`` and ``nnlib`` (the
    exercises, the checks and the answer key), Python's version and the PINNED packages'.
    Read from the files each time; a worker reads it once (``worker_version``)."""
    digest = hashlib.sha256(f"python {sys.version_info[:2]}".encode())
    for package in PINNED:
        digest.update(f"{package} {importlib.metadata.version(package)}".encode())
    for root in (Path(grader.__file__).parent, Path(nnlib.__file__).parent):
        for path in sorted(root.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(str(path.relative_to(root.parent)).encode() + b"\0")
                digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


@cache
def worker_version() -> str:
    """``course_version()`` of this worker process, read on its first job."""
    return course_version()


def describe_worker() -> dict:
    """What the instructor's process checks on each worker before a run: its course version
    and the strongest containment it allows, with what that mode lacks."""
    box = isolation()
    return {"version": worker_version(), "mode": box.mode, "missing": list(box.missing)}


def grade_parcel(parcel: Parcel) -> Outcome:
    """Grade one parcel on this worker (see the module's docstring). Never raises for what
    the student sent; a worker that may not grade it returns an Outcome that is not graded,
    with the reason."""
    refusal = _refusal(parcel)
    if refusal is not None:
        outcome = Outcome(parcel.student, parcel.spec.assignment, parcel.spec.notebook, False)
        outcome.problems.append(refusal)
        return outcome
    box = isolation() if parcel.mode is None else mode_isolation(parcel.mode)
    unpacked = _unpacked(parcel.material)
    with tempfile.TemporaryDirectory(prefix="parcel-") as folder:
        os.chmod(folder, 0o711)
        path = Path(folder) / f"{parcel.spec.notebook}.ipynb"
        path.write_bytes(parcel.notebook)
        (Path(folder) / "scratch").mkdir(mode=0o711)
        job = Job(
            student=parcel.student,
            spec=parcel.spec,
            path=str(path),
            db_url=f"sqlite:///{unpacked / 'gradebook.db'}",
            course_copy=str(unpacked / "course"),
            scratch=str(Path(folder) / "scratch"),
            source_folder=str(unpacked / "files"),
            limits=parcel.limits,
            seed=parcel.seed,
            box=box,
            digest=parcel.digest,
        )
        return grade_notebook(job)


def _refusal(parcel: Parcel) -> str | None:
    """Why this worker may not grade ``parcel``, or None."""
    if parcel.version != worker_version():
        return (
            f"the worker runs course version {worker_version()}, not {parcel.version}: "
            "install the same checkout of the course and requirements-test.txt there; not graded"
        )
    box: Isolation = isolation() if parcel.mode is None else mode_isolation(parcel.mode)
    if not box.safe and not parcel.unsafe:
        return (
            f"the worker cannot box a student's code (missing: {'; '.join(box.missing)}); "
            "not graded: fix the worker, or pass --unsafe"
        )
    return None


_unpack_lock = threading.Lock()
_place: list[Path] = []  # this process's folder of unpacked materials, made on first use


def _unpacked(item: Material) -> Path:
    """The folder, made once per process, that holds ``item`` unpacked: ``gradebook.db``,
    ``files/`` and ``course/`` (the course copy the kernel imports)."""
    with _unpack_lock:
        if not _place:
            _place.append(Path(tempfile.mkdtemp(prefix="grader-worker-")))
            os.chmod(_place[0], 0o711)
            atexit.register(shutil.rmtree, _place[0], True)
        folder = _place[0] / item.key
        if not folder.is_dir():
            building = _place[0] / f"{item.key}.partial"
            shutil.rmtree(building, ignore_errors=True)
            building.mkdir(mode=0o711)
            (building / "gradebook.db").write_bytes(item.gradebook)
            for name, data in item.files.items():
                target = building / "files" / name
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(data)
            (building / "files").mkdir(exist_ok=True)
            shadow.build(building / "course", set(item.references))
            building.rename(folder)
        return folder
