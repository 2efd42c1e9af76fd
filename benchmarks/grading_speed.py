"""How fast the course's autograder is against plain nbgrader, on the same class, in one run.

A class of N students (default 40) submits every lesson that exists (or the grading tests'
fixture assignment if none does): two students in three hand in the solution notebook, one in
three the blank student notebook. The same class is graded twice, each in its own copy of
the course:

- ours:     ``grader.autograde`` with ``--workers 2`` (sandboxed, verdicts outside the kernel);
- nbgrader: ``nbgrader autograde LESSON`` for each lesson, one after the other.

It prints both times, the speed-up (target at least 1.8), the overhead per notebook beyond the
notebook's own execution time (target at most 1.5 s) and whether every score is identical.

With ``--cluster`` it compares the local pool with a Dask cluster on the same cores instead:
the same class is graded with ``--workers N`` and with ``--cluster`` on a scheduler and N
single-thread worker processes started here (``distributed.LocalCluster``), each in its own
copy of the course. It prints both times, their ratio (target: the cluster at most 10 %
slower), the cost per notebook, and whether every score is identical.

    .venv/bin/python benchmarks/grading_speed.py [--students 40] [--lessons 01_perceptron ...]
    .venv/bin/python benchmarks/grading_speed.py --cluster --students 20 --lessons 01_perceptron
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from nbgrader.api import Gradebook

from grader.tool.autograde import autograde
from grader.tool.course import ROOT, course_config, find_lessons, put_python_on_path
from grader.tool.isolation import Limits
from grader.tool.release import release


def make_course(where: Path, lessons: list[str], students: int) -> None:
    """A course at ``where``: the lessons released and every student's submission in place."""
    where.mkdir(parents=True)
    shutil.copy(ROOT / "nbgrader_config.py", where)
    for lesson in lessons:
        shutil.copytree(ROOT / "solutions" / lesson, where / "solutions" / lesson)
    release(lessons, root=where)
    for number in range(students):
        student = f"s{number:02d}"
        for lesson in lessons:
            folder = where / "grading" / "submitted" / student / lesson
            folder.mkdir(parents=True)
            source = "lessons" if number % 3 == 2 else "solutions"
            shutil.copy(where / source / lesson / f"{lesson}.ipynb", folder)


def scores(course: Path, lessons: list[str]) -> dict[tuple[str, str], float]:
    """{(student, lesson): score} from a course's gradebook."""
    url = course_config(course).CourseDirectory.db_url
    with Gradebook(url) as gradebook:
        return {
            (submission.student.id, lesson): submission.score
            for lesson in lessons
            for submission in gradebook.assignment_submissions(lesson)
        }


def timed_autograde(course: Path, lessons: list[str], **where) -> tuple[float, list]:
    """Grade every submission of ``course``; returns (wall seconds, outcomes)."""
    started = time.perf_counter()
    config = course_config(course)
    limits = Limits(cell_timeout=120)
    outcomes = autograde(config, lessons, seed=0, progress=False, limits=limits, **where).outcomes
    return time.perf_counter() - started, outcomes


def compare_cluster(local: Path, remote: Path, lessons: list[str], workers: int) -> None:
    """Grade ``local`` with the local pool and ``remote`` on a Dask cluster of ``workers``
    single-thread worker processes on this machine; print both times and their ratio."""
    from distributed import LocalCluster

    local_seconds, outcomes = timed_autograde(local, lessons, workers=workers)
    with LocalCluster(
        n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        address = cluster.scheduler_address
        remote_seconds, _ = timed_autograde(remote, lessons, cluster=address)
        same = scores(local, lessons) == scores(remote, lessons)
        # Again on the same workers, which have imported the tool and unpacked the lessons.
        warm_seconds, _ = timed_autograde(remote, lessons, cluster=address, force=True)
    notebooks = len(outcomes)
    cost = local_seconds * workers / notebooks
    print(f"local pool, --workers {workers}:     {local_seconds:7.1f} s")
    print(f"Dask cluster, {workers} workers:      {remote_seconds:7.1f} s (new workers)")
    print(f"  again, the same workers:      {warm_seconds:7.1f} s")
    print(
        f"cluster / local:                {remote_seconds / local_seconds:7.3f} new workers, "
        f"{warm_seconds / local_seconds:.3f} the same workers (target <= 1.10)"
    )
    print(f"core-seconds per notebook:      {cost:7.2f} s (local wall time x workers / notebooks)")
    executing = sum(o.executing for o in outcomes) / notebooks
    print(f"notebook execution, mean:       {executing:7.2f} s")
    print(f"identical scores:               {same}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--students", type=int, default=40)
    parser.add_argument("--lessons", nargs="*", help="default: every lesson in solutions/")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--cluster", action="store_true", help="compare with a local Dask cluster, not nbgrader"
    )
    args = parser.parse_args()
    lessons = args.lessons or find_lessons(ROOT / "solutions")
    if not lessons:
        sys.exit("no lessons in solutions/ yet; run the grading tests instead")
    put_python_on_path()
    scratch = Path(tempfile.mkdtemp(prefix="grading-bench-"))
    try:
        ours, theirs = scratch / "ours", scratch / "nbgrader"
        make_course(ours, lessons, args.students)
        shutil.copytree(ours, theirs)
        notebooks = args.students * len(lessons)
        print(f"{args.students} students x {len(lessons)} lessons = {notebooks} notebooks")
        if args.cluster:
            compare_cluster(ours, theirs, lessons, args.workers)
            return

        started = time.perf_counter()
        outcomes = autograde(
            course_config(ours),
            lessons,
            workers=args.workers,
            seed=0,
            progress=False,
            limits=Limits(cell_timeout=120),
        ).outcomes
        ours_seconds = time.perf_counter() - started

        started = time.perf_counter()
        for lesson in lessons:
            subprocess.run(
                [shutil.which("nbgrader") or "nbgrader", "autograde", lesson, "--force"],
                cwd=theirs,
                check=True,
                capture_output=True,
                env={**os.environ},
            )
        theirs_seconds = time.perf_counter() - started

        executing = sum(o.executing for o in outcomes) / len(outcomes)
        in_worker = sum(o.seconds - o.executing for o in outcomes) / len(outcomes)
        amortised = ours_seconds * args.workers / notebooks - executing
        same = scores(ours, lessons) == scores(theirs, lessons)
        print(f"ours, --workers {args.workers}:      {ours_seconds:7.1f} s")
        print(f"nbgrader autograde, sequential: {theirs_seconds:7.1f} s")
        print(
            f"speed-up:                       {theirs_seconds / ours_seconds:7.2f} x "
            "(target >= 1.8)"
        )
        print(f"notebook execution, mean:       {executing:7.2f} s")
        print(f"overhead per notebook, worker:  {in_worker:7.2f} s (target <= 1.5)")
        print(
            f"overhead per notebook, overall: {amortised:7.2f} s "
            f"(wall time x workers / notebooks - execution)"
        )
        print(f"identical scores:               {same}")
        if not same:
            ours_scores, their_scores = scores(ours, lessons), scores(theirs, lessons)
            for key in sorted(set(ours_scores) | set(their_scores)):
                if ours_scores.get(key) != their_scores.get(key):
                    print(f"  {key}: ours {ours_scores.get(key)}, nbgrader {their_scores.get(key)}")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
