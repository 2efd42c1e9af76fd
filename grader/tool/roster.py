"""The class list an LMS exports, read into one shape: who each LMS id is.

Three exports are recognised by their header row, and a plain CSV for a folder export:

- Canvas, Grades > Export: ``ID`` is the id, ``Student`` the name, ``SIS Login ID`` the login.
- Moodle, the assignment's "Download grading worksheet": ``Identifier`` ("Participant
  123456"; the number is the id), ``Full name``, ``Email address`` (the login).
- Blackboard, Grade Center > Work Offline > Download: ``Username`` (id and login),
  ``First Name`` and ``Last Name``.
- Any other: a CSV with the columns ``id``, ``name`` and ``login``.

``collect`` uses a roster to flag submissions from students who are not on it; ``export``
uses it for the columns each LMS's import matches on.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Member:
    """One student on the roster.

    id: the LMS's id (as in its file names). identifier: what its grade import matches on
    (Canvas and Blackboard: the id; Moodle: "Participant 123456"). sis_id, section: Canvas's.
    """

    id: str
    name: str
    login: str
    identifier: str
    sis_id: str = ""
    section: str = ""


@dataclass
class Roster:
    """Every member by id; ``kind`` is the LMS it came from; ``columns`` its header row."""

    kind: str
    members: dict[str, Member] = field(default_factory=dict)
    columns: list[str] = field(default_factory=list)


def _canvas(row: dict) -> Member | None:
    if not row["ID"].strip().isdigit():  # "Points Possible" and muted-assignment rows
        return None
    return Member(
        row["ID"].strip(),
        row["Student"].strip(),
        row.get("SIS Login ID", "").strip(),
        row["ID"].strip(),
        row.get("SIS User ID", "").strip(),
        row.get("Section", "").strip(),
    )


def _moodle(row: dict) -> Member | None:
    number = re.search(r"(\d+)\s*$", row["Identifier"])
    if not number:
        return None
    return Member(
        number.group(1),
        row.get("Full name", "").strip(),
        row.get("Email address", "").strip(),
        row["Identifier"].strip(),
    )


def _blackboard(row: dict) -> Member | None:
    username = row["Username"].strip()
    name = f"{row.get('First Name', '').strip()} {row.get('Last Name', '').strip()}".strip()
    return Member(username, name, username, username, row.get("Student ID", "").strip())


def _plain(row: dict) -> Member | None:
    sid = row["id"].strip()
    return Member(sid, row.get("name", "").strip(), row.get("login", "").strip(), sid)


# The column that tells each export apart, and how one of its rows becomes a Member.
KINDS = {
    "canvas": ("SIS Login ID", _canvas),
    "moodle": ("Identifier", _moodle),
    "blackboard": ("Username", _blackboard),
    "plain": ("id", _plain),
}


def read_roster(path: Path) -> Roster:
    """The roster in the CSV at ``path`` (UTF-8 or UTF-16, comma, semicolon or tab separated,
    as the LMSs write them). Raises ValueError naming the columns it looked for."""
    raw = Path(path).read_bytes()
    text = raw.decode("utf-16") if raw[:2] in (b"\xff\xfe", b"\xfe\xff") else None
    if text is None:
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise ValueError(f"{path} is not UTF-8 or UTF-16 text; export it again") from error
    first = text.splitlines()[0] if text else ""
    delimiter = max(",;\t", key=first.count)
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    columns = [c.strip() for c in reader.fieldnames or []]
    reader.fieldnames = columns
    for kind, (marker, member) in KINDS.items():
        if marker in columns:
            roster = Roster(kind, columns=columns)
            for row in reader:
                found = member({k: v or "" for k, v in row.items() if k is not None})
                if found is not None and found.id:
                    roster.members[found.id] = found
            return roster
    raise ValueError(
        f"{path} is not a roster this tool knows: its header has none of "
        f"{', '.join(repr(marker) for marker, _ in KINDS.values())}; export Canvas's "
        "gradebook, Moodle's grading worksheet or Blackboard's Grade Center, or write a CSV "
        "with the columns id, name, login"
    )
