"""``autograde --cluster``: a class graded on a real Dask cluster (a scheduler and worker
processes on 127.0.0.1, started and stopped by the tests), into a real PostgreSQL gradebook.

The class is ``classroom.CLASS`` (four students of the fixture assignment). A worker
killed with SIGKILL mid-run, a job that kills two workers, and a scheduler lost mid-run are
played for real; every test counts what reached the gradebook, student by student.
"""

from __future__ import annotations

import socket
import threading
import time

import nbformat
import pytest
from distributed import Client
from nbgrader.api import Gradebook
from sqlalchemy import text

from grader.tool import autograde as autograde_module
from grader.tool import cli, gradebook
from grader.tool.autograde import autograde
from grader.tool.cluster import Cluster, ClusterLost
from grader.tool.isolation import Limits
from grader.tool.parcel import Parcel, grade_parcel, material, worker_version
from grader.tool.testcells import notebook_specs

LIMITS = Limits(cell_timeout=20, notebook_timeout=60)


class _Saves:
    """``autograde``'s save, counted per student; ``then`` runs after each save."""

    def __init__(self, then=None):
        self.save, self.then = autograde_module.save, then
        self.students: list[str] = []

    def __call__(self, coursedir, outcome):
        self.save(coursedir, outcome)
        self.students.append(outcome.student)
        if self.then is not None:
            self.then(len(self.students))


def _checks(summary) -> dict[str, list[tuple[str, bool, str]]]:
    return {
        o.student: [(c.exercise, c.passed, c.message) for c in o.checks] for o in summary.outcomes
    }


def _graded_in_thread(config, address: str):
    """Start ``autograde`` on the cluster in a thread; returns (thread, {"summary": ...})."""
    result = {}

    def run():
        result["summary"] = autograde(
            config, "fx", cluster=address, limits=LIMITS, seed=2, progress=False
        )

    thread = threading.Thread(target=run)
    thread.start()
    return thread, result


def test_the_cluster_grades_into_postgresql_as_the_local_pool_does(
    classroom, make_course, make_submission, postgres, dask_cluster, tmp_path
):
    local = classroom.course(make_course, tmp_path, "local")
    classroom.submit(local, make_submission, classroom.CLASS)
    here = autograde(
        classroom.config(local), "fx", workers=2, limits=LIMITS, seed=5, progress=False
    )

    url = postgres.database()
    remote = classroom.course(make_course, tmp_path, "remote", url)
    config = classroom.config(remote, url)
    classroom.submit(remote, make_submission, classroom.CLASS)
    cluster = dask_cluster(2)
    there = autograde(config, "fx", cluster=cluster.address, limits=LIMITS, seed=5, progress=False)

    assert {o.student: o.score for o in here.outcomes} == classroom.EXPECTED
    assert {o.student: o.score for o in there.outcomes} == classroom.EXPECTED
    assert _checks(there) == _checks(here)  # the same hidden cases, the same verdicts
    assert {o.worker for o in there.outcomes} <= set(cluster.workers)
    assert all(o.worker == "" for o in here.outcomes)
    assert not any(o.retried for o in there.outcomes)
    assert (there.isolation, there.workers, there.attention) == ("namespaces", {}, [])
    assert classroom.gradebook_scores(config) == classroom.EXPECTED
    # The autograded notebooks are where nbgrader and feedback expect them, on this machine.
    for student in classroom.CLASS:
        assert (remote / "grading" / "autograded" / student / "fx" / "fx.ipynb").is_file()


def test_a_worker_killed_mid_run_loses_nothing(
    classroom, make_course, make_submission, dask_cluster, tmp_path, monkeypatch
):
    course = classroom.course(make_course, tmp_path, "course")
    classroom.submit(course, make_submission, {**classroom.CLASS, "slow": classroom.SLOW})
    cluster = dask_cluster(2)
    saves = _Saves()
    monkeypatch.setattr(autograde_module, "save", saves)
    run, result = _graded_in_thread(classroom.config(course), cluster.address)
    killed = _kill_the_worker_grading(cluster, "slow")
    run.join(timeout=300)
    summary = result["summary"]

    expected = {**classroom.EXPECTED, "slow": 3.0}
    assert sorted(saves.students) == sorted(expected)  # each exactly once
    assert {o.student: o.score for o in summary.outcomes} == expected
    assert [o.student for o in summary.outcomes if o.retried] == ["slow"]
    slow = next(o for o in summary.outcomes if o.student == "slow")
    assert slow.worker != killed and slow.problems == []
    assert classroom.gradebook_scores(classroom.config(course)) == expected


def _executing(dask_worker) -> list[str]:
    """Run on a worker: the keys of the jobs it is running now (not those queued)."""
    return [str(task.key) for task in dask_worker.state.executing]


def _kill_the_worker_grading(cluster, student: str, seconds: float = 2.0) -> str:
    """SIGKILL the worker that has been running ``student``'s job for ``seconds``; returns
    its address. (A job only queued on a worker may still be moved to another.)"""
    with Client(cluster.address, timeout=10, set_as_default=False) as client:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            alive = [w for w in cluster.workers if w not in cluster.killed]
            running = client.run(_executing, workers=alive, on_error="ignore")
            holding = [w for w, keys in running.items() if any(f"-{student}-" in k for k in keys)]
            if holding:
                time.sleep(seconds)
                cluster.kill_worker(holding[0])
                return holding[0]
            time.sleep(0.2)
    raise AssertionError(f"no worker ran {student}'s notebook within 120 s")


def test_a_job_that_kills_two_workers_is_reported_not_retried(
    classroom, make_course, make_submission, dask_cluster, tmp_path
):
    course = classroom.course(make_course, tmp_path, "course")
    classroom.submit(course, make_submission, {"ann": classroom.GOOD, "slow": classroom.SLOW})
    cluster = dask_cluster(2)
    run, result = _graded_in_thread(classroom.config(course), cluster.address)
    first = _kill_the_worker_grading(cluster, "slow")
    cluster.start_worker()  # so that one worker is left after the second death
    second = _kill_the_worker_grading(cluster, "slow")
    run.join(timeout=300)
    summary = result["summary"]

    assert first != second
    assert {o.student: o.graded for o in summary.outcomes} == {"ann": True, "slow": False}, (
        summary.attention
    )
    assert summary.attention == [
        "slow / fx/fx: grading it killed 2 workers (out of memory, killed, or the machine was "
        "lost); not graded, so an earlier grade stands: grade this student alone to see why"
    ]
    assert classroom.gradebook_scores(classroom.config(course)) == {"ann": 3.0}


def test_a_lost_scheduler_stops_the_run_and_the_rerun_grades_only_the_rest(
    classroom, make_course, make_submission, dask_cluster, tmp_path, monkeypatch
):
    course = classroom.course(make_course, tmp_path, "course")
    classroom.submit(course, make_submission, classroom.CLASS)
    first = dask_cluster(2)
    saves = _Saves(then=lambda count: first.stop_scheduler() if count == 1 else None)
    monkeypatch.setattr(autograde_module, "save", saves)
    config = classroom.config(course)
    with pytest.raises(ClusterLost) as lost:
        autograde(config, "fx", cluster=first.address, limits=LIMITS, seed=3, progress=False)
    saved = len(saves.students)
    assert str(lost.value) == (
        f"lost the Dask scheduler at {first.address} mid-run: {saved} of 4 notebooks were "
        "graded and saved. Start the scheduler and its workers again and rerun the same "
        "command: it grades only the rest"
    )
    assert saved in (1, 2)  # the one whose save stopped it, and one that arrived with it
    first.stop()

    second = dask_cluster(2)
    saves.then = None
    summary = autograde(config, "fx", cluster=second.address, limits=LIMITS, seed=4, progress=False)
    assert summary.skipped == saved
    assert sorted(saves.students) == sorted(classroom.CLASS)  # over both runs, each once
    assert {o.student for o in summary.outcomes} == set(classroom.CLASS) - set(
        saves.students[:saved]
    )
    assert classroom.gradebook_scores(config) == classroom.EXPECTED

    again = autograde(config, "fx", cluster=second.address, seed=4, force=True, progress=False)
    assert (again.skipped, {o.student: o.score for o in again.outcomes}) == (
        0,
        classroom.EXPECTED,
    )


def test_closing_after_the_client_gave_up_on_the_scheduler_raises_nothing(
    classroom, course, dask_cluster
):
    """The race behind a lost run: the client closes itself (its scheduler is gone) before
    ``autograde`` closes the pool, with jobs still pending. The ClusterLost on its way up
    must not be replaced by the client's complaint that it is closed."""
    running = dask_cluster(1)
    cluster = Cluster(running.address, {})
    pending = cluster.executor.submit(time.sleep, 60)
    running.stop_scheduler()
    deadline = time.monotonic() + 60
    while cluster.client.status != "closed" and time.monotonic() < deadline:
        time.sleep(0.2)  # the client retries for its connect timeout, then closes itself
    assert cluster.client.status == "closed"
    cluster.close()  # raises nothing
    assert pending.cancelled()  # the job was never graded: nothing to save


def test_the_source_copy_is_a_gradebook_of_the_assignment_alone(classroom, course, tmp_path):
    config = classroom.config(course)
    url = config.CourseDirectory.db_url
    copy = tmp_path / "copy.db"
    copy.write_bytes(gradebook.source_copy(url, "fx"))

    def described(db_url):
        with Gradebook(db_url) as book:
            [version] = book.db.execute(text("SELECT version_num FROM alembic_version"))
            assignment = book.find_assignment("fx")
            return {
                "version": version[0],
                "notebooks": [n.name for n in assignment.notebooks],
                "grade cells": sorted(
                    (c.name, c.max_score) for c in book.find_notebook("fx", "fx").grade_cells
                ),
                "source cells": len(book.find_notebook("fx", "fx").source_cells),
            }

    assert described(f"sqlite:///{copy}") == described(url)
    with Gradebook(f"sqlite:///{copy}") as book:
        assert (book.students, len(book.assignments)) == ([], 1)


def test_a_worker_that_runs_another_course_version_grades_nothing(
    classroom, course, make_submission
):
    config = classroom.config(course)
    [spec] = notebook_specs(config.CourseDirectory.db_url, "fx", course / "lessons" / "fx")
    copy = gradebook.source_copy(config.CourseDirectory.db_url, "fx")
    item = material(copy, course / "solutions" / "fx", set())
    notebook = nbformat.writes(make_submission(course, classroom.GOOD)).encode()
    parcel = Parcel("ann", spec, notebook, item, LIMITS, 1, None, False, "0123456789abcdef", "")
    outcome = grade_parcel(parcel)
    assert (outcome.graded, outcome.score) == (False, 0.0)
    assert outcome.problems == [
        f"the worker runs course version {worker_version()}, not 0123456789abcdef: install "
        "the same checkout of the course and requirements-test.txt there; not graded"
    ]


def test_autograde_takes_a_cluster_a_gradebook_and_force():
    args = cli.build_parser().parse_args(
        ["autograde", "fx", "--cluster", "tcp://10.0.0.1:8786", "--db", "sqlite:///g.db", "--force"]
    )
    assert (args.cluster, args.db, args.force) == ("tcp://10.0.0.1:8786", "sqlite:///g.db", True)
    args = cli.build_parser().parse_args(["autograde", "fx"])
    assert (args.cluster, args.db, args.force) == (None, None, False)


def test_a_scheduler_that_is_not_there_is_named(classroom, course):
    address = f"tcp://127.0.0.1:{_closed_port()}"
    with pytest.raises(ValueError) as error:
        autograde(classroom.config(course), "fx", cluster=address, progress=False)
    assert str(error.value).startswith(f"cannot reach the Dask scheduler at {address} (")
    assert str(error.value).endswith(
        "start it with `dask scheduler` and its workers with `dask worker ADDRESS` (see "
        "docs/platforms/cluster.md)"
    )


def _closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
