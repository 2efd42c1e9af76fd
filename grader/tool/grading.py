"""Grade one submitted notebook so that no code in it can change its own score.

``grade_notebook(job)`` runs in a worker process:

1. it reads the submission and restores its locked cells and metadata (``intake``);
2. it runs the student's cells, in order, in a sandboxed kernel (``KernelSession``, which
   restarts a kernel that died and replays the cells that ran);
3. at each test cell, for each ``check(...)`` that the source notebook holds, it draws the
   cases here (hidden ones from the job's secret seed), asks the kernel to run only the
   exercise's ``call`` on their inputs (``grader.protocol``), and judges the outputs here,
   with the real nnlib, through the same ``verdict`` loop as a student's ``check``.

It returns an ``Outcome``: plain data, which the parent process saves.
"""

from __future__ import annotations

import secrets
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

import nbformat
import numpy as np

from grader import exercise as exercises
from grader import protocol
from grader.checks import CheckFailed
from grader.exercise import passed_line, verdict
from grader.tool.intake import BadSubmission, read_submission, restore
from grader.tool.isolation import Limits
from grader.tool.reply import KernelDied, Reply
from grader.tool.results import CheckResult, Outcome
from grader.tool.sandbox import SandboxedKernel
from grader.tool.testcells import CheckCall, NotebookSpec

MAX_RESTARTS = 3


@dataclass
class Job:
    """Everything a worker needs to grade one notebook; plain data, sent to the worker.

    path:          the submitted notebook.
    db_url:        the gradebook, for nbgrader's preprocessors (only read here).
    course_copy:   the generated course copy the kernel imports (``shadow.build``).
    scratch:       an empty folder for this job alone.
    source_folder: the assignment's source folder, whose files (not notebooks) the kernel sees.
    seed:          the secret seed of this job's hidden cases.
    slot:          a small integer unique among concurrent jobs (the kernel's uid).
    """

    student: str
    spec: NotebookSpec
    path: str
    db_url: str
    course_copy: str
    scratch: str
    source_folder: str
    limits: Limits
    seed: int
    slot: int


class KernelSession:
    """A sandboxed kernel that is restarted, replaying the cells run so far, if it dies."""

    def __init__(self, job: Job, workdir: Path):
        self.job = job
        self.workdir = workdir
        self.history: list[str] = []
        self.restarts = 0
        self.executing = 0.0
        self.kernel = self._start()

    def _start(self) -> SandboxedKernel:
        kernel = SandboxedKernel(
            self.workdir, Path(self.job.course_copy), self.job.limits, self.job.slot
        )
        kernel.start()
        return kernel

    def run(self, code: str, remember: bool) -> Reply:
        """Run ``code``; with ``remember``, replay it after a restart if it ran to its end."""
        started = time.perf_counter()
        reply = self.kernel.execute(code)
        self.executing += time.perf_counter() - started
        if remember and reply.status.finished:
            self.history.append(code)
        if not reply.status.finished:
            self.revive()
        return reply

    def revive(self) -> None:
        """Start a fresh kernel if this one is gone, and replay the cells that ran."""
        if self.kernel.process.poll() is None:
            return
        self.kernel.kill()
        if self.restarts >= MAX_RESTARTS:
            raise KernelDied(f"the kernel died {MAX_RESTARTS + 1} times; grading stopped")
        self.restarts += 1
        self.kernel = self._start()
        for code in self.history:
            self.kernel.execute(code)

    def close(self) -> None:
        self.kernel.kill()


def grade_notebook(job: Job) -> Outcome:
    """Grade one submitted notebook (runs in a worker process). Never raises."""
    started = time.perf_counter()
    spec = job.spec
    outcome = Outcome(job.student, spec.assignment, spec.notebook, graded=False)
    outcome.max_score = sum(spec.points[g] for g in spec.tests)
    try:
        notebook = read_submission(Path(job.path))
        outcome.problems += restore(notebook, spec, job.db_url, job.student)
    except BadSubmission as error:
        outcome.problems.append(str(error))
        return outcome
    except Exception as error:
        outcome.problems.append(f"could not restore the locked cells: {error}")
        return outcome
    workdir = Path(job.scratch) / "work"
    shutil.copytree(
        job.source_folder, workdir, ignore=shutil.ignore_patterns("*.ipynb"), dirs_exist_ok=True
    )
    rng = np.random.default_rng(job.seed)
    try:
        session = KernelSession(job, workdir)
    except KernelDied as error:
        outcome.problems.append(f"the kernel could not start: {error}")
        return outcome
    try:
        for index, cell in enumerate(notebook.cells, start=1):
            grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
            if grade_id in spec.tests:
                cell.outputs = _run_test_cell(session, spec, grade_id, rng, outcome)
            elif cell.cell_type == "code":
                reply = session.run(cell.source, remember=True)
                cell.outputs = [nbformat.from_dict(o) for o in reply.outputs]
                if not reply.status.finished:
                    outcome.problems.append(f"cell {index} {reply.status.explain(job.limits)}")
    except KernelDied as error:
        outcome.problems.append(str(error))
        _fail_rest(notebook, spec, outcome, str(error))
    finally:
        session.close()
    outcome.graded = True
    outcome.score = sum(
        spec.points[g] for g in spec.tests if all(c.passed for c in outcome.checks if c.cell == g)
    )
    outcome.notebook = notebook
    outcome.executing = session.executing
    outcome.seconds = time.perf_counter() - started
    return outcome


def _run_test_cell(session: KernelSession, spec, grade_id: str, rng, outcome: Outcome) -> list:
    """Grade each check of one test cell; returns the cell's outputs (the verdicts)."""
    outputs = []
    for call in spec.tests[grade_id]:
        seed = int(rng.integers(2**32)) if call.hidden else exercises.VISIBLE_SEED
        cases = exercises.get(call.name).cases(np.random.default_rng(seed), call.hidden)
        failure = _grade_check(session, call, cases, seed)
        outcome.checks.append(
            CheckResult(
                grade_id,
                call.name,
                call.hidden,
                passed=failure is None,
                message=str(failure or ""),
                diagnosis=failure.diagnosis if failure else None,
            )
        )
        if failure is not None:
            message = str(failure)
            outputs.append(
                nbformat.v4.new_output(
                    "error", ename="CheckFailed", evalue=message, traceback=message.split("\n")
                )
            )
            break
        passed = passed_line(call.name, len(cases), call.hidden)
        outputs.append(nbformat.v4.new_output("stream", name="stdout", text=f"{passed}\n"))
    return outputs


def _grade_check(session: KernelSession, call: CheckCall, cases: list, seed: int):
    """The verdict on one ``check(...)``: None if the student's function passes every case,
    else the CheckFailed.

    cases: the exercise's cases drawn with ``seed`` (named in a hidden case's failure).
    """
    nonce = secrets.token_hex(16)
    code = protocol.request(call.name, call.function, [case.inputs for case in cases], nonce)
    reply = session.run(code, remember=False)
    if not reply.status.finished:
        explained = reply.status.explain(session.job.limits)
        return CheckFailed(f"{call.name}: your function {explained}.")
    results = protocol.read_reply(reply.outputs, nonce)
    if results is None:
        return CheckFailed(
            f"{call.name}: no answer came back from your code (did it change the display?)."
        )
    exercise = exercises.get(call.name)
    answers = (_answer(call.name, result) for result in results)
    return verdict(exercise, cases, answers, seed if call.hidden else None)


def _answer(name: str, result):
    """One case's result from the kernel as ``verdict`` takes it: the outputs, or the
    CheckFailed that the kernel reported (or that a malformed result amounts to)."""
    if not isinstance(result, dict) or set(result) not in ({"outputs"}, {"failed"}):
        return CheckFailed(f"{name}: a malformed result came back.")
    if "failed" in result:
        return CheckFailed(str(result["failed"])[: protocol.MAX_MESSAGE])
    return result["outputs"]


def _fail_rest(notebook, spec: NotebookSpec, outcome: Outcome, reason: str) -> None:
    """Fail every test cell not graded yet, with ``reason``, after the kernel gave up."""
    graded = {c.cell for c in outcome.checks}
    for grade_id, calls in spec.tests.items():
        if grade_id not in graded:
            outcome.checks.append(CheckResult(grade_id, calls[0].name, False, False, reason))
    for cell in notebook.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") in set(spec.tests) - graded:
            cell.outputs = [
                nbformat.v4.new_output(
                    "error", ename="KernelDied", evalue=reason, traceback=[reason]
                )
            ]
