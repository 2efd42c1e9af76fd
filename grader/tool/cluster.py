"""Grading on a Dask distributed cluster: ``autograde --cluster tcp://host:8786``.

``Cluster`` connects to a running scheduler and hands ``autograde`` the same interface as
its local pool (``submit``, ``retried``, ``lost``, ``explain``), over
``Client.get_executor()``, a ``concurrent.futures`` executor. Each job travels as a
``parcel.Parcel`` (bytes, no paths) and comes back as an ``Outcome``; the instructor's
process alone saves it.

Before a run it checks every worker: the same course version as here (``course_version``),
and a box for the student's code unless ``unsafe``; it sets the scheduler to retry a job once
after its worker died (``allowed_failures`` 1): a job whose worker dies twice fails with
``KilledWorker`` and is reported, not retried. ``autograde`` hands out no more jobs than the
workers have threads (``capacity``), so a worker that dies held only the job it was grading.
Which jobs those were comes from the scheduler's "remove-worker" events.
"""

from __future__ import annotations

import concurrent.futures as cf
import secrets
import threading
from pathlib import Path

from distributed import Client, get_worker
from distributed.client import ClosedClientError
from distributed.scheduler import KilledWorker

from grader.tool.grading import Job
from grader.tool.intake import BadSubmission, read_bytes
from grader.tool.isolation import MODES
from grader.tool.parcel import Material, Parcel, course_version, describe_worker, grade_parcel
from grader.tool.results import Outcome

ALLOWED_FAILURES = 1  # worker deaths a job may survive; one more and it is reported
CONNECT_SECONDS = 10.0


class ClusterLost(ValueError):
    """The scheduler went away mid-run; the message says what was saved and how to resume."""


def grade_on_worker(parcel: Parcel) -> Outcome:
    """``grade_parcel`` on a Dask worker, naming the worker in the outcome."""
    outcome = grade_parcel(parcel)
    outcome.worker = get_worker().address
    return outcome


def _configure_scheduler(dask_scheduler, allowed_failures: int) -> None:
    """Run on the scheduler: a job may be retried ``allowed_failures`` times after the
    worker grading it died."""
    dask_scheduler.allowed_failures = allowed_failures


class Cluster:
    """A connection to the scheduler at ``address`` for one run; close it with ``close``.

    materials: {assignment: Material} for the run's parcels.
    mode:      the containment mode asked for (None: each worker's strongest).
    unsafe:    grade on workers that cannot box the student's code.
    Raises ValueError when the scheduler cannot be reached, has no workers, or a worker runs
    another course version or (without ``unsafe``) has no box.
    """

    def __init__(self, address: str, materials: dict[str, Material], mode=None, unsafe=False):
        self.address, self.materials, self.mode, self.unsafe = address, materials, mode, unsafe
        try:
            self.client = Client(address, timeout=CONNECT_SECONDS, set_as_default=False)
        except (OSError, TimeoutError) as error:
            raise ValueError(
                f"cannot reach the Dask scheduler at {address} ({error}); start it with "
                "`dask scheduler` and its workers with `dask worker ADDRESS` (see "
                "docs/platforms/cluster.md)"
            ) from None
        self._keys: dict[cf.Future, str] = {}
        self._died: set[str] = set()  # keys that were running on a worker that died
        self._lock = threading.Lock()
        try:
            self.workers = self._check_workers()
            self.client.run_on_scheduler(_configure_scheduler, allowed_failures=ALLOWED_FAILURES)
            self.client.subscribe_topic("all", self._event)
            self.executor = self.client.get_executor(pure=False)
        except BaseException:
            self.client.close()
            raise

    def _check_workers(self) -> dict[str, dict]:
        """Every worker's ``describe_worker``; raises ValueError for one that may not grade."""
        workers = self.client.run(describe_worker)
        if not workers:
            raise ValueError(
                f"the Dask scheduler at {self.address} has no workers: start them with "
                f"`dask worker {self.address} --nthreads 1`"
            )
        here = self.version = course_version()  # read now: the checkout may have changed
        stale = sorted(a for a, w in workers.items() if w["version"] != here)
        if stale:
            raise ValueError(
                f"workers {', '.join(stale)} run another course version than this one ({here}):"
                " install the same checkout of the course and requirements-test.txt there"
            )
        unboxed = sorted(a for a, w in workers.items() if w["mode"] == "limits-only")
        if unboxed and not self.unsafe and self.mode != "limits-only":
            raise ValueError(
                f"workers {', '.join(unboxed)} cannot box a student's code (missing: "
                f"{'; '.join(workers[unboxed[0]]['missing'])}); fix them, or pass --unsafe"
            )
        return workers

    @property
    def isolation(self) -> str:
        """The weakest containment mode among the workers (or the one asked for)."""
        if self.mode is not None:
            return self.mode
        return max((w["mode"] for w in self.workers.values()), key=MODES.index)

    def weaker_workers(self) -> dict[str, str]:
        """{address: mode and what it lacks} for each worker weaker than root's box."""
        return {
            address: f"{w['mode']} (not enforced: {'; '.join(w['missing'])})"
            for address, w in sorted(self.workers.items())
            if (self.mode or w["mode"]) != "namespaces"
        }

    def capacity(self) -> int:
        """How many jobs the cluster can grade at once now: its workers' threads (at least
        one, which waits on the scheduler until a worker joins); 0 once the scheduler is
        gone."""
        if self.client.status != "running":
            return 0
        try:
            return max(1, sum(self.client.nthreads().values()))
        except (OSError, TimeoutError):
            return 0

    def _event(self, event) -> None:
        """Scheduler events: remember the jobs that were running on a worker that died."""
        _, message = event
        if isinstance(message, dict) and message.get("action") == "remove-worker":
            if not message.get("expected"):
                with self._lock:
                    self._died.update(message.get("processing-tasks") or ())

    def submit(self, job: Job) -> cf.Future:
        """Send ``job`` to the cluster as a parcel; a file that cannot be read is not sent,
        and its future holds the outcome that says why."""
        try:
            notebook = read_bytes(Path(job.path), job.limits.notebook_bytes)
        except BadSubmission as error:
            outcome = Outcome(job.student, job.spec.assignment, job.spec.notebook, False)
            outcome.problems.append(str(error))
            done: cf.Future = cf.Future()
            done.set_result(outcome)
            return done
        parcel = Parcel(
            student=job.student,
            spec=job.spec,
            notebook=notebook,
            material=self.materials[job.spec.assignment],
            limits=job.limits,
            seed=job.seed,
            mode=self.mode,
            unsafe=self.unsafe,
            version=self.version,
            digest=job.digest,
        )
        name = f"{job.spec.assignment}-{job.spec.notebook}-{job.student}"
        key = f"grade-{name}-{secrets.token_hex(4)}"  # one run's jobs apart from another's
        future = self.executor.submit(grade_on_worker, parcel, key=key)
        self._keys[future] = key
        return future

    def retried(self, future: cf.Future) -> bool:
        """True when a worker died while it held this job."""
        with self._lock:
            return self._keys.get(future) in self._died

    def lost(self, error: BaseException) -> bool:
        """True when ``error`` means the scheduler is gone (the client cancels every job)."""
        return isinstance(error, cf.CancelledError) or self.client.status != "running"

    def lost_error(self, saved: int, total: int) -> ClusterLost:
        """The error that stops a run whose scheduler went away, saying how to resume."""
        return ClusterLost(
            f"lost the Dask scheduler at {self.address} mid-run: {saved} of {total} notebooks "
            "were graded and saved. Start the scheduler and its workers again and rerun the "
            "same command: it grades only the rest"
        )

    @staticmethod
    def explain(error: BaseException) -> str:
        """A job's failure as a line for the summary."""
        if isinstance(error, KilledWorker):
            return (
                f"grading it killed {ALLOWED_FAILURES + 1} workers (out of memory, killed, or "
                "the machine was lost); not graded, so an earlier grade stands: grade this "
                "student alone to see why"
            )
        return f"grading failed: {type(error).__name__}: {error}"

    def close(self) -> None:
        """Cancel what is left and disconnect. Never raises: it runs while a ClusterLost
        may be on its way up, and the scheduler may go away at any moment in between."""
        try:
            self.executor.shutdown(wait=False)
            self.client.unsubscribe_topic("all")
        except (ClosedClientError, OSError, TimeoutError):
            pass  # the scheduler is gone, and with it every job and the subscription
        self.client.close(timeout=CONNECT_SECONDS)
