"""The whole nbgrader pipeline on the sample assignment: generate, submit, autograde, export.

The sample (``tests/fixtures/sample_assignment``) has two exercises worth 1 and 2 points,
checked with ``grader.check`` like a lesson's. Four students submit it to a course in a
temporary folder configured like the real one:

- "correct" writes both functions: 3 points;
- "blank" submits the notebook untouched: 0 points;
- "wrong" gets the second function wrong: 1 point;
- "warns" writes a correct sigmoid that makes numpy warn about overflow: 3 points, because
  the check keeps the warning off stderr, which nbgrader would score as a failure.
"""

import csv
import shutil
import subprocess
import sys

import nbformat
import pytest
from nbgrader.apps import NbGraderAPI
from nbgrader.coursedir import CourseDirectory

from grader.tool.course import course_config

ANSWERS = {
    "correct": {
        "double": "def double(x):\n    return 2 * x",
        "sigmoid": "def sigmoid(z):\n    return np.exp(-np.logaddexp(0.0, -z))",
    },
    "blank": {},
    "wrong": {
        "double": "def double(x):\n    return x + x",
        "sigmoid": "def sigmoid(z):\n    return np.tanh(z)",
    },
    "warns": {
        "double": "def double(x):\n    return 2.0 * x",
        "sigmoid": "def sigmoid(z):\n    return 1 / (1 + np.exp(-z))",
    },
}
SCORES = {"correct": 3.0, "blank": 0.0, "wrong": 1.0, "warns": 3.0}


def submit(release_notebook, folder, answers):
    """Write a student's submission: the released notebook with some answer cells filled in.

    release_notebook: path of the student version.  folder: the submission's folder.
    answers: {grade_id of an answer cell: the student's code}.
    """
    notebook = nbformat.read(release_notebook, as_version=4)
    for cell in notebook.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id in answers:
            cell.source = answers[grade_id]
    folder.mkdir(parents=True)
    nbformat.write(notebook, folder / "sample.ipynb")
    (folder / "timestamp.txt").write_text("2026-01-15 12:00:00.000000 UTC\n")


def cell_output(autograded, student, grade_id):
    """The error message (or printed text) of one cell of a student's autograded notebook."""
    notebook = nbformat.read(autograded / student / "sample" / "sample.ipynb", as_version=4)
    (cell,) = [cell for cell in notebook.cells if cell.get("id") == grade_id]
    return "".join(output.get("evalue") or output.get("text") or "" for output in cell.outputs)


@pytest.mark.slow
# nbgrader 0.9.6's own gradebook code trips SQLAlchemy's autoflush warning; not ours to fix.
@pytest.mark.filterwarnings("ignore::sqlalchemy.exc.SAWarning")
def test_sample_assignment_through_nbgrader(tmp_path, sample_kernel_path, gradebook_url):
    shutil.copytree(sample_kernel_path / "source", tmp_path / "solutions")
    config = course_config()
    config.CourseDirectory.root = str(tmp_path)
    config.CourseDirectory.db_url = gradebook_url
    api = NbGraderAPI(coursedir=CourseDirectory(config=config), config=config)

    generated = api.generate_assignment("sample")
    assert generated["success"], generated.get("error")
    released = tmp_path / "lessons" / "sample" / "sample.ipynb"

    for student, answers in ANSWERS.items():
        submit(released, tmp_path / "grading" / "submitted" / student / "sample", answers)
        graded = api.autograde("sample", student)
        assert graded["success"], graded.get("error")

    grades = tmp_path / "grades.csv"
    subprocess.run(
        [sys.executable, "-m", "nbgrader", "export", f"--to={grades}"]
        + [f"--CourseDirectory.{key}={value}" for key, value in config.CourseDirectory.items()],
        cwd=tmp_path,
        check=True,
        capture_output=True,
    )
    with grades.open() as file:
        scores = {row["student_id"]: float(row["score"]) for row in csv.DictReader(file)}
    assert scores == SCORES

    autograded = tmp_path / "grading" / "autograded"
    warned = nbformat.read(autograded / "warns" / "sample" / "sample.ipynb", as_version=4)
    streams = [
        output
        for cell in warned.cells
        if cell.cell_type == "code"
        for output in cell.outputs
        if output.output_type == "stream" and output.name == "stderr"
    ]
    assert streams == [], "a correct answer's numpy warning reached stderr"

    # What each student will read in the feedback for the second exercise.
    assert "sample_sigmoid: not written yet" in cell_output(autograded, "blank", "test_sigmoid")
    assert cell_output(autograded, "wrong", "test_sigmoid").startswith(
        "A is wrong at index (0, 0): expected 0, got -1."
    )

    # nnlib.notebook.grading() must see nbgrader's NBGRADER_EXECUTION while it grades.
    assert cell_output(autograded, "correct", "grading") == "grading() is True\n"
