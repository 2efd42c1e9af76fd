"""How each LMS names the files of a bulk download: one table, ``FORMATS``, one entry per LMS.

A format is a list of named regular expressions matched (``fullmatch``) against each file's
path inside the export. The groups are:

- ``id``   (required) the LMS's own key for the student: Canvas's user id, Moodle's
           participant number, Blackboard's username. It becomes the student's folder in
           ``grading/submitted/``, so it must also pass ``STUDENT_ID``.
- ``file`` (required) the name the student gave the file.
- ``name`` the display name the LMS wrote, recorded but never used as a key.
- ``late`` present when the LMS marked the submission late.
- ``time`` the submission time written in the name, read with the format's ``time_format``.

Whatever the name has before ``file`` is kept as the student's ``prefix``: the bulk-feedback
uploads of Canvas and Moodle find the student by it. A new LMS is one more entry in
``FORMATS``; ``custom`` builds one from the instructor's own expression.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import PurePosixPath

# Letters, digits and . _ @ -, starting with a letter or digit: an id is also a folder name.
STUDENT_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{0,63}")
REQUIRED_GROUPS = {"id", "file"}


@dataclass(frozen=True)
class Format:
    """One LMS's naming scheme.

    patterns:    tried in order; the first that matches a path decides it.
    example:     one path in this layout, for messages and the docs.
    time_format: ``strptime`` format of the ``time`` group, if the format has one.
    receipts:    paths that belong to the layout but hold no work (skipped without a line).
    student:     the id of every file, for a layout that holds one student's work and no
                 ``id`` group (Gradescope's submission folder).
    depth:       how many folders deep its files lie at most (None: not known).
    titled:      for a layout whose names all start with one title and then the id, both
                 free to hold '_' (Blackboard): the pattern with ``{title}`` where the title
                 goes; ``settle`` fills it in from the names of a download.
    """

    name: str
    patterns: tuple[re.Pattern, ...]
    example: str
    time_format: str | None = None
    receipts: re.Pattern | None = None
    student: str | None = None
    depth: int | None = 0
    titled: str | None = None


@dataclass(frozen=True)
class Identity:
    """Who a file belongs to, as its name says.

    student: the LMS's id; file: the student's file name; prefix: the path before ``file``.
    name:    the display name, or "". late: the LMS's late marker. time: the submission time
             in the name (naive local time), or None.
    """

    student: str
    file: str
    prefix: str
    name: str = ""
    late: bool = False
    time: datetime | None = None


FORMATS: dict[str, Format] = {
    # smithjohn_123456_7890123_05_backprop.ipynb; late: smithjohn_LATE_123456_7890123_...
    # (sortable name, user id, submission id, the file's name; Canvas adds -1, -2 to a
    # re-uploaded file's name).
    "canvas": Format(
        "canvas",
        (
            re.compile(
                r"(?P<name>[^_/]+)_(?:(?P<late>late)_)?(?P<id>\d+)_\d+_(?P<file>[^/]+)",
                re.IGNORECASE,
            ),
        ),
        "smithjohn_123456_7890123_05_backprop.ipynb",
    ),
    # John Smith_123456_assignsubmission_file_/05_backprop.ipynb (in folders), or flat:
    # John Smith_123456_assignsubmission_file_05_backprop.ipynb. The number is the
    # participant number, which Moodle's grading worksheet calls "Participant 123456".
    "moodle": Format(
        "moodle",
        (
            re.compile(r"(?P<name>[^/]+?)_(?P<id>\d+)_assignsubmission_[a-z]+_?/(?P<file>[^/]+)"),
            re.compile(r"(?P<name>[^/]+?)_(?P<id>\d+)_assignsubmission_[a-z]+_(?P<file>[^/]+)"),
        ),
        "John Smith_123456_assignsubmission_file_/05_backprop.ipynb",
        depth=1,
    ),
    # Homework 5_jsmith_attempt_2026-11-20-14-03-22_05_backprop.ipynb, beside a receipt
    # Homework 5_jsmith_attempt_2026-11-20-14-03-22.txt; one pair per attempt.
    "blackboard": Format(
        "blackboard",
        (
            re.compile(
                r"[^/]+_(?P<id>[^_/]+)_attempt_"
                r"(?P<time>\d{4}-\d\d-\d\d-\d\d-\d\d-\d\d)_(?P<file>[^/]+)"
            ),
        ),
        "Homework 5_jsmith_attempt_2026-11-20-14-03-22_05_backprop.ipynb",
        time_format="%Y-%m-%d-%H-%M-%S",
        receipts=re.compile(r"[^/]+_attempt_\d{4}-\d\d-\d\d-\d\d-\d\d-\d\d\.txt"),
        titled=r"{title}(?P<id>[^/]+)_attempt_"
        r"(?P<time>\d{4}-\d\d-\d\d-\d\d-\d\d-\d\d)_(?P<file>[^/]+)",
    ),
    # alice/05_backprop.ipynb, or alice_05_backprop.ipynb (the id ends at the first '_').
    "folder": Format(
        "folder",
        (
            re.compile(r"(?P<id>[^/]+)/(?P<file>[^/]+)"),
            re.compile(r"(?P<id>[^/_]+)_(?P<file>[^/]+)"),
        ),
        "alice/05_backprop.ipynb",
        depth=1,
    ),
}


def custom(expression: str) -> Format:
    """A Format from the instructor's regular expression, with at least the groups ``id`` and
    ``file``. Raises ValueError saying what is wrong with it."""
    try:
        pattern = re.compile(expression)
    except re.error as error:
        raise ValueError(f"--pattern is not a regular expression: {error}") from error
    missing = REQUIRED_GROUPS - set(pattern.groupindex)
    if missing:
        raise ValueError(
            f"--pattern needs the named groups (?P<id>...) and (?P<file>...); "
            f"missing: {', '.join(sorted(missing))}"
        )
    return Format("custom", (pattern,), expression, depth=None)


def identify(fmt: Format, path: str) -> Identity | str:
    """Who the file at ``path`` (inside the export) belongs to, or why that cannot be told."""
    for pattern in fmt.patterns:
        match = pattern.fullmatch(path)
        if match:
            break
    else:
        folders = PurePosixPath(path).parts[:-1]
        if fmt.depth is not None and len(folders) > fmt.depth:
            return (
                f"is in nested folders ({'/'.join(folders)}/), which the {fmt.name} layout "
                f"does not have (e.g. {fmt.example!r})"
            )
        return f"does not match the {fmt.name} layout (e.g. {fmt.example!r})"
    groups = match.groupdict()
    student = groups.get("id") or fmt.student or ""
    if not STUDENT_ID.fullmatch(student) or ".." in student:
        return f"student id {student!r} may only use letters, digits, '.', '_', '@' and '-'"
    time = None
    if groups.get("time") and fmt.time_format:
        try:
            time = datetime.strptime(groups["time"], fmt.time_format)
        except ValueError:
            return f"has a time {groups['time']!r} that is not a date"
    return Identity(
        student=student,
        file=groups["file"],
        prefix=path[: match.start("file")],
        name=groups.get("name") or "",
        late=bool(groups.get("late")),
        time=time,
    )


def detect(paths: list[str]) -> tuple[Format, int]:
    """The table's format that places the most notebooks among ``paths``, and how many it
    places; the folder layout when none places any (ties go to the earlier entry)."""
    notebooks = [p for p in paths if p.endswith(".ipynb")] or paths
    best, placed = FORMATS["folder"], 0
    for fmt in FORMATS.values():
        count = sum(isinstance(identify(fmt, p), Identity) for p in notebooks)
        if count > placed:
            best, placed = fmt, count
    return best, placed


def settle(fmt: Format, paths: list[str]) -> Format:
    """``fmt`` with its title filled in from the names of one download, when it has one.

    Blackboard writes ``TITLE_USERNAME_attempt_...``, and both may hold '_'. Every name of one
    download starts with the same title, so the title is the longest start that the names
    share, cut after an '_'. With one student only, nothing tells the two apart: then the
    username is taken to hold no '_' (``fmt`` as it is).
    """
    if fmt.titled is None:
        return fmt
    heads = set()
    for path in paths:
        match = fmt.patterns[0].fullmatch(path)
        if match:
            heads.add(path[: match.end("id")])
    shared = os.path.commonprefix(sorted(heads)) if len(heads) > 1 else ""
    title = shared[: shared.rfind("_") + 1]
    if not title:
        return fmt
    pattern = re.compile(fmt.titled.replace("{title}", re.escape(title)))
    return replace(fmt, patterns=(pattern,))
