"""The gradebook on a real PostgreSQL server: autograde writes it while a reader reads it as
nbgrader's formgrader does, and the tool's other commands read it as they read SQLite.

The server is ``services.PostgreSQL`` (started by the ``postgres`` fixture, as an unprivileged
user); the class is ``classroom.CLASS``.
"""

from __future__ import annotations

import threading
from itertools import pairwise

import pytest
from nbgrader.api import Gradebook

from grader.tool import gradebook
from grader.tool.autograde import autograde
from grader.tool.feedback import feedback
from grader.tool.isolation import Limits
from grader.tool.report import report


class _Formgrader:
    """A thread that reads the gradebook over and over, as the formgrader's pages do
    (students, submissions, notebook submissions), until stopped.

    reads:  {student: score} of the submissions with grades, one dict per read.
    errors: what any read raised.
    """

    def __init__(self, url: str, course_id: str):
        self.url, self.course_id = url, course_id
        self.reads: list[dict[str, float]] = []
        self.errors: list[str] = []
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._read)
        self.thread.start()

    def _read(self) -> None:
        while not self.done.is_set():
            try:
                with Gradebook(self.url, self.course_id) as book:
                    book.student_dicts()
                    submissions = book.submission_dicts("fx")
                    notebooks = book.notebook_submission_dicts("fx", "fx")  # read later: more
                self.reads.append({s["student"]: s["score"] for s in submissions})
                assert {n["student"] for n in notebooks} >= set(self.reads[-1])
            except Exception as error:  # kept for the test to show
                self.errors.append(f"{type(error).__name__}: {error}")
            self.done.wait(0.05)

    def stop(self) -> None:
        self.done.set()
        self.thread.join()


def test_formgrader_reads_while_autograde_writes_and_every_command_reads_it(
    classroom, make_course, make_submission, postgres, tmp_path
):
    url = postgres.database()
    course = classroom.course(make_course, tmp_path, "course", url)
    config = classroom.config(course, url)
    classroom.submit(course, make_submission, classroom.CLASS)
    reader = _Formgrader(url, classroom.COURSE_ID)
    try:
        summary = autograde(
            config, "fx", workers=2, limits=Limits(cell_timeout=20), seed=8, progress=False
        )
    finally:
        reader.stop()

    assert {o.student: o.score for o in summary.outcomes} == classroom.EXPECTED
    assert reader.errors == []
    # nbgrader's SaveAutoGrades commits cell by cell, so a read may catch a notebook half
    # saved; but a grade never goes down, a student never disappears, and the reads went on
    # while grades were written.
    expected = classroom.EXPECTED
    assert all(0 <= score <= expected[s] for read in reader.reads for s, score in read.items())
    for before, after in pairwise(reader.reads):
        assert before.keys() <= after.keys()
        assert all(before[s] <= after[s] for s in before)
    assert len({tuple(sorted(read.items())) for read in reader.reads}) >= 2
    with Gradebook(url, classroom.COURSE_ID) as book:
        last = {s["student"]: s["score"] for s in book.submission_dicts("fx")}
    assert last == classroom.EXPECTED

    assert classroom.gradebook_scores(config) == classroom.EXPECTED  # export, nbgrader's CSV
    pages = feedback(config, "fx")
    assert sorted(p.parent.parent.name for p in pages) == sorted(classroom.CLASS)
    assert "dense_forward" in report(config, "fx")


def test_a_gradebook_url_that_cannot_work_says_what_to_write(classroom, course):
    config = classroom.config(course)
    with pytest.raises(ValueError) as error:
        gradebook.use(config, "mysql://grader@db/gradebook")
    assert str(error.value) == (
        "'mysql://grader@db/gradebook' is not a gradebook URL: use "
        "sqlite:///path/to/gradebook.db or postgresql://user:password@host:port/database"
    )
    with pytest.raises(ValueError) as error:
        gradebook.use(config, "sqlite://gradebook.db")
    assert str(error.value) == (
        "'sqlite://gradebook.db': a SQLite gradebook is sqlite:///path/to/gradebook.db"
    )
    with pytest.raises(ValueError) as error:
        gradebook.use(config, "postgresql://grader@db/gradebook")  # no course id
    assert str(error.value) == (
        "a PostgreSQL gradebook needs a course id: add "
        'c.CourseDirectory.course_id = "nn-course" to nbgrader_config.py'
    )
    assert config.CourseDirectory.db_url.startswith("sqlite:///")  # left as it was
