"""A run in which every worker grades an attacker that would hold it forever still ends, within
the time the instructor's guide states: ``session.longest_hold(limits)`` per notebook, and
⌈N / W⌉ times that for N notebooks on W workers."""

from __future__ import annotations

import math
import time
from pathlib import Path

import nbformat
import pytest

from grader.tool.autograde import autograde
from grader.tool.course import course_config
from grader.tool.isolation import Limits
from grader.tool.session import longest_hold

# A thread that prints every 50 ms, and a function that ignores the interrupt: each request is
# killed, each restart replays the thread, until the notebook's budget runs out.
HOLDER = """\
import threading, time
def chatter():
    while True:
        print("still here", flush=True)
        time.sleep(0.05)
threading.Thread(target=chatter, daemon=True).start()
def dense_forward(X, W, b):
    while True:
        try:
            time.sleep(1)
        except KeyboardInterrupt:
            pass
"""
LIMITS = Limits(cell_timeout=3, notebook_timeout=8, start_timeout=30)
WORKERS = 2
# Reading and restoring the notebook, and closing the session, which the hold leaves out.
AROUND = 5.0
# Building the run: the course copy, the jobs, the pool of workers.
SETUP = 20.0


@pytest.fixture(scope="module")
def holders(make_course, make_submission, tmp_path_factory):
    """A course with one holder per worker; returns (its config, the run's summary, the run's
    seconds)."""
    course = make_course(tmp_path_factory.mktemp("bounds"))
    for number in range(WORKERS):
        folder = course / "grading" / "submitted" / f"holder{number}" / "fx"
        folder.mkdir(parents=True)
        nbformat.write(make_submission(course, {"dense": HOLDER}), folder / "fx.ipynb")
    config = course_config(course)
    started = time.monotonic()
    summary = autograde(config, "fx", workers=WORKERS, limits=LIMITS, seed=3, progress=False)
    return config, summary, time.monotonic() - started


def test_every_holder_is_stopped_by_its_budget_and_scores_zero(holders):
    _, summary, _ = holders
    assert [(o.student, o.graded, o.score) for o in summary.outcomes] == [
        (f"holder{number}", True, 0.0) for number in range(WORKERS)
    ]
    for outcome in summary.outcomes:
        assert outcome.problems[-1] == (
            "the notebook used up its 8 s budget (restarts and replays included); grading stopped"
        )
        # Held for its whole budget, and not much longer.
        assert LIMITS.notebook_timeout <= outcome.seconds <= longest_hold(LIMITS) + AROUND


def test_the_run_ends_within_the_stated_bound(holders):
    _, summary, seconds = holders
    rounds = math.ceil(len(summary.outcomes) / WORKERS)
    assert longest_hold(LIMITS) == 8 + 30
    assert seconds <= rounds * (longest_hold(LIMITS) + AROUND) + SETUP


def test_without_a_box_autograde_refuses_unless_unsafe(holders, make_submission):
    config, *_ = holders
    with pytest.raises(ValueError) as refused:
        autograde(config, "fx", mode="limits-only", progress=False)
    assert str(refused.value).startswith(
        "the sandbox cannot be built on this machine, so a student's code could read and "
        "change your files; missing: a hidden file system"
    )
    assert str(refused.value).endswith("pass --unsafe to grade with resource limits alone")
    course = Path(config.CourseDirectory.root)
    good = {
        "dense": "def dense_forward(X, W, b):\n    return X @ W + b\n",
        "neuron": "def neuron(x, w, b):\n    return 1 / (1 + np.exp(-(w @ x + b)))\n",
    }
    folder = course / "grading" / "submitted" / "trusted" / "fx"
    folder.mkdir(parents=True)
    nbformat.write(make_submission(course, good), folder / "fx.ipynb")
    summary = autograde(
        config, "fx", ["trusted"], mode="limits-only", unsafe=True, seed=1, progress=False
    )
    assert summary.isolation == "limits-only"
    assert [(o.student, o.score, o.problems) for o in summary.outcomes] == [("trusted", 3.0, [])]
