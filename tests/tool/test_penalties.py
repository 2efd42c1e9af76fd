"""Due dates, extensions and late penalties, applied to a gradebook through nbgrader's
``AssignLatePenalties`` and exported with raw score and penalty side by side."""

from __future__ import annotations

import warnings
from datetime import datetime, timedelta

import pytest
from nbgrader.api import Gradebook
from sqlalchemy.exc import SAWarning
from traitlets.config import Config

from grader.tool.penalties import (
    CoursePenalty,
    Late,
    apply_penalties,
    late_notebooks,
    read_deadlines,
)

DUE = datetime(2026, 11, 20, 22, 59)  # 23:59 in Berlin (UTC+1 in November), as naive UTC


def _course(tmp_path, gradebook_url, deadlines: str) -> Config:
    """A gradebook with one 3-point notebook "fx" and three submissions: on time, 26 hours
    late, and 26 hours late with a 48-hour extension; each scored 3."""
    config = Config()
    config.CourseDirectory.root = str(tmp_path)
    config.CourseDirectory.db_url = gradebook_url
    (tmp_path / "grading").mkdir()
    (tmp_path / "grading" / "deadlines.toml").write_text(deadlines)
    with warnings.catch_warnings(), Gradebook(gradebook_url) as gradebook:
        warnings.simplefilter("ignore", SAWarning)  # nbgrader's add_submission; harmless
        gradebook.add_assignment("fx")
        gradebook.add_notebook("fx", "fx")
        gradebook.add_grade_cell("test", "fx", "fx", max_score=3, cell_type="code")
        for student, late in [("111", 0), ("222", 26), ("333", 26)]:
            gradebook.add_student(student)
            stamp = DUE + timedelta(hours=late) - timedelta(minutes=1 if not late else 0)
            gradebook.add_submission("fx", student, timestamp=stamp)
            grade = gradebook.find_grade("test", "fx", "fx", student)
            grade.auto_score = 3.0
        gradebook.db.commit()
    return config


DEADLINES = """\
timezone = "Europe/Berlin"
[penalty]
policy = "{policy}"
fraction = 0.1
[due]
fx = 2026-11-20T23:59:00
[extensions.fx]
333 = 48
"""


def _scores(gradebook_url) -> dict[str, tuple[float, float]]:
    with Gradebook(gradebook_url) as gradebook:
        return {
            s.student.id: (s.score, s.late_submission_penalty)
            for s in gradebook.find_assignment("fx").submissions
        }


@pytest.mark.parametrize(
    ("policy", "penalty"), [("none", 0.0), ("zero", 3.0), ("per_day", 0.6), ("per_hour", 3.0)]
)
def test_each_policy_takes_what_the_docs_say(tmp_path, gradebook_url, policy, penalty):
    config = _course(tmp_path, gradebook_url, DEADLINES.format(policy=policy))
    late = apply_penalties(config, "fx")
    # 26 h late: per day, 2 started days of 10 % of 3 points; per hour, 26 × 10 % caps at 100 %.
    assert late == [Late("222", "fx", 26 * 3600.0, 3.0, pytest.approx(penalty))]
    scores = _scores(gradebook_url)
    assert scores["111"] == (3.0, 0.0)
    assert scores["222"] == (3.0, pytest.approx(penalty))
    assert scores["333"] == (3.0, 0.0)  # within the extension
    with Gradebook(gradebook_url) as gradebook:
        assert gradebook.find_assignment("fx").duedate == DUE


def test_applying_twice_gives_the_same_and_a_removed_policy_clears_it(tmp_path, gradebook_url):
    config = _course(tmp_path, gradebook_url, DEADLINES.format(policy="per_day"))
    assert apply_penalties(config, "fx") == apply_penalties(config, "fx")
    assert late_notebooks(config, "fx") == [Late("222", "fx", 26 * 3600.0, 3.0, 0.6)]
    (tmp_path / "grading" / "deadlines.toml").write_text(DEADLINES.format(policy="none"))
    apply_penalties(config, "fx")
    assert _scores(gradebook_url)["222"] == (3.0, 0.0)


def test_the_plugin_counts_started_units():
    plugin = CoursePenalty(penalty_method="per_day", fraction=0.25)
    assert plugin.late_submission_penalty("x", 4.0, 1.0) == 1.0
    assert plugin.late_submission_penalty("x", 4.0, 86400.0) == 1.0
    assert plugin.late_submission_penalty("x", 4.0, 86401.0) == 2.0
    assert plugin.late_submission_penalty("x", 4.0, 10 * 86400.0) == 4.0


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[penalty]\npolicy = "half"', "penalty.policy 'half' is not one of none, zero"),
        ('[penalty]\npolicy = "per_day"\nfraction = 10', "penalty.fraction must be in (0, 1]"),
        ("[due]\nfx = 2026-11-20", "due.fx needs a time too"),
        ('timezone = "Mars/Olympus"', "timezone 'Mars/Olympus' is not a zone name"),
        ("[due\n", "deadlines.toml: "),
    ],
)
def test_a_bad_deadlines_file_says_what_to_fix(tmp_path, text, message):
    path = tmp_path / "deadlines.toml"
    path.write_text(text)
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        read_deadlines(path)


def test_no_file_means_no_penalty(tmp_path):
    assert read_deadlines(tmp_path / "absent.toml").policy == "none"
