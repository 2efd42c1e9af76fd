"""Autograde a class: one grading job per submitted notebook, in a pool of worker processes.

``autograde`` builds the jobs (each with its own secret seed for the hidden cases, derived
from the run's seed), grades them in parallel with ``grading.grade_notebook``, and saves each
outcome as it arrives, in this process alone, which owns the gradebook (``results.save``).
It returns the run's ``Summary``: every outcome, and the lines that need the instructor's
attention.

It grades only in a box (``isolation``): where none can be built it refuses, saying what is
missing, unless told ``unsafe``.
"""

from __future__ import annotations

import os
import secrets
import shutil
import tempfile
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

import numpy as np
from nbgrader.coursedir import CourseDirectory
from tqdm import tqdm

from grader.tool import shadow
from grader.tool.grading import Job, grade_notebook
from grader.tool.isolation import Isolation, Limits, isolation, mode_isolation
from grader.tool.results import Outcome, Summary, save
from grader.tool.testcells import notebook_specs


def autograde(
    config,
    assignments: str | list[str],
    students: list[str] | None = None,
    *,
    workers: int = 1,
    limits: Limits | None = None,
    seed: int | None = None,
    progress: bool = True,
    mode: str | None = None,
    unsafe: bool = False,
) -> Summary:
    """Grade one or more assignments for the named students (default: every submitted one).

    config:      nbgrader configuration (``grader.tool.course.course_config(root)``).
    assignments: an assignment name, or several, graded in one pool of workers.
    workers:     processes grading submissions at once.
    limits:      the sandbox's limits (default Limits()).
    seed:        seed for the hidden cases; default a fresh secret one.
    progress:    show a progress bar with an ETA.
    mode:        a containment mode of ``isolation.MODES`` (default: the strongest here).
    unsafe:      grade even when the student's code cannot be boxed ("limits-only").
    Returns a Summary; the gradebook, autograded notebooks and results files are written.
    Raises ValueError, naming what is missing, when there is no box and not ``unsafe``.
    """
    box = isolation() if mode is None else mode_isolation(mode)
    if not box.safe and not unsafe:
        raise ValueError(
            "the sandbox cannot be built on this machine, so a student's code could read and "
            f"change your files; missing: {'; '.join(box.missing)}. Fix that, or pass "
            "--unsafe to grade with resource limits alone"
        )
    coursedir = CourseDirectory(config=config)
    names = [assignments] if isinstance(assignments, str) else list(assignments)
    seed = secrets.randbits(63) if seed is None else seed
    scratch = Path(tempfile.mkdtemp(prefix="autograde-"))
    os.chmod(scratch, 0o711)
    try:
        jobs = []
        for name, seeds in zip(names, np.random.SeedSequence(seed).spawn(len(names)), strict=True):
            jobs += _jobs(
                coursedir, name, students, scratch, seeds, limits or Limits(), box, len(jobs)
            )
        outcomes = []
        desc = f"autograde {', '.join(names)}"
        bar = tqdm(total=len(jobs), desc=desc, unit="notebook", disable=not progress)
        with ProcessPoolExecutor(max_workers=workers) as pool:
            futures = {pool.submit(grade_notebook, job): job for job in jobs}
            for future in as_completed(futures):
                try:
                    outcome = future.result()
                    save(coursedir, outcome)
                except Exception as error:  # a worker crashed: report it, grade the others
                    job = futures[future]
                    outcome = Outcome(
                        job.student, job.spec.assignment, job.spec.notebook, graded=False
                    )
                    outcome.problems.append(f"grading failed: {type(error).__name__}: {error}")
                outcomes.append(outcome)
                bar.update()
        bar.close()
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    outcomes.sort(key=lambda o: (o.assignment, o.student, o.notebook_name))
    return Summary(outcomes, box.mode)


def _jobs(
    coursedir, assignment, students, scratch: Path, seeds, limits, box: Isolation, first: int
) -> list[Job]:
    """One Job per (student, notebook) of ``assignment``, numbered from ``first``.

    Builds the assignment's nnlib copy in ``scratch``; ``seeds`` (a SeedSequence) gives each
    job its own seed for the hidden cases.
    """
    specs = notebook_specs(
        coursedir.db_url,
        assignment,
        coursedir.format_path(coursedir.release_directory, ".", assignment),
    )
    submitted = Path(coursedir.root, coursedir.submitted_directory)
    if students is None:
        found = submitted.iterdir() if submitted.is_dir() else []
        students = sorted(p.name for p in found if (p / assignment).is_dir())
    references = set().union(*(spec.references() for spec in specs))
    course_copy = shadow.build(scratch / f"course-{assignment}", references)
    source_folder = coursedir.format_path(coursedir.source_directory, ".", assignment)
    pairs = [(student, spec) for student in students for spec in specs]
    jobs = []
    for (student, spec), child in zip(pairs, seeds.spawn(len(pairs)), strict=True):
        number = first + len(jobs)
        (scratch / f"job{number}").mkdir(mode=0o711)
        path = coursedir.format_path(coursedir.submitted_directory, student, assignment)
        jobs.append(
            Job(
                student=student,
                spec=spec,
                path=f"{path}/{spec.notebook}.ipynb",
                db_url=coursedir.db_url,
                course_copy=str(course_copy),
                scratch=str(scratch / f"job{number}"),
                source_folder=source_folder,
                limits=limits,
                seed=int(child.generate_state(1)[0]),
                slot=number,
                box=box,
            )
        )
    return jobs
