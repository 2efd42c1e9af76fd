"""What grading found, as data: each check's verdict, each notebook's outcome, a run's summary.

The grading run fills these; ``save`` writes one outcome where nbgrader and the other
commands expect it (the gradebook, the autograded notebook, and a ``.results.json`` beside
it), and ``load_results`` reads the results files back for ``feedback`` and ``report``.
"""

from __future__ import annotations

import json
import warnings
from dataclasses import asdict, dataclass, field
from pathlib import Path

import nbformat
from nbgrader.api import Gradebook
from nbgrader.coursedir import CourseDirectory
from nbgrader.preprocessors import SaveAutoGrades
from sqlalchemy.exc import SAWarning

from grader.tool.penalties import apply_penalties


@dataclass
class CheckResult:
    """The verdict on one ``check(...)`` of one test cell.

    message:   what the student reads: the failure, or "" when it passed.
    diagnosis: the known mistake the check named, or None (passed, or no known mistake fits).
    """

    cell: str
    exercise: str
    hidden: bool
    passed: bool
    message: str
    diagnosis: str | None = None


@dataclass
class Outcome:
    """What grading one notebook of one student gave.

    graded:   False when the notebook could not be graded (then nothing is written).
    problems: lines for the summary; non-empty means the submission needs attention.
    notebook: the autograded notebook as a dict (None when not graded).
    seconds:  wall time the worker spent on it; ``executing`` of that was spent waiting
              for the kernel to run code (the notebook's own execution time).
    submission: the job's digest of the submitted file, the notebook's tests and the course
              version ("" if unknown); a rerun leaves a notebook whose digest is unchanged.
    worker:   the cluster worker that graded it ("" for the local pool).
    retried:  True when a cluster worker died while grading it, and another graded it.
    """

    student: str
    assignment: str
    notebook_name: str
    graded: bool
    score: float = 0.0
    max_score: float = 0.0
    checks: list[CheckResult] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    notebook: dict | None = None
    seconds: float = 0.0
    executing: float = 0.0
    submission: str = ""
    worker: str = ""
    retried: bool = False


@dataclass
class Summary:
    """A whole run: every outcome, and the lines for the submissions that need attention.

    isolation: the containment mode of the run (on a cluster, its weakest worker's).
    skipped:   notebooks left alone because the same file was graded and saved before.
    workers:   on a cluster, {worker address: its mode} for each worker whose containment
               is weaker than root's ("namespaces"), with what that mode lacks.
    """

    outcomes: list[Outcome]
    isolation: str
    skipped: int = 0
    workers: dict[str, str] = field(default_factory=dict)

    @property
    def attention(self) -> list[str]:
        return [
            f"{o.student} / {o.assignment}/{o.notebook_name}: {problem}"
            for o in self.outcomes
            for problem in o.problems
        ]


def save(coursedir: CourseDirectory, outcome: Outcome) -> None:
    """Write one graded outcome: its scores into the gradebook (through nbgrader's
    SaveAutoGrades, so ``nbgrader export`` and the formgrader see them), the autograded
    notebook, and its results file. An outcome that was not graded writes nothing.

    Only the process that owns the gradebook calls this, one outcome at a time.
    """
    if not outcome.graded:
        return
    folder = Path(
        coursedir.format_path(coursedir.autograded_directory, outcome.student, outcome.assignment)
    )
    folder.mkdir(parents=True, exist_ok=True)
    submitted = coursedir.format_path(
        coursedir.submitted_directory, outcome.student, outcome.assignment
    )
    timestamp = coursedir.get_existing_timestamp(submitted)
    notebook = nbformat.from_dict(outcome.notebook)
    resources = {
        "nbgrader": {
            "notebook": outcome.notebook_name,
            "assignment": outcome.assignment,
            "student": outcome.student,
            "db_url": coursedir.db_url,
        }
    }
    with warnings.catch_warnings():
        # nbgrader's add_submission makes SQLAlchemy warn about autoflush; it is harmless.
        warnings.simplefilter("ignore", SAWarning)
        with Gradebook(coursedir.db_url) as gradebook:
            gradebook.update_or_create_student(outcome.student)
            gradebook.update_or_create_submission(
                outcome.assignment,
                outcome.student,
                **({"timestamp": timestamp} if timestamp else {}),
            )
        SaveAutoGrades().preprocess(notebook, resources)
        apply_penalties(coursedir.config, outcome.assignment, [outcome.student])
    nbformat.write(notebook, folder / f"{outcome.notebook_name}.ipynb")
    results = {key: value for key, value in asdict(outcome).items() if key != "notebook"}
    (folder / f"{outcome.notebook_name}.results.json").write_text(json.dumps(results, indent=1))


def graded_before(coursedir: CourseDirectory, student: str, assignment: str, notebook: str):
    """The digest (``Outcome.submission``) of what was graded and saved for this notebook,
    from its results file; None when there is none (never graded, or not graded because the
    file was unreadable)."""
    folder = coursedir.format_path(coursedir.autograded_directory, student, assignment)
    path = Path(folder) / f"{notebook}.results.json"
    try:
        return json.loads(path.read_text()).get("submission") or None
    except (OSError, ValueError):
        return None


def load_results(coursedir: CourseDirectory, assignment: str) -> list[dict]:
    """Every results file written for ``assignment``, as dicts (see Outcome and CheckResult)."""
    folder = Path(coursedir.root, coursedir.autograded_directory)
    return [
        json.loads(p.read_text()) for p in sorted(folder.glob(f"*/{assignment}/*.results.json"))
    ]
