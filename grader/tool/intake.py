"""Intake: read a submitted notebook, and put back what the student may not change.

``read_submission`` refuses what is not a readable nbformat-4 notebook (``BadSubmission``,
with the reason for the summary). ``restore`` puts back the trusted nbgrader metadata and the
locked cells from the source, with nbgrader's own DeduplicateIds, OverwriteCells (missing
test cells added back) and CheckCellMetadata, and lists what the student had tampered with.
Neither runs any of the student's code. ``memory_cap`` bounds the memory they may take, for a
file built to blow up when parsed.
"""

from __future__ import annotations

import errno
import json
import os
import resource
import secrets
import warnings
from contextlib import contextmanager
from pathlib import Path

import nbformat
from nbformat.warnings import MissingIDFieldWarning
from nbgrader.preprocessors import CheckCellMetadata, DeduplicateIds, OverwriteCells

from grader.tool.isolation import Limits
from grader.tool.testcells import NotebookSpec


class BadSubmission(ValueError):
    """A submitted file cannot be graded; the message says why, for the summary."""


@contextmanager
def memory_cap(extra_bytes: int):
    """Let this process's address space grow by at most ``extra_bytes`` in the block; a
    MemoryError inside becomes a BadSubmission that names the cap."""
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    cap = _address_space() + extra_bytes
    resource.setrlimit(resource.RLIMIT_AS, (cap if hard < 0 else min(cap, hard), hard))
    try:
        yield
    except MemoryError:
        raise BadSubmission(
            f"reading the notebook took more than {extra_bytes // 2**20} MiB of memory "
            "(--intake-memory-mib); not graded"
        ) from None
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


def _address_space() -> int:
    """This process's current address space in bytes (VmSize)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmSize:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError("no VmSize in /proc/self/status")


def read_submission(path: Path, max_bytes: int = Limits.notebook_bytes) -> nbformat.NotebookNode:
    """The notebook at ``path``; raises BadSubmission with the reason it cannot be read.

    max_bytes: the largest file accepted (a larger one is not read past that).
    A symbolic link is refused, never followed.
    """
    return parse_submission(read_bytes(path, max_bytes), path.name)


def read_bytes(path: Path, max_bytes: int = Limits.notebook_bytes) -> bytes:
    """The bytes of the file at ``path``, at most ``max_bytes`` of them; raises BadSubmission
    for a missing file, a symbolic link (never followed) or a larger file."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    except FileNotFoundError:
        raise BadSubmission(f"missing notebook {path.name}") from None
    except OSError as error:
        if error.errno == errno.ELOOP:
            raise BadSubmission(f"{path.name} is a symbolic link; not followed") from None
        raise BadSubmission(f"{path.name} cannot be opened: {error.strerror}") from None
    with os.fdopen(fd, "rb") as file:
        raw = file.read(max_bytes + 1)
    if len(raw) > max_bytes:
        raise BadSubmission(
            f"{path.name} is larger than {max_bytes // 2**20} MiB (--max-notebook-mib); "
            "ask for the notebook with its outputs cleared"
        )
    return raw


def parse_submission(raw: bytes, name: str) -> nbformat.NotebookNode:
    """The notebook in ``raw`` (the bytes of the file ``name``); raises BadSubmission with the
    reason it is not a readable nbformat-4 notebook."""
    path = Path(name)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise BadSubmission(
            f"{path.name} is not UTF-8 text (byte {error.start}); ask for the .ipynb file "
            "as saved by Jupyter"
        ) from None
    try:
        data = json.loads(text)
    except RecursionError:
        raise BadSubmission(f"{path.name} nests its JSON too deeply to be a notebook") from None
    except json.JSONDecodeError as error:
        # A notebook file ends with "}"; one that stops before it was cut short.
        truncated = not text.rstrip().endswith("}")
        if truncated:
            raise BadSubmission(f"{path.name} is truncated: the file ends mid-notebook") from None
        raise BadSubmission(f"{path.name} is not valid JSON (line {error.lineno})") from None
    if not isinstance(data, dict) or data.get("nbformat") != 4:
        version = data.get("nbformat") if isinstance(data, dict) else None
        raise BadSubmission(
            f"{path.name} is nbformat {version}, not 4; ask the student to open and save it "
            "in the course's JupyterLab"
        )
    try:
        with warnings.catch_warnings():
            # Cells of notebooks older than nbformat 4.5 have no ids; nbformat adds them.
            warnings.simplefilter("ignore", MissingIDFieldWarning)
            notebook = nbformat.reads(text, as_version=4)
            nbformat.validate(notebook)
    except RecursionError:
        raise BadSubmission(f"{path.name} nests its JSON too deeply to be a notebook") from None
    except MemoryError:
        raise
    except Exception as error:
        raise BadSubmission(f"{path.name} is not a valid notebook: {str(error)[:200]}") from None
    return notebook


def restore(notebook, spec: NotebookSpec, db_url: str, student: str) -> list[str]:
    """Put back the trusted metadata and locked cells, in place; returns what was tampered.

    Metadata comes only from the source: a cell whose grade_id the source does not have loses
    its nbgrader metadata, and a known cell gets the source's flags and points back.
    """
    problems = []
    seen = set()
    for index, cell in enumerate(notebook.cells, start=1):
        meta = cell.metadata.get("nbgrader")
        if meta is None:
            continue
        grade_id = meta.get("grade_id") if isinstance(meta, dict) else None
        if not isinstance(grade_id, str):
            del cell.metadata["nbgrader"]
            problems.append(f"cell {index} has nbgrader metadata without a grade_id; removed")
            continue
        if grade_id in seen:  # nbgrader's preprocessors fail on a second cell with an id
            del cell.metadata["nbgrader"]
            problems.append(
                f"cell {index} repeats grade_id {grade_id!r}; it is graded as a plain cell"
            )
            continue
        seen.add(grade_id)
        if grade_id not in spec.cells:
            del cell.metadata["nbgrader"]
            problems.append(f"a cell claims grade_id {grade_id!r}, which the source lacks")
            continue
        trusted = {
            "grade": grade_id in spec.points,
            "grade_id": grade_id,
            "locked": spec.cells[grade_id]["locked"],
            "schema_version": 3,
            "solution": grade_id in spec.solutions,
            "task": False,
        }
        if grade_id in spec.points:
            trusted["points"] = spec.points[grade_id]
        changed = sorted(k for k in trusted if k != "schema_version" and meta.get(k) != trusted[k])
        if changed:
            problems.append(f"cell {grade_id!r}: nbgrader metadata changed ({', '.join(changed)})")
        originals = (spec.cells[grade_id]["source"], spec.released.get(grade_id))
        if spec.cells[grade_id]["locked"] and cell.source not in originals:
            problems.append(f"locked cell {grade_id!r} was edited; restored from the source")
        cell.metadata["nbgrader"] = trusted
    present = {c.metadata.get("nbgrader", {}).get("grade_id") for c in notebook.cells}
    for grade_id in spec.tests:
        if grade_id not in present:
            problems.append(f"test cell {grade_id!r} was deleted; restored from the source")
    resources = {
        "nbgrader": {
            "notebook": spec.notebook,
            "assignment": spec.assignment,
            "student": student,
            "db_url": db_url,
        }
    }
    for preprocessor in (DeduplicateIds(), OverwriteCells(add_missing_cells=True)):
        notebook, resources = preprocessor.preprocess(notebook, resources)
    present = {c.metadata.get("nbgrader", {}).get("grade_id") for c in notebook.cells}
    for grade_id in spec.tests:
        if grade_id not in present:  # OverwriteCells found no place for it: grade it last
            notebook.cells.append(test_cell(spec, grade_id))
    for cell in notebook.cells:
        if notebook.nbformat_minor >= 5 and "id" not in cell:  # cells OverwriteCells added back
            cell["id"] = secrets.token_hex(4)
    CheckCellMetadata().preprocess(notebook, resources)
    return problems


def test_cell(spec: NotebookSpec, grade_id: str):
    cell = nbformat.v4.new_code_cell(spec.cells[grade_id]["source"])
    cell.metadata["nbgrader"] = {
        "grade": True,
        "grade_id": grade_id,
        "locked": True,
        "points": spec.points[grade_id],
        "schema_version": 3,
        "solution": False,
        "task": False,
        "checksum": spec.cells[grade_id]["checksum"],
    }
    return cell
