"""Every real lesson, graded as an instructor would grade it: the model answer earns every
point, the untouched student notebook earns none, and neither needs the instructor's attention.

The model answer is the released student notebook with each answer cell replaced by the
solution's code, as a student who wrote exactly that would submit it. It runs in the sandbox,
where nnlib's answer to each exercise is cut out, so a solution that leans on nnlib for the
piece it is graded on loses the points here.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import nbformat
import pytest

from grader.tool.autograde import autograde
from grader.tool.collect import collect
from grader.tool.course import course_config, find_lessons
from grader.tool.isolation import Limits
from grader.tool.release import release

REPO = Path(__file__).resolve().parents[2]
LESSONS = find_lessons(REPO / "solutions")
MARKER = re.compile(r"^[ \t]*### (BEGIN|END) SOLUTION[ \t]*\n", flags=re.M)


def model_answer(lesson: str, released: Path, edits=()) -> nbformat.NotebookNode:
    """The released notebook of ``lesson`` with the solutions' code in its answer cells.

    edits: (grade_id, old, new) replacements in those answers, to make a known mistake.
    """
    solution = nbformat.read(REPO / "solutions" / lesson / f"{lesson}.ipynb", as_version=4)
    answers = {
        cell.metadata["nbgrader"]["grade_id"]: MARKER.sub("", cell.source)
        for cell in solution.cells
        if cell.metadata.get("nbgrader", {}).get("solution")
    }
    for grade_id, old, new in edits:
        assert old in answers[grade_id], f"{lesson}: {old!r} is no longer in {grade_id}"
        answers[grade_id] = answers[grade_id].replace(old, new)
    notebook = nbformat.read(released, as_version=4)
    for cell in notebook.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id in answers:
            cell.source = answers[grade_id]
    return notebook


# Students who got one thing wrong: (lesson, student, edits to the model answer).
MISTAKES = [
    # A threshold unit that says 0 on the line itself.
    ("01_perceptron", "strict", [("threshold_unit_answer", "z >= 0", "z > 0")]),
    # A dense layer that calls nnlib's instead of computing X W + b.
    (
        "03_forward_pass",
        "borrower",
        [
            (
                "dense_forward_answer",
                "def dense_forward(",
                "from nnlib.layers import dense_forward\n\n\ndef _unused(",
            )
        ],
    ),
]


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    root = tmp_path_factory.mktemp("course")
    shutil.copy(REPO / "nbgrader_config.py", root)
    shutil.copytree(REPO / "solutions", root / "solutions")
    release(root=root)
    config = course_config(root)
    for lesson in LESSONS:
        released = root / "lessons" / lesson / f"{lesson}.ipynb"
        inbox = tmp_path_factory.mktemp(f"inbox-{lesson}")
        students = [
            ("model", model_answer(lesson, released)),
            ("blank", nbformat.read(released, as_version=4)),
        ]
        students += [
            (student, model_answer(lesson, released, edits))
            for where, student, edits in MISTAKES
            if where == lesson
        ]
        for student, notebook in students:
            (inbox / student).mkdir()
            nbformat.write(notebook, inbox / student / released.name)
        assert collect(config, lesson, inbox).problems == []
    summary = autograde(
        config, LESSONS, workers=2, limits=Limits(cell_timeout=60), seed=2026, progress=False
    )
    return {(outcome.student, outcome.assignment): outcome for outcome in summary.outcomes}


@pytest.mark.parametrize("lesson", LESSONS)
def test_model_answer_earns_every_point(graded, lesson):
    outcome = graded["model", lesson]
    failed = [check.message for check in outcome.checks if not check.passed]
    assert failed == []
    assert outcome.problems == []
    assert outcome.max_score > 0
    assert outcome.score == outcome.max_score


@pytest.mark.parametrize("lesson", LESSONS)
def test_untouched_lesson_earns_nothing(graded, lesson):
    outcome = graded["blank", lesson]
    assert outcome.graded and outcome.problems == []
    assert outcome.score == 0
    assert all(not check.passed for check in outcome.checks)


def failed_checks(outcome) -> dict[str, str]:
    return {check.exercise: check.message for check in outcome.checks if not check.passed}


def test_a_strict_threshold_is_diagnosed_and_costs_what_builds_on_it(graded):
    outcome = graded["strict", "01_perceptron"]
    failed = failed_checks(outcome)
    # train_perceptron calls the student's threshold_unit, so it needs more epochs and fails
    # too; perceptron_update (1 point) does not.
    assert sorted(failed) == ["threshold_unit", "train_perceptron"]
    assert "Diagnosis: h is 0 where w·x' = 0 exactly" in failed["threshold_unit"]
    assert "with >=, not >" in failed["threshold_unit"]
    assert (outcome.score, outcome.max_score) == (1.0, 4.0)


def test_calling_nnlib_for_the_graded_piece_earns_nothing_for_it(graded):
    outcome = graded["borrower", "03_forward_pass"]
    failed = failed_checks(outcome)
    # mlp_forward calls the student's dense_forward, which is nnlib's cut-out stub here.
    assert sorted(failed) == ["dense_forward", "mlp_forward"]
    assert "nnlib.layers.dense_forward is not available while grading" in failed["dense_forward"]
    assert (outcome.score, outcome.max_score) == (5.0, 9.0)
    assert graded["model", "03_forward_pass"].score == 9.0
