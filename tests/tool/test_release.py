"""lessons/ is exactly what nbgrader makes of solutions/, and its exercises are not pre-solved.

For every lesson folder in ``solutions/`` (and for the sample assignment in
``tests/fixtures``, so that this runs before any lesson exists):

- regenerating gives the committed student notebook byte for byte;
- every graded test cell fails on the student version (nothing is pre-solved);
- every graded test cell passes on the solution.

The last two use ``nbgrader.validator.Validator``: ``nbgrader validate`` exits 0 whether the
tests pass or not. Each lesson is its own test, so ``pytest -n 2`` spreads them.
"""

import re
from pathlib import Path

import nbformat
import pytest
from nbgrader.validator import Validator

from grader.tool.cli import main
from grader.tool.course import ROOT, course_config, find_lessons
from grader.tool.release import release

SAMPLE = Path(__file__).parents[1] / "fixtures" / "sample_assignment"

# (source folder, committed release folder, assignment name)
ASSIGNMENTS = [
    (ROOT / "solutions", ROOT / "lessons", name) for name in find_lessons(ROOT / "solutions")
]
ASSIGNMENTS.append((SAMPLE / "source", SAMPLE / "release", "sample"))
IDS = [name for _, _, name in ASSIGNMENTS]


def graded_tests(path: Path) -> list[str]:
    """Sources of the graded test cells (code, grade, not an answer) of the notebook at path."""
    notebook = nbformat.read(path, as_version=4)
    return [
        cell.source.strip()
        for cell in notebook.cells
        if cell.cell_type == "code"
        and cell.metadata.get("nbgrader", {}).get("grade")
        and not cell.metadata.get("nbgrader", {}).get("solution")
    ]


def validate(path: Path) -> dict:
    """nbgrader's validation results for the notebook at path, run with the course's config."""
    return Validator(config=course_config()).validate(str(path))


@pytest.mark.parametrize(("source", "committed", "name"), ASSIGNMENTS, ids=IDS)
def test_release_reproduces_the_committed_lesson(source, committed, name, tmp_path, gradebook_url):
    release([name], source=source, target=tmp_path / "out", db_url=gradebook_url)
    fresh = tmp_path / "out" / name
    expected = sorted(p.relative_to(committed / name) for p in (committed / name).rglob("*"))
    produced = sorted(p.relative_to(fresh) for p in fresh.rglob("*"))
    assert produced == expected, "files differ: run `make lessons` and commit lessons/"
    for relative in produced:
        assert (fresh / relative).read_bytes() == (committed / name / relative).read_bytes(), (
            f"{name}/{relative} is out of date: run `make lessons` and commit lessons/"
        )


@pytest.mark.parametrize(("source", "committed", "name"), ASSIGNMENTS, ids=IDS)
def test_every_graded_test_fails_on_the_student_version(
    source, committed, name, sample_kernel_path
):
    student = committed / name / f"{name}.ipynb"
    tests = graded_tests(student)
    assert tests, f"{name} has no graded test cells"
    results = validate(student)
    assert set(results) == {"failed"}, f"unexpected validation results: {sorted(results)}"
    failed = [cell["source"] for cell in results["failed"]]
    passing = [test for test in tests if test not in failed]
    assert not passing, (
        "these test cells pass before the student writes anything:\n" + "\n---\n".join(passing)
    )


@pytest.mark.parametrize(("source", "committed", "name"), ASSIGNMENTS, ids=IDS)
def test_every_graded_test_passes_on_the_solution(source, committed, name, sample_kernel_path):
    solution = source / name / f"{name}.ipynb"
    assert graded_tests(solution), f"{name} has no graded test cells"
    results = validate(solution)
    failures = "\n\n".join(
        f"{cell['source']}\n{cell['raw_error']}" for cell in results.get("failed", [])
    )
    assert not results, f"the solution fails its own tests:\n{failures or sorted(results)}"


def test_release_is_deterministic_for_a_source_without_cell_ids(tmp_path, gradebook_url):
    """nbformat invents random ids for cells without one; the release must not."""
    notebook = nbformat.read(SAMPLE / "source" / "sample" / "sample.ipynb", as_version=4)
    notebook.nbformat_minor = 4
    for cell in notebook.cells:
        del cell["id"]
    del notebook.cells[1].metadata["nbgrader"]  # a plain cell: no grade_id either
    source = tmp_path / "source" / "99_old"
    source.mkdir(parents=True)
    (source / "99_old.ipynb").write_text(nbformat.writes(notebook, version=4))
    (source / "data.csv").write_text("x,y\n1,2\n")

    first = release(source=source.parent, target=tmp_path / "a", db_url=gradebook_url)
    second = release(source=source.parent, target=tmp_path / "b", db_url=gradebook_url)
    assert first == [tmp_path / "a" / "99_old" / "99_old.ipynb"]
    assert first[0].read_bytes() == second[0].read_bytes()
    ids = [cell.id for cell in nbformat.read(first[0], as_version=4).cells]
    assert ids == ["intro", "cell-1", "double", "test_double", "sigmoid", "test_sigmoid", "grading"]
    assert (tmp_path / "a" / "99_old" / "data.csv").read_text() == "x,y\n1,2\n"


def test_release_replaces_the_whole_lesson_folder(tmp_path, gradebook_url):
    stale = tmp_path / "out" / "sample" / "old_name.ipynb"
    stale.parent.mkdir(parents=True)
    stale.write_text("{}")
    release(["sample"], source=SAMPLE / "source", target=tmp_path / "out", db_url=gradebook_url)
    assert sorted(p.name for p in stale.parent.iterdir()) == ["sample.ipynb"]


def test_an_unknown_lesson_is_refused_with_the_known_ones(tmp_path, capsys):
    with pytest.raises(
        ValueError, match=r"no lesson named 99_nope in source/; the lessons are: sample"
    ):
        release(["99_nope"], source=SAMPLE / "source", target=tmp_path)
    assert main(["release", "99_nope"]) == 1
    assert capsys.readouterr().err.startswith("error: no lesson named 99_nope in solutions/")


@pytest.mark.parametrize(("source", "committed", "name"), ASSIGNMENTS, ids=IDS)
def test_cell_conventions(source, committed, name):
    """Explanations are read-only, answers have a solution region that the student version
    replaces by the stub, and test cells are locked and worth points with nothing hidden left
    in the student version."""
    solution = nbformat.read(source / name / f"{name}.ipynb", as_version=4)
    student = nbformat.read(committed / name / f"{name}.ipynb", as_version=4)
    stub = re.compile(r"# YOUR CODE HERE\n\s*raise NotImplementedError\(\)")  # indented in a def
    for teacher_cell, student_cell in zip(solution.cells, student.cells, strict=True):
        role = teacher_cell.metadata.get("nbgrader", {})
        where = f"{name}, cell {role.get('grade_id') or teacher_cell.get('id')}"
        if teacher_cell.cell_type == "markdown":
            assert role.get("locked"), f"{where}: explanation cells must be read-only"
        if role.get("solution"):
            assert "### BEGIN SOLUTION" in teacher_cell.source, f"{where}: no solution region"
            assert stub.search(student_cell.source), f"{where}: the student version has no stub"
        if role.get("grade") and not role.get("solution"):
            assert role.get("locked") and role.get("points", 0) > 0, (
                f"{where}: lock it, give points"
            )
        for marker in ("BEGIN SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS", "hidden=True"):
            assert marker not in student_cell.source, f"{where}: {marker!r} reached the students"
