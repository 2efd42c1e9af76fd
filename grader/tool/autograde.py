"""Autograde a class: one grading job per submitted notebook, in a pool of worker processes
on this machine or on a Dask cluster (``cluster.Cluster``).

``autograde`` builds the jobs (each with its own secret seed for the hidden cases, derived
from the run's seed), grades them in parallel with ``grading.grade_notebook``, and saves each
outcome as it arrives, in this process alone, which owns the gradebook (``results.save``).
It returns the run's ``Summary``: every outcome, and the lines that need the instructor's
attention. A notebook graded and saved before from the same file, with the same tests and
course version, is left alone unless told ``force``: a run that stopped half-way resumes
when the same command is run again.

It grades only in a box (``isolation``): where none can be built it refuses, saying what is
missing, unless told ``unsafe``.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import shutil
import tempfile
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from pathlib import Path

import numpy as np
from nbgrader.coursedir import CourseDirectory
from tqdm import tqdm

from grader.tool import shadow
from grader.tool.grading import Job, grade_notebook
from grader.tool.intake import BadSubmission, read_bytes
from grader.tool.isolation import Isolation, Limits, isolation, mode_isolation
from grader.tool.parcel import course_version
from grader.tool.results import Outcome, Summary, graded_before, save
from grader.tool.testcells import NotebookSpec, notebook_specs


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
    cluster: str | None = None,
    force: bool = False,
) -> Summary:
    """Grade one or more assignments for the named students (default: every submitted one).

    config:      nbgrader configuration (``grader.tool.course.course_config(root)``).
    assignments: an assignment name, or several, graded in one pool of workers.
    workers:     processes grading submissions at once (on this machine; not with cluster).
    limits:      the sandbox's limits (default Limits()).
    seed:        seed for the hidden cases; default a fresh secret one.
    progress:    show a progress bar with an ETA.
    mode:        a containment mode of ``isolation.MODES`` (default: the strongest here, or
                 on a cluster each worker's strongest).
    unsafe:      grade even when the student's code cannot be boxed ("limits-only").
    cluster:     a Dask scheduler's address ("tcp://host:8786") to grade on its workers.
    force:       grade again what was graded and saved before from the same file.
    Returns a Summary; the gradebook, autograded notebooks and results files are written.
    Raises ValueError, naming what is missing, when there is no box and not ``unsafe``, or
    when the cluster cannot grade (``cluster.Cluster``); ``cluster.ClusterLost`` when its
    scheduler goes away mid-run, after saving what was graded.
    """
    box = isolation() if mode is None else mode_isolation(mode)
    if cluster is None and not box.safe and not unsafe:
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
        jobs, references = [], {}
        for name, seeds in zip(names, np.random.SeedSequence(seed).spawn(len(names)), strict=True):
            found, references[name] = _jobs(
                coursedir, name, students, scratch, seeds, limits or Limits(), box, len(jobs)
            )
            jobs += found
        todo = jobs if force else [job for job in jobs if not _saved(coursedir, job)]
        pool = (
            _LocalPool(workers)
            if cluster is None
            else _cluster_pool(coursedir, cluster, references, mode, unsafe)
        )
        try:
            desc = f"autograde {', '.join(names)}"
            bar = tqdm(total=len(todo), desc=desc, unit="notebook", disable=not progress)
            outcomes = _grade(pool, todo, coursedir, bar)
            bar.close()
        finally:
            pool.close()
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    outcomes.sort(key=lambda o: (o.assignment, o.student, o.notebook_name))
    if cluster is None:
        return Summary(outcomes, box.mode, skipped=len(jobs) - len(todo))
    return Summary(outcomes, pool.isolation, len(jobs) - len(todo), pool.weaker_workers())


def _grade(pool, jobs: list[Job], coursedir, bar) -> list[Outcome]:
    """Grade ``jobs`` in ``pool`` (local or cluster), saving each outcome as it arrives.

    No more jobs are handed out than the pool has workers free (``pool.capacity()``), so that
    a worker that dies holds only the jobs it was grading. Raises ClusterLost when the
    cluster's scheduler goes away; what arrived before is saved.
    """
    waiting = list(reversed(jobs))  # the next job is the last
    running: dict = {}
    outcomes: list[Outcome] = []

    def hand_out():
        while waiting and len(running) < pool.capacity():
            job = waiting.pop()
            running[pool.submit(job)] = job

    hand_out()
    while running:
        done, _ = wait(running, return_when=FIRST_COMPLETED)
        finished = [(future, running.pop(future)) for future in done]
        hand_out()  # the freed workers start their next job while this process saves
        for future, job in finished:
            try:
                outcome = future.result()
                outcome.retried = pool.retried(future)
                save(coursedir, outcome)
            except Exception as error:  # a worker crashed: report it, grade the others
                if pool.lost(error):
                    saved = sum(o.graded for o in outcomes)
                    raise pool.lost_error(saved, len(jobs)) from None
                outcome = Outcome(job.student, job.spec.assignment, job.spec.notebook, False)
                outcome.problems.append(pool.explain(error))
            outcomes.append(outcome)
            bar.update()
    if waiting:  # the pool stopped taking jobs: the cluster's scheduler is gone
        raise pool.lost_error(sum(o.graded for o in outcomes), len(jobs))
    return outcomes


class _LocalPool:
    """The local pool of processes, with the interface ``_grade`` shares with a Cluster."""

    def __init__(self, workers: int):
        self.workers = workers
        self.executor = ProcessPoolExecutor(max_workers=workers)

    def capacity(self) -> int:
        return self.workers

    def submit(self, job: Job):
        return self.executor.submit(grade_notebook, job)

    def retried(self, future) -> bool:
        return False

    def lost(self, error: BaseException) -> bool:
        return False

    @staticmethod
    def explain(error: BaseException) -> str:
        return f"grading failed: {type(error).__name__}: {error}"

    def close(self) -> None:
        self.executor.shutdown()


def _cluster_pool(coursedir, address: str, references: dict, mode, unsafe: bool):
    """A ``cluster.Cluster`` at ``address`` with each assignment's material."""
    from grader.tool import cluster, gradebook, parcel  # Dask only when asked for

    materials = {
        name: parcel.material(
            gradebook.source_copy(coursedir.db_url, name),
            Path(coursedir.format_path(coursedir.source_directory, ".", name)),
            names,
        )
        for name, names in references.items()
    }
    return cluster.Cluster(address, materials, mode, unsafe)


def _saved(coursedir, job: Job) -> bool:
    """True when this very file was graded and saved before, with the same tests and the
    same course version (``_digest``)."""
    return (
        bool(job.digest)
        and graded_before(coursedir, job.student, job.spec.assignment, job.spec.notebook)
        == job.digest
    )


def _digest(path: str, limits: Limits, spec: NotebookSpec, version: str) -> str:
    """A digest of what decides the grade: the submitted file, the notebook's cells, tests and
    points, and the course version; "" when the file cannot be read (grading says why)."""
    try:
        digest = hashlib.sha256(read_bytes(Path(path), limits.notebook_bytes))
    except BadSubmission:
        return ""
    digest.update(repr((spec.cells, spec.points, spec.tests, version)).encode())
    return digest.hexdigest()


def _jobs(
    coursedir, assignment, students, scratch: Path, seeds, limits, box: Isolation, first: int
) -> tuple[list[Job], set[str]]:
    """One Job per (student, notebook) of ``assignment``, numbered from ``first``, and the
    nnlib references removed from the kernel's course copy.

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
    version = course_version()
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
                box=box,
                digest=_digest(f"{path}/{spec.notebook}.ipynb", limits, spec, version),
            )
        )
    return jobs, references
