"""Each LMS's bulk download in, its import files out, on fixture exports built in the LMS's own
naming scheme: two students with the same name, a late submission, a resubmission, a student
not on the roster, Moodle folders with spaces and accents, Blackboard attempt times.

Canvas goes the whole way (collect, autograde, late penalties, export, feedback zip); Moodle
and Blackboard are collected, and exported from a gradebook filled through nbgrader's API.
"""

from __future__ import annotations

import csv
import shutil
import unicodedata
import warnings
import zipfile
from datetime import datetime
from pathlib import Path

import nbformat
import pytest
from nbgrader.api import Gradebook
from sqlalchemy.exc import SAWarning

from grader.tool.autograde import autograde
from grader.tool.collect import collect, read_record
from grader.tool.course import course_config
from grader.tool.export import export
from grader.tool.feedback import feedback_zip
from grader.tool.isolation import Limits
from grader.tool.lms import FORMATS, custom, detect, identify
from grader.tool.penalties import Late, apply_penalties
from grader.tool.roster import read_roster

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "lms"
GOOD = {
    "dense": "def dense_forward(X, W, b):\n    return X @ W + b\n",
    "neuron": "def neuron(x, w, b):\n    return 1 / (1 + np.exp(-(w @ x + b)))\n",
}
NO_BIAS = {**GOOD, "dense": "def dense_forward(X, W, b):\n    return X @ W\n"}
DEADLINES = """\
timezone = "America/Chicago"
[penalty]
policy = "per_day"
fraction = 0.1
[due]
fx = 2026-11-20T23:59:00
"""


def own_course(course: Path, where: Path) -> Path:
    """A copy of the session's course, so that the students collected here are graded alone."""
    skip = shutil.ignore_patterns("submitted", "autograded", "feedback")
    shutil.copytree(course, where, ignore=skip)
    return where


def notebook(course: Path, make_submission, answers: dict) -> bytes:
    return nbformat.writes(make_submission(course, answers)).encode()


def write_zip(path: Path, entries: list[tuple[str, bytes, tuple]]) -> Path:
    """A zip whose entries carry the given local times, as an LMS's download does."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data, when in entries:
            archive.writestr(zipfile.ZipInfo(name, date_time=when), data, zipfile.ZIP_DEFLATED)
    return path


@pytest.fixture(scope="module")
def canvas(course, make_submission, tmp_path_factory):
    """A Canvas class collected, graded (seed 3), with penalties; returns (config, collection,
    late, root)."""
    root = own_course(course, tmp_path_factory.mktemp("canvas") / "course")
    good = notebook(root, make_submission, GOOD)
    export_zip = write_zip(
        root / "submissions.zip",
        [
            ("smithjohn_123456_7890001_fx.ipynb", good, (2026, 11, 20, 22, 0, 0)),
            ("smithjohn_123456_7890001_notes.txt", b"see you", (2026, 11, 20, 22, 0, 0)),
            # the other John Smith: the same sortable name, another user id
            ("smithjohn_123457_7890002_fx.ipynb", notebook(root, make_submission, {}),
             (2026, 11, 20, 21, 0, 0)),
            # late, and re-uploaded: Canvas renames the second upload of fx.ipynb to fx-1
            ("doejane_LATE_123458_7890003_fx-1.ipynb", good, (2026, 11, 22, 1, 30, 0)),
            ("leeann_555555_7890004_fx.ipynb", notebook(root, make_submission, NO_BIAS),
             (2026, 11, 20, 12, 0, 0)),
            # one id under two names: never merged
            ("smithjohn_123460_7890005_fx.ipynb", good, (2026, 11, 20, 12, 0, 0)),
            ("brownbob_123460_7890006_fx.ipynb", good, (2026, 11, 20, 12, 0, 0)),
        ],
    )  # fmt: skip
    config = course_config(root)
    roster = read_roster(FIXTURES / "canvas_gradebook.csv")
    collection = collect(config, "fx", export_zip, roster=roster, timezone="America/Chicago")
    autograde(config, "fx", workers=2, limits=Limits(cell_timeout=5), seed=3, progress=False)
    (root / "grading" / "deadlines.toml").write_text(DEADLINES)
    late = apply_penalties(config, "fx")
    return config, collection, late, root


def test_canvas_collect_keys_on_user_ids_and_merges_nobody(canvas):
    _, collection, _, root = canvas
    assert (collection.format, collection.detected) == ("canvas", True)
    assert collection.problems == [
        "123456: extra file 'notes.txt' ignored",
        "123458: notebook 'fx-1.ipynb' taken as fx.ipynb (renamed)",
        "123460: 'brownbob_123460_7890006_fx.ipynb' and 'smithjohn_123460_7890005_fx.ipynb' "
        "carry the same id for different names ('brownbob', 'smithjohn'); neither taken: "
        "check the export",
        "555555: not on the roster (canvas); collected: check who this is",
    ]
    assert collection.late == ["123458"]
    submitted = root / "grading" / "submitted"
    assert sorted(p.name for p in submitted.iterdir()) == ["123456", "123457", "123458", "555555"]
    assert read_record(submitted / "123458" / "fx") == {
        "format": "canvas",
        "student": "123458",
        "name": "doejane",
        "prefix": "doejane_LATE_123458_7890003_",
        "late": True,
        "submitted": "2026-11-22T01:30:00-06:00",
        "zone": "America/Chicago",
        "files": {"fx.ipynb": "doejane_LATE_123458_7890003_fx-1.ipynb"},
    }
    stamp = (submitted / "123458" / "fx" / "timestamp.txt").read_text()
    assert stamp == "2026-11-22 07:30:00.000000 UTC"


def test_canvas_late_penalty_is_kept_beside_the_raw_score(canvas):
    _, _, late, _ = canvas
    # due 23:59 on 20 November in Chicago; submitted 01:30 on the 22nd: 25 h 31 min late,
    # two started days at 10 % of 3 points.
    assert late == [Late("123458", "fx", 25 * 3600 + 31 * 60, 3.0, 0.6)]


def test_canvas_export_is_canvas_gradebook_import(canvas, tmp_path):
    config, *_ = canvas
    problems = []
    path = export(
        config,
        tmp_path / "canvas.csv",
        to="canvas",
        roster=read_roster(FIXTURES / "canvas_gradebook.csv"),
        problems=problems,
    )
    assert list(csv.reader(open(path, encoding="utf-8"))) == [
        ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "fx (4242)"],
        ["Points Possible", "", "", "", "", "3.0"],
        ["Smith, John", "123456", "S001", "jsmith", "NN 2026", "3.0"],
        ["Smith, John", "123457", "S002", "jsmith2", "NN 2026", "0.0"],
        ['\'=HYPERLINK("http://evil.example"),"x")', "123458", "S003", "jdoe", "NN 2026", "2.4"],
        ["Lee, Ann", "123459", "S004", "alee", "NN 2026", ""],
        ["Student, Test", "999999", "", "", "NN 2026", ""],
        ["", "555555", "", "", "", "1.0"],
    ]
    assert problems == ["555555: graded but not on the roster; written anyway"]


def test_nbgrader_export_shows_raw_score_penalty_and_score(canvas, tmp_path):
    config, *_ = canvas
    rows = list(csv.DictReader(open(export(config, tmp_path / "g.csv"), encoding="utf-8")))
    assert [
        (r["student_id"], r["raw_score"], r["late_submission_penalty"], r["score"]) for r in rows
    ] == [
        ("123456", "3.0", "0.0", "3.0"),
        ("123457", "0.0", "0.0", "0.0"),
        ("123458", "3.0", "0.6", "2.4"),
        ("555555", "1.0", "0.0", "1.0"),
    ]
    assert {r["duedate"] for r in rows} == {"2026-11-21 05:59:00"}


def test_repeating_a_collect_loses_nothing(canvas, tmp_path):
    config, collection, _, root = canvas
    before = export(config, tmp_path / "a.csv")
    again = collect(
        config,
        "fx",
        root / "submissions.zip",
        roster=read_roster(FIXTURES / "canvas_gradebook.csv"),
        timezone="America/Chicago",
    )
    assert again.problems == collection.problems
    assert export(config, tmp_path / "b.csv").read_text() == before.read_text()


def test_feedback_zip_uses_canvas_upload_names(canvas, tmp_path):
    config, *_ = canvas
    names = feedback_zip(config, "fx", tmp_path / "feedback.zip")
    assert sorted(names) == [
        "doejane_LATE_123458_7890003_fx.html",
        "leeann_555555_7890004_fx.html",
        "smithjohn_123456_7890001_fx.html",
        "smithjohn_123457_7890002_fx.html",
    ]
    with zipfile.ZipFile(tmp_path / "feedback.zip") as archive:
        page = archive.read("smithjohn_123456_7890001_fx.html").decode()
    assert "Score: <strong>3 / 3</strong>" in page


def _moodle_zip(root: Path, make_submission) -> Path:
    good = notebook(root, make_submission, GOOD)
    nfd = unicodedata.normalize("NFD", "José Núñez")  # as a macOS zip stores it
    return write_zip(
        root / "moodle.zip",
        [
            (f"{nfd}_2001_assignsubmission_file_/fx.ipynb", good, (2026, 11, 20, 23, 3, 0)),
            ("John Smith_2002_assignsubmission_file_/fx.ipynb", good, (2026, 11, 20, 21, 0, 0)),
            ("John Smith_2003_assignsubmission_file_/fx.ipynb", good, (2026, 11, 21, 10, 0, 0)),
            ("John Smith_2003_assignsubmission_onlinetext_/onlinetext.html", b"<p>hi</p>",
             (2026, 11, 21, 10, 0, 0)),
            ("Zed Nobody_2999_assignsubmission_file_/fx.ipynb", good, (2026, 11, 20, 9, 0, 0)),
        ],
    )  # fmt: skip


def _grade(config, student: str, dense: float, neuron: float) -> None:
    """Record scores for ``student``'s fx as autograde would (for the export tests)."""
    with warnings.catch_warnings(), Gradebook(config.CourseDirectory.db_url) as gradebook:
        warnings.simplefilter("ignore", SAWarning)  # nbgrader's add_submission; harmless
        gradebook.update_or_create_student(student)
        gradebook.update_or_create_submission("fx", student, timestamp=datetime(2026, 11, 20))
        for cell, score in (("test_dense", dense), ("test_neuron", neuron)):
            gradebook.find_grade(cell, "fx", "fx", student).auto_score = score
        gradebook.db.commit()


def test_moodle_round_trip(course, make_submission, tmp_path):
    root = own_course(course, tmp_path / "course")
    config = course_config(root)
    roster = read_roster(FIXTURES / "moodle_worksheet.csv")
    collection = collect(config, "fx", _moodle_zip(root, make_submission), roster=roster)
    assert (collection.format, collection.detected) == ("moodle", True)
    assert collection.problems == [
        "2003: extra file 'onlinetext.html' ignored",
        "2999: not on the roster (moodle); collected: check who this is",
    ]
    record = read_record(root / "grading" / "submitted" / "2001" / "fx")
    assert (record["name"], record["prefix"]) == (
        "José Núñez",
        "José Núñez_2001_assignsubmission_file_/",
    )
    for student, dense, neuron in [("2001", 2, 1), ("2002", 0, 1), ("2003", 2, 0), ("2999", 2, 1)]:
        _grade(config, student, dense, neuron)
    problems = []
    path = export(config, tmp_path / "m.csv", ["fx"], to="moodle", roster=roster, problems=problems)
    assert list(csv.reader(open(path, encoding="utf-8"))) == [
        ["Identifier", "Full name", "Email address", "Grade", "Maximum Grade", "Feedback comments"],
        ["Participant 2001", "José Núñez", "jose@example.edu", "3.0", "3.0", ""],
        ["Participant 2002", "John Smith", "john.smith@example.edu", "1.0", "3.0", ""],
        ["Participant 2003", "John Smith", "jsmith2@example.edu", "2.0", "3.0", ""],
        ["Participant 2004", "Ann Lee", "ann.lee@example.edu", "", "3.0", ""],
        ["Participant 2999", "", "", "3.0", "3.0", ""],
    ]
    assert problems == ["2999: graded but not on the roster; written anyway"]


def test_blackboard_attempts_keep_the_latest_with_its_zone(course, make_submission, tmp_path):
    root = own_course(course, tmp_path / "course")
    config = course_config(root)
    blank, good = notebook(root, make_submission, {}), notebook(root, make_submission, GOOD)
    first, second = "2026-11-20-14-03-22", "2026-11-21-09-00-00"
    export_zip = write_zip(
        root / "bb.zip",
        [
            (f"Homework 1_jsmith_attempt_{first}_fx.ipynb", blank, (2026, 11, 20, 14, 3, 22)),
            (f"Homework 1_jsmith_attempt_{first}.txt", b"Name: John Smith (jsmith)",
             (2026, 11, 20, 14, 3, 22)),
            (f"Homework 1_jsmith_attempt_{second}_fx.ipynb", good, (2026, 1, 1, 0, 0, 0)),
            (f"Homework 1_jsmith_attempt_{second}.txt", b"Name: John Smith (jsmith)",
             (2026, 1, 1, 0, 0, 0)),
            ("Homework 1_adoe_attempt_2026-11-20-10-00-00_Copy of fx.ipynb", good,
             (2026, 11, 20, 10, 0, 0)),
            ("Homework 1_ghost_attempt_2026-11-20-10-00-00_fx.ipynb", good,
             (2026, 11, 20, 10, 0, 0)),
        ],
    )  # fmt: skip
    roster = read_roster(FIXTURES / "blackboard_gradecenter.xls")
    collection = collect(
        config, "fx", export_zip, layout="blackboard", roster=roster, timezone="America/New_York"
    )
    assert collection.problems == [
        "adoe: notebook 'Copy of fx.ipynb' taken as fx.ipynb (renamed)",
        "ghost: not on the roster (blackboard); collected: check who this is",
        "jsmith: submitted fx.ipynb twice; kept the latest",
    ]
    submitted = root / "grading" / "submitted"
    # the attempt time in the name wins over the zip's entry time
    kept = submitted / "jsmith" / "fx" / "fx.ipynb"
    assert kept.read_bytes() == good
    record = read_record(submitted / "jsmith" / "fx")
    assert (record["submitted"], record["zone"]) == (
        "2026-11-21T09:00:00-05:00",
        "America/New_York",
    )
    assert (submitted / "jsmith" / "fx" / "timestamp.txt").read_text() == (
        "2026-11-21 14:00:00.000000 UTC"
    )


def test_blackboard_usernames_with_underscores_never_merge(course, make_submission, tmp_path):
    root = own_course(course, tmp_path / "course")
    good = notebook(root, make_submission, GOOD)
    when = (2026, 11, 20, 10, 0, 0)
    export_zip = write_zip(
        root / "bb.zip",
        [
            ("Week 5_lab_john_smith_attempt_2026-11-20-10-00-00_fx.ipynb", good, when),
            ("Week 5_lab_jane_smith_attempt_2026-11-20-11-00-00_fx.ipynb", good, when),
            ("Week 5_lab_jane_smith_attempt_2026-11-20-11-00-00.txt", b"Name: Jane", when),
        ],
    )
    collection = collect(course_config(root), "fx", export_zip)
    assert (collection.format, collection.problems) == ("blackboard", [])
    submitted = root / "grading" / "submitted"
    assert sorted(p.name for p in submitted.iterdir()) == ["jane_smith", "john_smith"]


def test_every_format_in_the_table_reads_its_own_example():
    for fmt in FORMATS.values():
        who = identify(fmt, fmt.example)
        assert who.file == "05_backprop.ipynb", fmt.name
        assert detect([fmt.example])[0] is fmt


def test_a_custom_pattern_needs_id_and_file():
    fmt = custom(r"(?P<id>s\d{7})-(?P<file>.+)")
    assert identify(fmt, "s1234567-fx.ipynb").student == "s1234567"
    with pytest.raises(ValueError, match=r"missing: file"):
        custom(r"(?P<id>\d+)_.*")
    with pytest.raises(ValueError, match="not a regular expression"):
        custom(r"(?P<id>")
    assert identify(fmt, "x-fx.ipynb") == (
        "does not match the custom layout (e.g. '(?P<id>s\\\\d{7})-(?P<file>.+)')"
    )
