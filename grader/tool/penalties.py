"""Due dates, extensions and late penalties, applied with nbgrader's own plugin mechanism.

The instructor writes ``grading/deadlines.toml``::

    timezone = "Europe/Berlin"      # how due dates without an offset are read

    [penalty]
    policy = "per_day"              # none | zero | per_hour | per_day
    fraction = 0.1                  # per started hour or day late, of the notebook's score

    [due]
    05_backprop = 2026-11-20T23:59:00

    [extensions.05_backprop]
    123456 = 48                     # hours, for this student id

``apply_penalties`` writes the due date into the gradebook (``Assignment.duedate``) and each
extension into its submission (``SubmittedAssignment.extension``), then runs nbgrader's
``AssignLatePenalties`` preprocessor with ``CoursePenalty``, a ``LateSubmissionPlugin``, on
every graded notebook. nbgrader keeps the raw score and stores the penalty beside it
(``SubmittedNotebook.late_submission_penalty``); the score is their difference, never below 0.

Policies, for a notebook scored ``s`` that is ``t`` seconds late (after any extension):
``none`` no penalty; ``zero`` the penalty is ``s``; ``per_hour``/``per_day`` the penalty is
``s * min(1, fraction * ceil(t / unit))``, so 10 % per day, 26 hours late, takes 20 %.
"""

from __future__ import annotations

import logging
import math
import tomllib
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import nbformat
from nbgrader.api import Gradebook, MissingEntry
from nbgrader.coursedir import CourseDirectory
from nbgrader.plugins import LateSubmissionPlugin
from nbgrader.preprocessors import AssignLatePenalties
from traitlets import Enum, Float
from traitlets.config import Config

DEADLINES = Path("grading") / "deadlines.toml"
UNITS = {"per_hour": 3600.0, "per_day": 86400.0}

# nbgrader's preprocessor logs each penalty as a warning; the tool reports them itself.
_LOG = logging.getLogger("grader.tool.penalties")
_LOG.addHandler(logging.NullHandler())
_LOG.propagate = False


class CoursePenalty(LateSubmissionPlugin):
    """nbgrader's late-submission plugin with two more policies: a fraction per started
    hour or day late. ``none`` and ``zero`` are nbgrader's own."""

    penalty_method = Enum(("none", "zero", *UNITS), default_value="none").tag(config=True)
    fraction = Float(0.0, help="share of the score taken per started unit late").tag(config=True)

    def late_submission_penalty(self, student_id: str, score: float, total_seconds_late: float):
        """The penalty, in points, for ``score`` submitted ``total_seconds_late`` late."""
        if self.penalty_method not in UNITS:
            return super().late_submission_penalty(student_id, score, total_seconds_late)
        started = math.ceil(total_seconds_late / UNITS[self.penalty_method])
        return round(score * min(1.0, self.fraction * started), 6)  # no 0.6000000000000001


@dataclass
class Deadlines:
    """What ``deadlines.toml`` says: due dates (aware), extensions, the policy."""

    policy: str = "none"
    fraction: float = 0.0
    due: dict[str, datetime] = field(default_factory=dict)
    extensions: dict[str, dict[str, timedelta]] = field(default_factory=dict)


@dataclass(frozen=True)
class Late:
    """One notebook's lateness: seconds late after the extension, raw score, penalty."""

    student: str
    notebook: str
    seconds_late: float
    raw_score: float
    penalty: float


def read_deadlines(path: Path) -> Deadlines:
    """The deadlines file at ``path``; no file means no due dates and no penalties.
    Raises ValueError naming the key to fix."""
    path = Path(path)
    if not path.is_file():
        return Deadlines()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise ValueError(f"{path}: {error}") from error
    try:
        zone = ZoneInfo(data.get("timezone", "UTC"))
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise ValueError(f"{path}: timezone {data.get('timezone')!r} is not a zone name") from error
    penalty = data.get("penalty", {})
    result = Deadlines(penalty.get("policy", "none"), float(penalty.get("fraction", 0.0)))
    if result.policy not in CoursePenalty.penalty_method.values:
        raise ValueError(
            f"{path}: penalty.policy {result.policy!r} is not one of "
            f"{', '.join(CoursePenalty.penalty_method.values)}"
        )
    if result.policy in UNITS and not 0 < result.fraction <= 1:
        raise ValueError(f"{path}: penalty.fraction must be in (0, 1], e.g. 0.1 for 10 %")
    for assignment, due in data.get("due", {}).items():
        if isinstance(due, str):
            try:
                due = datetime.fromisoformat(due)
            except ValueError as error:
                raise ValueError(f"{path}: due.{assignment} {due!r} is not a date") from error
        if not isinstance(due, datetime):
            raise ValueError(f"{path}: due.{assignment} needs a time too, e.g. 2026-11-20T23:59")
        result.due[assignment] = due if due.tzinfo else due.replace(tzinfo=zone)
    for assignment, students in data.get("extensions", {}).items():
        result.extensions[assignment] = {
            str(student): timedelta(hours=float(hours)) for student, hours in students.items()
        }
    return result


def apply_penalties(config, assignment: str, students: list[str] | None = None) -> list[Late]:
    """Set ``assignment``'s due date and extensions from ``grading/deadlines.toml`` and
    assign every graded notebook's late penalty in the gradebook, through nbgrader.

    config:   nbgrader configuration (``grader.tool.course.course_config(root)``).
    students: only these (default: every submission of the assignment in the gradebook).
    Returns one Late per late notebook. Running it again gives the same result.
    """
    coursedir = CourseDirectory(config=config)
    deadlines = read_deadlines(Path(coursedir.root) / DEADLINES)
    extensions = deadlines.extensions.get(assignment, {})
    with Gradebook(coursedir.db_url) as gradebook:
        try:
            record = gradebook.find_assignment(assignment)
        except MissingEntry:
            return []
        if assignment in deadlines.due:
            due = deadlines.due[assignment].astimezone(UTC).replace(tzinfo=None)
            record.duedate = due  # nbgrader keeps naive UTC times
        pairs = []
        for submission in record.submissions:
            if students and submission.student.id not in students:
                continue
            submission.extension = extensions.get(submission.student.id)
            pairs += [(submission.student.id, nb.name) for nb in submission.notebooks]
        gradebook.db.commit()
    settings = Config()
    settings.CoursePenalty.penalty_method = deadlines.policy
    settings.CoursePenalty.fraction = deadlines.fraction
    for student, notebook in pairs:
        preprocessor = AssignLatePenalties(config=settings, plugin_class=CoursePenalty, log=_LOG)
        resources = {
            "nbgrader": {
                "notebook": notebook,
                "assignment": assignment,
                "student": student,
                "db_url": coursedir.db_url,
            }
        }
        preprocessor.preprocess(nbformat.v4.new_notebook(), resources)
    return late_notebooks(config, assignment, students)


def late_notebooks(config, assignment: str, students: list[str] | None = None) -> list[Late]:
    """Every late notebook of ``assignment`` as the gradebook has it (reads only), for
    ``report`` and for ``apply_penalties``' answer."""
    coursedir = CourseDirectory(config=config)
    late = []
    with Gradebook(coursedir.db_url) as gradebook:
        try:
            record = gradebook.find_assignment(assignment)
        except MissingEntry:
            return []
        for submission in record.submissions:
            if students and submission.student.id not in students:
                continue
            seconds = submission.total_seconds_late
            for graded in submission.notebooks if seconds > 0 else []:
                penalty = graded.late_submission_penalty or 0.0
                late.append(
                    Late(submission.student.id, graded.name, seconds, graded.score, penalty)
                )
    return sorted(late, key=lambda item: (item.student, item.notebook))
