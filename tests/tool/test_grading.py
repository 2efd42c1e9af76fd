"""``grade_notebook`` on what nbgrader cannot handle: it never raises, and grades 0 with the
reason, so that the gradebook still gets the student's score."""

from __future__ import annotations

import nbformat

from grader.tool import grading
from grader.tool.course import course_config
from grader.tool.grading import Job, grade_notebook
from grader.tool.isolation import Limits, mode_isolation
from grader.tool.testcells import notebook_specs


def test_a_notebook_that_cannot_be_restored_is_graded_zero_with_the_reason(
    course, make_submission, tmp_path, monkeypatch
):
    url = course_config(course).CourseDirectory.db_url
    [spec] = notebook_specs(url, "fx", course / "lessons" / "fx")
    path = tmp_path / "fx.ipynb"
    nbformat.write(make_submission(course, {}), path)

    def nbgrader_fails(*args):
        raise KeyError("grade_id")

    monkeypatch.setattr(grading, "restore", nbgrader_fails)
    job = Job(
        student="zoe",
        spec=spec,
        path=str(path),
        db_url=url,
        course_copy=str(tmp_path / "unused"),
        scratch=str(tmp_path / "scratch"),
        source_folder=str(course / "solutions" / "fx"),
        limits=Limits(),
        seed=1,
        box=mode_isolation("namespaces"),
    )
    outcome = grade_notebook(job)
    assert outcome.graded and outcome.score == 0 and outcome.max_score == 3
    assert outcome.problems == ["could not restore the locked cells: KeyError: 'grade_id'"]
    assert [(c.cell, c.passed) for c in outcome.checks] == [
        ("test_dense", False),
        ("test_neuron", False),
    ]
    graded_cells = [c.metadata["nbgrader"]["grade_id"] for c in outcome.notebook.cells]
    assert graded_cells == ["test_dense", "test_neuron"]
