"""Intake without a kernel: what ``read_submission`` refuses, and what ``restore`` puts back."""

import json

import nbformat
import pytest

from grader.tool.course import course_config
from grader.tool.intake import BadSubmission, read_submission, restore
from grader.tool.testcells import notebook_specs


@pytest.fixture(scope="module")
def spec(course):
    config = course_config(course)
    [spec] = notebook_specs(config.CourseDirectory.db_url, "fx", course / "lessons" / "fx")
    return spec


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b'{"cells": [', "fx.ipynb is truncated: the file ends mid-notebook"),
        (b"{not json}", "fx.ipynb is not valid JSON (line 1)"),
        (b'{"nbformat": 3, "cells": []}', "fx.ipynb is nbformat 3, not 4; ask the student"),
        (b"\xff\xfe{}", "fx.ipynb is not UTF-8 text (byte 0)"),
        (b'{"nbformat": 4, "cells": "none"}', "fx.ipynb is not a valid notebook"),
    ],
)
def test_an_unreadable_file_is_refused_with_its_reason(tmp_path, content, reason):
    path = tmp_path / "fx.ipynb"
    path.write_bytes(content)
    with pytest.raises(BadSubmission) as refused:
        read_submission(path)
    assert str(refused.value).startswith(reason)


def test_a_missing_file_is_named(tmp_path):
    with pytest.raises(BadSubmission, match="missing notebook fx.ipynb"):
        read_submission(tmp_path / "fx.ipynb")


def test_an_untouched_submission_is_read_and_restored_without_a_problem(course, spec, tmp_path):
    path = tmp_path / "fx.ipynb"
    path.write_text((course / "lessons" / "fx" / "fx.ipynb").read_text())
    notebook = read_submission(path)
    url = course_config(course).CourseDirectory.db_url
    assert restore(notebook, spec, url, "alice") == []


def test_tampering_is_undone_and_listed(course, spec, tmp_path):
    notebook = nbformat.read(course / "lessons" / "fx" / "fx.ipynb", as_version=4)
    test_dense = next(
        c for c in notebook.cells if c.metadata["nbgrader"]["grade_id"] == "test_dense"
    )
    test_dense.source = "print('all good')"
    test_dense.metadata["nbgrader"]["points"] = 100
    notebook.cells = [
        c for c in notebook.cells if c.metadata["nbgrader"]["grade_id"] != "test_neuron"
    ]
    path = tmp_path / "fx.ipynb"
    path.write_text(json.dumps(notebook))
    restored = read_submission(path)
    url = course_config(course).CourseDirectory.db_url
    assert restore(restored, spec, url, "mallory") == [
        "cell 'test_dense': nbgrader metadata changed (points)",
        "locked cell 'test_dense' was edited; restored from the source",
        "test cell 'test_neuron' was deleted; restored from the source",
    ]
    by_id = {
        c.metadata["nbgrader"]["grade_id"]: c for c in restored.cells if "nbgrader" in c.metadata
    }
    assert by_id["test_dense"].source == spec.cells["test_dense"]["source"]
    assert by_id["test_dense"].metadata["nbgrader"]["points"] == 2
    assert by_id["test_neuron"].source.endswith(spec.cells["test_neuron"]["source"])
