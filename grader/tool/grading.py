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

import os
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
from grader.tool.intake import BadSubmission, memory_cap, read_submission, restore, test_cell
from grader.tool.isolation import Isolation, Limits
from grader.tool.reply import KernelDied
from grader.tool.results import CheckResult, Outcome
from grader.tool.session import KernelSession
from grader.tool.testcells import CheckCall, NotebookSpec

REASON_CHARACTERS = 300  # of an unexpected error's text, in a summary line


@dataclass
class Job:
    """Everything a worker needs to grade one notebook; plain data, sent to the worker.

    path:          the submitted notebook.
    db_url:        the gradebook, for nbgrader's preprocessors (only read here).
    course_copy:   the generated course copy the kernel imports (``shadow.build``).
    scratch:       an empty folder for this job alone, which only the grader writes.
    source_folder: the assignment's source folder, whose files (not notebooks) the kernel sees.
    seed:          the secret seed of this job's hidden cases.
    box:           how the kernel is contained (``isolation.Isolation``).
    digest:        a digest of the submitted file, the notebook's tests and the course
                   version, recorded in the results file so that a rerun knows what it
                   graded.
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
    box: Isolation
    digest: str = ""


def grade_notebook(job: Job) -> Outcome:
    """Grade one submitted notebook (runs in a worker process). Never raises.

    A file that is not a readable notebook is not graded (``Outcome.graded`` False, with the
    reason), so that an earlier grade stands. Anything else that goes wrong because of what
    the student wrote is graded: the test cells not reached score 0, and the summary says why.
    """
    started = time.perf_counter()
    spec = job.spec
    outcome = Outcome(job.student, spec.assignment, spec.notebook, graded=False)
    outcome.submission = job.digest
    outcome.max_score = sum(spec.points[g] for g in spec.tests)
    try:
        with memory_cap(job.limits.intake_memory_bytes):
            notebook = read_submission(Path(job.path), job.limits.notebook_bytes)
    except BadSubmission as error:
        outcome.problems.append(str(error))
        return outcome
    try:
        with memory_cap(job.limits.intake_memory_bytes):
            outcome.problems += restore(notebook, spec, job.db_url, job.student)
    except Exception as error:  # nbgrader's preprocessors on an untrusted notebook
        outcome.problems.append(f"could not restore the locked cells: {_reason(error)}")
        notebook = _test_cells_only(spec)
        _fail_rest(notebook, spec, outcome, "the notebook's structure could not be restored")
        return _finish(outcome, spec, notebook, started, 0.0)
    files = _files_for_the_kernel(job)
    rng = np.random.default_rng(job.seed)
    try:
        session = KernelSession(
            Path(job.scratch) / "kernel",
            Path(job.course_copy),
            job.limits,
            job.box,
            files,
        )
    except Exception as error:
        outcome.problems.append(f"the kernel could not start: {_reason(error)}")
        return outcome
    try:
        _run_cells(session, notebook, spec, rng, outcome)
    except KernelDied as error:
        outcome.problems.append(str(error))
        _fail_rest(notebook, spec, outcome, str(error))
    except Exception as error:  # a reply or message the grader could not read
        reason = f"grading stopped: {_reason(error)}"
        outcome.problems.append(reason)
        _fail_rest(notebook, spec, outcome, reason)
    finally:
        session.close()
    if session.dropped_from is not None:
        outcome.problems.append(
            f"outputs from cell {session.dropped_from} on were dropped: the notebook's kept "
            f"output reached {job.limits.notebook_output_bytes} bytes"
        )
    return _finish(outcome, spec, notebook, started, session.executing)


def _run_cells(session: KernelSession, notebook, spec, rng, outcome: Outcome) -> None:
    """Run each code cell in order, grading each test cell's checks."""
    for index, cell in enumerate(notebook.cells, start=1):
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id in spec.tests:
            cell.outputs = _run_test_cell(session, spec, grade_id, rng, outcome)
        elif cell.cell_type == "code":
            reply = session.run(cell.source, remember=True)
            cell.outputs = session.keep(reply.outputs, index)
            if not reply.status.finished:
                outcome.problems.append(f"cell {index} {reply.status.explain(session.limits)}")
            elif reply.limit_hit(session.limits):
                outcome.problems.append(f"cell {index} {reply.limit_hit(session.limits)}")
            if reply.dropped:
                outcome.problems.append(
                    f"cell {index} sent {reply.dropped} messages that could not be read; dropped"
                )


def _finish(outcome: Outcome, spec, notebook, started: float, executing: float) -> Outcome:
    """Mark ``outcome`` graded, with its score, notebook and times."""
    outcome.graded = True
    outcome.score = sum(
        spec.points[g] for g in spec.tests if all(c.passed for c in outcome.checks if c.cell == g)
    )
    outcome.notebook = notebook
    outcome.executing = executing
    outcome.seconds = time.perf_counter() - started
    return outcome


def _reason(error: BaseException) -> str:
    """An unexpected error as one summary line's worth of text."""
    return f"{type(error).__name__}: {str(error)[:REASON_CHARACTERS]}"


def _files_for_the_kernel(job: Job) -> Path:
    """A copy of the source folder's other files, readable by the kernel's uid."""
    files = Path(job.scratch) / "files"
    shutil.copytree(job.source_folder, files, ignore=shutil.ignore_patterns("*.ipynb"))
    for folder, _, names in os.walk(files):
        os.chmod(folder, 0o755)
        for name in names:
            os.chmod(os.path.join(folder, name), 0o644)
    return files


def _test_cells_only(spec: NotebookSpec):
    """A notebook of the source's test cells alone, for a submission that cannot be restored."""
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [test_cell(spec, grade_id) for grade_id in spec.tests]
    return notebook


def _run_test_cell(session: KernelSession, spec, grade_id: str, rng, outcome: Outcome) -> list:
    """Grade each check of one test cell; returns the cell's outputs (the verdicts)."""
    outputs = []
    for call in spec.tests[grade_id]:
        seed = int(rng.integers(2**32)) if call.hidden else exercises.VISIBLE_SEED
        cases = exercises.get(call.name).cases(np.random.default_rng(seed), call.hidden)
        failure = _grade_check(session, call, cases, seed, outcome.problems)
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


def _grade_check(session: KernelSession, call: CheckCall, cases: list, seed: int, problems):
    """The verdict on one ``check(...)``: None if the student's function passes every case,
    else the CheckFailed.

    cases:    the exercise's cases drawn with ``seed`` (named in a hidden case's failure).
    problems: the outcome's summary lines; a reply that cannot be read adds one.
    """
    nonce = secrets.token_hex(16)
    code = protocol.request(call.name, call.function, [case.inputs for case in cases], nonce)
    reply = session.run(code, remember=False)
    if not reply.status.finished:
        explained = reply.status.explain(session.limits)
        problems.append(f"check {call.name}: the function {explained}")
        return CheckFailed(f"{call.name}: your function {explained}.")
    try:
        results = protocol.read_reply(reply.outputs, nonce)
        if results is None:
            return CheckFailed(
                f"{call.name}: no answer came back from your code (did it change the display?)."
            )
        exercise = exercises.get(call.name)
        answers = (_answer(call.name, result) for result in results)
        return verdict(exercise, cases, answers, seed if call.hidden else None)
    except Exception as error:  # what came back could not be read or judged: it fails
        message = f"{call.name}: what your function returned could not be read ({_reason(error)})"
        problems.append(message)
        return CheckFailed(f"{message}.")


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
