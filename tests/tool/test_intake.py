"""Intake without a kernel: what ``read_submission`` refuses, and what ``restore`` puts back."""

import json

import nbformat
import pytest

from grader.tool.course import course_config
from grader.tool.intake import BadSubmission, memory_cap, read_submission, restore
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


def test_a_notebook_above_the_size_limit_is_not_read(tmp_path):
    path = tmp_path / "fx.ipynb"
    path.write_bytes(b" " * (2**20 + 1))
    with pytest.raises(BadSubmission) as refused:
        read_submission(path, max_bytes=2**20)
    assert str(refused.value) == (
        "fx.ipynb is larger than 1 MiB (--max-notebook-mib); ask for the notebook with its "
        "outputs cleared"
    )


def test_deeply_nested_json_is_named_as_such(tmp_path):
    path = tmp_path / "fx.ipynb"
    path.write_text('{"cells": ' + "[" * 100_000 + "]" * 100_000 + "}")
    with pytest.raises(
        BadSubmission, match="^fx.ipynb nests its JSON too deeply to be a notebook$"
    ):
        read_submission(path)


def test_a_symbolic_link_is_not_followed(course, tmp_path):
    path = tmp_path / "fx.ipynb"
    path.symlink_to(course / "solutions" / "fx" / "fx.ipynb")
    with pytest.raises(BadSubmission, match="^fx.ipynb is a symbolic link; not followed$"):
        read_submission(path)


def test_reading_is_capped_in_memory():
    with pytest.raises(BadSubmission) as refused:
        with memory_cap(64 * 2**20):
            bytearray(256 * 2**20)
    assert str(refused.value) == (
        "reading the notebook took more than 64 MiB of memory (--intake-memory-mib); not graded"
    )
    bytearray(256 * 2**20)  # the cap is lifted afterwards


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


def test_a_second_cell_with_a_test_cells_id_is_graded_as_a_plain_cell(course, spec):
    notebook = nbformat.read(course / "lessons" / "fx" / "fx.ipynb", as_version=4)
    [index] = [
        n
        for n, c in enumerate(notebook.cells)
        if c.metadata["nbgrader"]["grade_id"] == "test_dense"
    ]
    twin = nbformat.v4.new_code_cell("print('graded twice')")
    twin.metadata["nbgrader"] = dict(notebook.cells[index].metadata["nbgrader"])
    notebook.cells.insert(0, twin)
    url = course_config(course).CourseDirectory.db_url
    # The first cell with the id is the test cell (its source restored); the second is not.
    assert restore(notebook, spec, url, "mallory") == [
        "locked cell 'test_dense' was edited; restored from the source",
        f"cell {index + 2} repeats grade_id 'test_dense'; it is graded as a plain cell",
    ]
    ids = [c.metadata.get("nbgrader", {}).get("grade_id") for c in notebook.cells]
    assert ids.count("test_dense") == 1 and ids[0] == "test_dense"
    assert notebook.cells[0].source == spec.cells["test_dense"]["source"]
