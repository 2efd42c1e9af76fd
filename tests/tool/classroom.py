"""A small class of the fixture assignment for the cluster and gradebook tests, and what
its grades must be; ``conftest.py`` hands this module to the tests as the ``classroom``
fixture.

Four students: a correct answer, a blank notebook, a forgotten bias, and a correct answer
again (``dense_forward`` 2 points, ``neuron`` 1).
"""

from __future__ import annotations

import csv
from pathlib import Path

import nbformat

from grader.tool import gradebook
from grader.tool.course import course_config
from grader.tool.export import export
from grader.tool.release import release

GOOD = {
    "dense": "def dense_forward(X, W, b):\n    return X @ W + b\n",
    "neuron": "def neuron(x, w, b):\n    return 1 / (1 + np.exp(-(w @ x + b)))\n",
}
NO_BIAS = {**GOOD, "dense": "def dense_forward(X, W, b):\n    return X @ W\n"}
CLASS = {"ann": GOOD, "ben": {}, "cat": NO_BIAS, "dan": GOOD}
EXPECTED = {"ann": 3.0, "ben": 0.0, "cat": 1.0, "dan": 3.0}
# A correct answer that takes a while: time to kill the worker that grades it.
SLOW = {**GOOD, "dense": "import time\ntime.sleep(8)\n" + GOOD["dense"]}
COURSE_ID = "nn-course"


def course(make_course, parent: Path, name: str, db_url: str | None = None) -> Path:
    """A new fixture course in ``parent/name``; with ``db_url``, its gradebook is that
    PostgreSQL database (and the course has the id PostgreSQL needs)."""
    root = parent / name
    root.mkdir()
    make_course(root)
    if db_url is not None:
        with open(root / "nbgrader_config.py", "a") as file:
            file.write(f'c.CourseDirectory.course_id = "{COURSE_ID}"\n')
        release(["fx"], root=root, db_url=db_url)
    return root


def config(root: Path, db_url: str | None = None):
    """The course's nbgrader configuration, with its gradebook at ``db_url`` if given."""
    loaded = course_config(root)
    return loaded if db_url is None else gradebook.use(loaded, db_url)


def submit(root: Path, make_submission, students: dict[str, dict]) -> None:
    """Put each student's notebook (their answers) in the course's submitted folder."""
    for student, answers in students.items():
        folder = root / "grading" / "submitted" / student / "fx"
        folder.mkdir(parents=True)
        nbformat.write(make_submission(root, answers), folder / "fx.ipynb")


def gradebook_scores(loaded) -> dict[str, float]:
    """{student: score} from nbgrader's CSV export of the course's gradebook."""
    path = export(loaded, Path(loaded.CourseDirectory.root) / "grades.csv")
    return {row["student_id"]: float(row["score"]) for row in csv.DictReader(open(path))}
