"""Import submissions, as an LMS exports them, into nbgrader's ``submitted/`` folder.

The input is a folder or a zip (read by ``archive``: no symbolic links, bounded sizes). Each
file's owner is read from its name by one of the layouts in ``lms.FORMATS`` (Canvas, Moodle,
Blackboard, a plain folder), named or detected; the key is always the LMS's id, never a
display name. Only the assignment's notebooks are written, to
``submitted/STUDENT/ASSIGNMENT/NOTEBOOK.ipynb``, beside nbgrader's ``timestamp.txt`` (UTC) and
``collected.json``: the layout, display name, file prefix, the LMS's late marker and the
submission time with its zone. The notebooks' contents are checked later, by ``autograde``.
Every file that is not taken says why; two different students under one id are never merged.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from nbgrader.coursedir import CourseDirectory

from grader.tool import lms
from grader.tool.archive import Entry, IntakeLimits, read_entries, read_limited
from grader.tool.roster import Roster
from grader.tool.safe_text import terminal_safe

RECORD = "collected.json"


@dataclass
class Collection:
    """What ``collect`` did.

    format:   the layout used; detected: whether it was detected rather than named.
    written:  the notebooks written. problems: lines for the summary (files not taken as is).
    late:     ids of students whose submission the LMS marked late.
    zone:     the time zone that times without one (zip entries, Blackboard names) were read in.
    """

    format: str = ""
    detected: bool = False
    written: list[Path] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    late: list[str] = field(default_factory=list)
    zone: str = "UTC"


@dataclass
class _Item:
    """One file of one student, with the time it was submitted (aware)."""

    entry: Entry
    who: lms.Identity
    time: datetime


def collect(
    config,
    assignment: str,
    source: Path,
    *,
    layout: str | lms.Format | None = None,
    roster: Roster | None = None,
    timezone: str = "UTC",
    limits: IntakeLimits | None = None,
) -> Collection:
    """Import ``assignment``'s submissions from the folder or zip ``source``.

    config:   nbgrader configuration (``grader.tool.course.course_config(root)``).
    layout:   a name in ``lms.FORMATS``, a Format (``lms.custom``), or None to detect it.
    roster:   the LMS's class list; submissions from ids not on it get a line.
    timezone: the IANA zone of times that carry none: zip entry times and Blackboard's
              attempt times are the server's local wall time.
    limits:   sizes an export may have (default IntakeLimits()).
    Returns a Collection. A student's earlier submission of a notebook is replaced; the
    gradebook is not touched, so grades already given stay until ``autograde`` runs again.
    """
    coursedir = CourseDirectory(config=config)
    release = Path(coursedir.format_path(coursedir.release_directory, ".", assignment))
    expected = sorted(p.name for p in release.glob("*.ipynb"))
    if not expected:
        raise ValueError(f"no released notebooks for {assignment!r} in {release}; release it first")
    try:
        zone = ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise ValueError(
            f"unknown time zone {timezone!r}; use a name like Europe/Berlin"
        ) from error
    limits = limits or IntakeLimits()
    result = Collection(zone=timezone)
    entries = read_entries(source, result.problems, limits)
    if layout is None:
        fmt, _ = lms.detect([entry.name for entry in entries])
        result.detected = True
    else:
        fmt = layout if isinstance(layout, lms.Format) else _named(layout)
    fmt = lms.settle(fmt, [entry.name for entry in entries])
    result.format = fmt.name
    by_student: dict[str, list[_Item]] = {}
    for entry in entries:
        if fmt.receipts is not None and fmt.receipts.fullmatch(entry.name):
            continue
        who = lms.identify(fmt, entry.name)
        if isinstance(who, str):
            result.problems.append(f"{_show(entry.name)}: {who}; skipped")
            continue
        moment = who.time or entry.modified
        moment = moment.replace(tzinfo=zone) if moment.tzinfo is None else moment
        by_student.setdefault(who.student, []).append(_Item(entry, who, moment))
    for student, items in sorted(by_student.items()):
        names = sorted({item.who.name for item in items if item.who.name})
        if len(names) > 1:
            first = next(i for i in items if i.who.name == names[0])
            other = next(i for i in items if i.who.name == names[1])
            result.problems.append(
                f"{student}: {_show(first.entry.name)} and {_show(other.entry.name)} carry the "
                f"same id for different names ({_show(names[0])}, {_show(names[1])}); neither "
                "taken: check the export"
            )
            continue
        if roster is not None and student not in roster.members:
            result.problems.append(
                f"{student}: not on the roster ({roster.kind}); collected: check who this is"
            )
        chosen = _choose(student, items, expected, result.problems)
        _write(coursedir, assignment, student, fmt, chosen, limits, result)
    return result


def _named(name: str) -> lms.Format:
    if name not in lms.FORMATS:
        raise ValueError(f"unknown layout {name!r}; the layouts are: {', '.join(lms.FORMATS)}")
    return lms.FORMATS[name]


def _choose(student: str, items: list[_Item], expected: list[str], problems: list[str]):
    """{expected notebook name: the item taken for it} for one student, noting the rest."""
    chosen: dict[str, _Item] = {}
    strays = []
    for item in sorted(items, key=lambda i: (i.time, i.entry.name)):
        name = item.who.file
        if name in expected:
            if name in chosen:
                problems.append(f"{student}: submitted {name} twice; kept the latest")
            chosen[name] = item
        elif name.endswith(".ipynb"):
            strays.append(item)
        else:
            problems.append(f"{student}: extra file {_show(name)} ignored")
    missing = [name for name in expected if name not in chosen]
    if len(missing) == 1 and len(strays) == 1:
        problems.append(
            f"{student}: notebook {_show(strays[0].who.file)} taken as {missing[0]} (renamed)"
        )
        chosen[missing[0]] = strays.pop()
        missing = []
    for item in strays:
        problems.append(f"{student}: extra notebook {_show(item.who.file)} ignored")
    for name in missing:
        problems.append(f"{student}: missing notebook {name}")
    return chosen


def _write(coursedir, assignment, student, fmt, chosen: dict, limits, result: Collection):
    """Write one student's chosen notebooks, their record and nbgrader's timestamp."""
    if not chosen:
        return
    folder = Path(coursedir.format_path(coursedir.submitted_directory, student, assignment))
    latest = max(item.time for item in chosen.values())
    files = {}
    for notebook, item in chosen.items():
        try:
            data = read_limited(item.entry, limits)
        except ValueError as error:
            result.problems.append(f"{student}: {_show(item.entry.name)} {error}; skipped")
            continue
        folder.mkdir(parents=True, exist_ok=True)
        _replace(folder / notebook, data)
        files[notebook] = item.entry.name
        result.written.append(folder / notebook)
    if not files:
        return
    who = next(iter(chosen.values())).who
    late = any(item.who.late for item in chosen.values())
    if late:
        result.late.append(student)
    record = {
        "format": fmt.name,
        "student": student,
        "name": who.name,
        "prefix": who.prefix,
        "late": late,
        "submitted": latest.isoformat(),
        "zone": str(latest.tzinfo),
        "files": files,
    }
    _replace(folder / RECORD, json.dumps(record, indent=1, ensure_ascii=False).encode())
    utc = latest.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f UTC")
    _replace(folder / "timestamp.txt", utc.encode())


def read_record(folder: Path) -> dict | None:
    """What ``collect`` recorded in a student's ``submitted/STUDENT/ASSIGNMENT`` folder."""
    path = Path(folder) / RECORD
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None


def _replace(path: Path, data: bytes) -> None:
    """Write ``path`` whole or not at all; a link placed at ``path`` is replaced, not followed."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".collect-")
    with os.fdopen(handle, "wb") as stream:
        stream.write(data)
    os.replace(temporary, path)


def _show(text: str) -> str:
    return terminal_safe(repr(text))
