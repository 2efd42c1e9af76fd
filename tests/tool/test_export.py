"""Export's refusals, and every cell a spreadsheet would run made inert."""

from __future__ import annotations

import csv

import pytest
from nbgrader.api import Gradebook
from traitlets.config import Config

from grader.tool.export import export
from grader.tool.roster import read_roster


@pytest.fixture
def config(tmp_path, gradebook_url):
    """A gradebook with two assignments and one student whose names start formulas."""
    config = Config()
    config.CourseDirectory.root = str(tmp_path)
    config.CourseDirectory.db_url = gradebook_url
    with Gradebook(gradebook_url) as gradebook:
        gradebook.add_assignment("a1")
        gradebook.add_assignment("a2")
        gradebook.add_student("s1", first_name="=1+1", last_name="@SUM(A1)", email="-x@y")
    return config


def test_nbgrader_rows_neutralise_formulas_and_keep_missing_submissions(config, tmp_path):
    rows = list(csv.reader(open(export(config, tmp_path / "g.csv"), encoding="utf-8")))
    assert rows[1:] == [
        ["a1", "", "", "s1", "'@SUM(A1)", "'=1+1", "'-x@y", "0.0", "0.0", "0.0", "0.0"],
        ["a2", "", "", "s1", "'@SUM(A1)", "'=1+1", "'-x@y", "0.0", "0.0", "0.0", "0.0"],
    ]


def test_refusals_say_what_to_do(config, tmp_path):
    with pytest.raises(ValueError, match="unknown export target 'blackboard'; choose one of"):
        export(config, tmp_path / "g.csv", to="blackboard")
    with pytest.raises(ValueError, match="a Moodle grading worksheet holds one assignment"):
        export(config, tmp_path / "g.csv", to="moodle")
    with pytest.raises(ValueError, match="no assignment a9 in the gradebook; it has: a1, a2"):
        export(config, tmp_path / "g.csv", ["a9"])


def test_a_roster_the_tool_does_not_know_is_refused(tmp_path):
    path = tmp_path / "roster.csv"
    path.write_text("Name,Mark\nAnn,3\n")
    with pytest.raises(ValueError, match="is not a roster this tool knows: its header has none"):
        read_roster(path)
