"""The student zip: lessons, nnlib and the kernel side of grader; no solution, hidden test or
instructor's tool."""

import zipfile

from grader.tool.bundle import bundle
from grader.tool.course import ROOT


def test_bundle_has_lessons_and_library_but_no_solutions(tmp_path):
    names = bundle(ROOT, tmp_path / "course.zip")
    assert "nn-course/requirements.txt" in names
    assert "nn-course/nnlib/layers.py" in names
    assert not any(name.startswith(("nn-course/solutions", "nn-course/tests")) for name in names)
    with zipfile.ZipFile(tmp_path / "course.zip") as archive:
        for name in names:
            if name.endswith(".ipynb"):
                assert b"BEGIN HIDDEN TESTS" not in archive.read(name)


def test_bundle_has_the_checks_but_not_the_instructors_tool(tmp_path):
    names = bundle(ROOT, tmp_path / "course.zip")
    assert "nn-course/grader/checks.py" in names
    assert "nn-course/grader/exercises/l05_backprop.py" in names
    assert not any(name.startswith("nn-course/grader/tool") for name in names)
    assert "nn-course/grader/__main__.py" not in names
