"""The grades as the CSV each platform imports: nbgrader's own, Canvas's or Moodle's.

- ``nbgrader``: the columns of ``nbgrader export``, one row per student and assignment, with
  the raw score, the late penalty and the score side by side.
- ``canvas``: Canvas's gradebook import (Grades > Import): ``Student``, ``ID``,
  ``SIS User ID``, ``SIS Login ID``, ``Section``, then one column per assignment, after a
  ``Points Possible`` row. An assignment column already in the roster (Canvas names them
  ``NAME (ASSIGNMENT ID)``) is reused, so that Canvas updates it rather than adding one.
- ``moodle``: the assignment's grading worksheet (Assignment > Upload grading worksheet),
  keyed by ``Identifier`` ("Participant 123456"); one assignment per file.

Scores are after the late penalty. A student in the gradebook but not on the roster is still
written, and reported; a roster member without a submission gets an empty cell, which the
LMS leaves as it is. Every text cell goes through ``spreadsheet_safe``.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

from nbgrader.api import Gradebook, MissingEntry
from nbgrader.coursedir import CourseDirectory

from grader.tool.roster import Member, Roster
from grader.tool.safe_text import spreadsheet_safe

TARGETS = ("nbgrader", "canvas", "moodle")
NBGRADER_COLUMNS = [
    "assignment",
    "duedate",
    "timestamp",
    "student_id",
    "last_name",
    "first_name",
    "email",
    "raw_score",
    "late_submission_penalty",
    "score",
    "max_score",
]


@dataclass(frozen=True)
class _Grade:
    raw: float
    penalty: float
    timestamp: object

    @property
    def score(self) -> float:
        return round(max(0.0, self.raw - self.penalty), 6)


def export(
    config,
    destination: Path,
    assignments: list[str] | None = None,
    *,
    to: str = "nbgrader",
    roster: Roster | None = None,
    problems: list[str] | None = None,
) -> Path:
    """Write the grades of ``assignments`` (default: all) for the platform ``to``.

    config:   nbgrader configuration (``grader.tool.course.course_config(root)``).
    roster:   the LMS's class list; Canvas's and Moodle's files take names and keys from it.
    problems: gets a line for each graded student who is not on the roster.
    Returns ``destination``. Raises ValueError for an unknown target or assignment.
    """
    if to not in TARGETS:
        raise ValueError(f"unknown export target {to!r}; choose one of {', '.join(TARGETS)}")
    coursedir = CourseDirectory(config=config)
    with Gradebook(coursedir.db_url) as gradebook:
        known = [a.name for a in gradebook.assignments]
        names = list(assignments or known)
        unknown = [name for name in names if name not in known]
        if unknown:
            raise ValueError(
                f"no assignment {', '.join(unknown)} in the gradebook; it has: "
                f"{', '.join(known) or 'none yet'}"
            )
        if to == "moodle" and len(names) != 1:
            raise ValueError("a Moodle grading worksheet holds one assignment: name exactly one")
        students = {s.id: s for s in gradebook.students}
        maxima = {name: gradebook.find_assignment(name).max_score for name in names}
        due = {name: gradebook.find_assignment(name).duedate for name in names}
        grades = {}
        for name in names:
            for sid in students:
                grade = _grade(gradebook, name, sid)
                if grade is not None:
                    grades[(name, sid)] = grade
        people = {
            sid: (s.first_name or "", s.last_name or "", s.email or "")
            for sid, s in students.items()
        }
    if roster is not None and problems is not None:
        for sid in sorted(students):
            if sid not in roster.members and any((n, sid) in grades for n in names):
                problems.append(f"{sid}: graded but not on the roster; written anyway")
    if to == "nbgrader":
        rows = [NBGRADER_COLUMNS]
        for name in names:
            for sid in sorted(students):
                grade = grades.get((name, sid), _Grade(0.0, 0.0, ""))
                first, last, email = people[sid]
                rows.append(
                    [name, due[name] or "", grade.timestamp or "", sid, last, first, email]
                    + [grade.raw, grade.penalty, grade.score, maxima[name]]
                )
    elif to == "canvas":
        rows = _canvas(names, maxima, grades, _members(roster, students, people), roster)
    else:
        rows = _moodle(names[0], maxima[names[0]], grades, _members(roster, students, people))
    with open(destination, "w", newline="", encoding="utf-8") as stream:
        csv.writer(stream).writerows([[spreadsheet_safe(v) for v in row] for row in rows])
    return Path(destination)


def _grade(gradebook, assignment: str, student: str) -> _Grade | None:
    try:
        submission = gradebook.find_submission(assignment, student)
    except MissingEntry:
        return None
    return _Grade(submission.score, submission.late_submission_penalty, submission.timestamp)


def _members(roster: Roster | None, students, people) -> list[Member]:
    """The roster's members, then every graded student the roster lacks (with the name the
    gradebook has), so that nobody is dropped."""
    members = dict(roster.members) if roster else {}
    for sid in sorted(students):
        if sid not in members:
            first, last, email = people[sid]
            name = f"{first} {last}".strip()
            identifier = f"Participant {sid}" if roster is None or roster.kind == "moodle" else sid
            members[sid] = Member(sid, name, email, identifier)
    return list(members.values())


def _canvas(names, maxima, grades, members: list[Member], roster: Roster | None) -> list[list]:
    columns = [_canvas_column(name, roster) for name in names]
    rows = [["Student", "ID", "SIS User ID", "SIS Login ID", "Section", *columns]]
    rows.append(["Points Possible", "", "", "", "", *(maxima[name] for name in names)])
    for m in members:
        scores = [grades[(n, m.id)].score if (n, m.id) in grades else "" for n in names]
        rows.append([m.name, m.id, m.sis_id, m.login, m.section, *scores])
    return rows


def _canvas_column(assignment: str, roster: Roster | None) -> str:
    """The roster's column for ``assignment`` ("05_backprop (4242)"), else its bare name."""
    for column in roster.columns if roster else []:
        if re.fullmatch(re.escape(assignment) + r"\s*\(\d+\)", column):
            return column
    return assignment


def _moodle(name, maximum, grades, members: list[Member]) -> list[list]:
    rows = [
        ["Identifier", "Full name", "Email address", "Grade", "Maximum Grade", "Feedback comments"]
    ]
    for m in members:
        grade = grades.get((name, m.id))
        comment = ""
        if grade is not None and grade.penalty:
            comment = f"raw score {grade.raw:g}, late penalty {grade.penalty:g}"
        score = grade.score if grade is not None else ""
        rows.append([m.identifier, m.name, m.login, score, maximum, comment])
    return rows
