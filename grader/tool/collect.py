"""Import submissions, as an LMS exports them, into nbgrader's ``submitted/`` folder.

The input is a folder or a zip. Each file belongs to a student either by its folder
(``alice/05_backprop.ipynb``) or by its name (``alice_05_backprop.ipynb``: the student id is
everything before the first underscore). Nothing is unpacked blindly: each entry's path and
student id are checked, and only the assignment's notebooks are written, to
``submitted/STUDENT/ASSIGNMENT/NOTEBOOK.ipynb`` with a ``timestamp.txt``. The notebooks'
contents are checked later, by ``autograde``. Every file that is not taken says why.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

from nbgrader.coursedir import CourseDirectory

STUDENT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")


@dataclass
class Entry:
    """One file of the input: its path inside the input, bytes and modification time."""

    name: str
    data: bytes
    modified: datetime


@dataclass
class Collection:
    """What ``collect`` did: notebooks written and lines for the summary."""

    written: list[Path] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def read_entries(source: Path, problems: list[str]) -> list[Entry]:
    """The files of a folder or zip; unsafe zip paths are skipped with a line in ``problems``."""
    source = Path(source)
    if source.is_dir():
        return [
            Entry(
                path.relative_to(source).as_posix(),
                path.read_bytes(),
                datetime.fromtimestamp(path.stat().st_mtime, UTC),
            )
            for path in sorted(source.rglob("*"))
            if path.is_file()
        ]
    if not zipfile.is_zipfile(source):
        raise ValueError(f"{source} is neither a folder nor a zip file")
    entries = []
    with zipfile.ZipFile(source) as archive:
        for info in archive.infolist():
            if info.is_dir():
                continue
            path = PurePosixPath(info.filename.replace("\\", "/"))
            if path.is_absolute() or ".." in path.parts or re.match(r"^[A-Za-z]:", str(path)):
                problems.append(f"zip entry {info.filename!r} points outside the folder; skipped")
                continue
            entries.append(
                Entry(str(path), archive.read(info), datetime(*info.date_time, tzinfo=UTC))
            )
    return entries


def owner(name: str) -> tuple[str, str]:
    """(student id, file name) for an entry path: by folder if it has one, else by name."""
    parts = PurePosixPath(name).parts
    if len(parts) >= 2:
        return parts[-2] if len(parts) > 2 else parts[0], parts[-1]
    student, _, file = name.partition("_")
    return student, file


def collect(config, assignment: str, source: Path) -> Collection:
    """Import ``assignment``'s submissions from the folder or zip ``source``.

    config: nbgrader configuration (``grader.tool.course.course_config(root)``).
    Returns a Collection; a student's previous submission of a notebook is replaced.
    """
    coursedir = CourseDirectory(config=config)
    release = Path(coursedir.format_path(coursedir.release_directory, ".", assignment))
    expected = sorted(p.name for p in release.glob("*.ipynb"))
    if not expected:
        raise ValueError(f"no released notebooks for {assignment!r} in {release}; release it first")
    result = Collection()
    by_student: dict[str, list[Entry]] = {}
    for entry in read_entries(source, result.problems):
        student, file = owner(entry.name)
        if not STUDENT_ID.match(student) or ".." in student:
            result.problems.append(
                f"{entry.name!r}: student id {student!r} may only use letters, digits, "
                "'.', '_', '@' and '-'; skipped"
            )
            continue
        by_student.setdefault(student, []).append(Entry(file, entry.data, entry.modified))
    for student, entries in sorted(by_student.items()):
        chosen = _choose(student, entries, expected, result.problems)
        folder = Path(coursedir.format_path(coursedir.submitted_directory, student, assignment))
        for notebook, entry in chosen.items():
            folder.mkdir(parents=True, exist_ok=True)
            (folder / notebook).write_bytes(entry.data)
            result.written.append(folder / notebook)
        if chosen:
            latest = max(entry.modified for entry in chosen.values())
            (folder / "timestamp.txt").write_text(latest.strftime("%Y-%m-%d %H:%M:%S.%f %Z"))
    return result


def _choose(
    student: str, entries: list[Entry], expected: list[str], problems: list[str]
) -> dict[str, Entry]:
    """{expected notebook name: the entry taken for it} for one student, noting the rest."""
    chosen: dict[str, Entry] = {}
    strays = []
    for entry in sorted(entries, key=lambda e: (e.modified, e.name)):
        if entry.name in expected:
            if entry.name in chosen:
                problems.append(f"{student}: submitted {entry.name} twice; kept the latest")
            chosen[entry.name] = entry
        elif entry.name.endswith(".ipynb"):
            strays.append(entry)
        else:
            problems.append(f"{student}: extra file {entry.name!r} ignored")
    missing = [name for name in expected if name not in chosen]
    if len(missing) == 1 and len(strays) == 1:
        problems.append(f"{student}: notebook {strays[0].name!r} taken as {missing[0]} (renamed)")
        chosen[missing[0]] = strays.pop()
        missing = []
    for entry in strays:
        problems.append(f"{student}: extra notebook {entry.name!r} ignored")
    for name in missing:
        problems.append(f"{student}: missing notebook {name}")
    return chosen
