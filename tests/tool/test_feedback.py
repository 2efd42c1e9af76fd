"""Feedback pages: student text shown as text, and each LMS's bulk-upload names."""

from __future__ import annotations

import pytest

from grader.tool.feedback import page, upload_name

RESULT = {
    "assignment": "fx",
    "notebook_name": "fx",
    "student": "123456",
    "score": 1.0,
    "max_score": 3.0,
    "checks": [
        {
            "cell": "test_dense",
            "exercise": "dense_forward",
            "hidden": False,
            "passed": False,
            "message": "dense_forward raised ValueError: <img src=x onerror=alert(1)>",
        }
    ],
    "problems": ["cell 3 printed <b>bold</b>"],
}


def test_a_page_escapes_what_the_student_wrote():
    html = page(RESULT)
    assert "<img" not in html and "<b>bold" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "Score: <strong>1 / 3</strong>" in html


MOODLE = "_assignsubmission_file_"


@pytest.mark.parametrize(
    ("layout", "prefix", "name"),
    [
        ("canvas", "doejane_LATE_123458_7890003_", "doejane_LATE_123458_7890003_fx.html"),
        # Moodle's import reads NAME_PARTICIPANT_PLUGIN_FILE from flat names, both layouts
        ("moodle", f"José Núñez_2001{MOODLE}/", f"José Núñez_2001{MOODLE}fx.html"),
        ("moodle", f"John Smith_2002{MOODLE}", f"John Smith_2002{MOODLE}fx.html"),
        ("blackboard", "Homework 1_jsmith_attempt_2026-11-21-09-00-00_", "123456/fx.html"),
        (None, "", "123456/fx.html"),
    ],
)
def test_each_lms_gets_its_upload_name(layout, prefix, name):
    record = {"format": layout, "prefix": prefix} if layout else None
    assert upload_name(record, "123456", "fx") == name
