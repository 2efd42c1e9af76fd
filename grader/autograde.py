"""Autograde submissions so that no code in a submission can change its own score.

For each submitted notebook a worker process:

1. reads it, refusing what is not a readable nbformat-4 notebook (``BadSubmission``);
2. puts back the trusted nbgrader metadata and the locked cells, with nbgrader's own
   DeduplicateIds, OverwriteCells (missing test cells added back) and CheckCellMetadata;
3. runs the student's cells, in order, in a ``SandboxedKernel``;
4. at each test cell, for each ``check(...)`` it holds in the source notebook, builds the
   cases in this process (hidden ones from a secret seed), asks the kernel to run only the
   exercise's ``call`` on their inputs (``grader.remote``), reads the outputs back as wire
   data tagged with a fresh nonce, and ``judge``s them here, with the real nnlib.

The parent process writes every score into nbgrader's gradebook with nbgrader's SaveAutoGrades
(so ``nbgrader export`` and the formgrader work as usual), writes the autograded notebook and a
``<notebook>.results.json`` beside it, and lists every submission that needs attention.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import tempfile
import time
import warnings
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field
from pathlib import Path

import nbformat
import numpy as np
from nbformat.warnings import MissingIDFieldWarning
from nbgrader.api import Gradebook
from nbgrader.coursedir import CourseDirectory
from nbgrader.preprocessors import (
    CheckCellMetadata,
    DeduplicateIds,
    OverwriteCells,
    SaveAutoGrades,
)
from sqlalchemy.exc import SAWarning
from tqdm import tqdm

from grader import exercise as exercises
from grader import shadow
from grader.checks import CheckFailed
from grader.exercise import judge_quietly, passed_line, where_case
from grader.remote import MIME
from grader.sandbox import KernelDied, Limits, SandboxedKernel
from grader.testcells import CheckCall, NotebookSpec, notebook_specs
from grader.wire import WireError, decode, encode

MAX_RESTARTS = 3


class BadSubmission(ValueError):
    """A submitted file cannot be graded; the message says why, for the summary."""


@dataclass
class CheckResult:
    """The verdict on one ``check(...)`` of one test cell."""

    cell: str
    exercise: str
    hidden: bool
    passed: bool
    message: str


@dataclass
class Outcome:
    """What grading one notebook of one student gave.

    graded:   False when the notebook could not be graded (then nothing is written).
    problems: lines for the summary; non-empty means the submission needs attention.
    notebook: the autograded notebook as a dict (None when not graded).
    seconds:  wall time the worker spent on it; ``executing`` of that was spent waiting
              for the kernel to run code (the notebook's own execution time).
    """

    student: str
    assignment: str
    notebook_name: str
    graded: bool
    score: float = 0.0
    max_score: float = 0.0
    checks: list[CheckResult] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    notebook: dict | None = None
    seconds: float = 0.0
    executing: float = 0.0


@dataclass
class Job:
    """Everything a worker needs to grade one notebook; plain data, sent to the worker."""

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


def read_submission(path: Path) -> nbformat.NotebookNode:
    """The notebook at ``path``; raises BadSubmission with the reason it cannot be read."""
    if not path.exists():
        raise BadSubmission(f"missing notebook {path.name}")
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise BadSubmission(
            f"{path.name} is not UTF-8 text (byte {error.start}); ask for the .ipynb file "
            "as saved by Jupyter"
        ) from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        # A notebook file ends with "}"; one that stops before it was cut short.
        truncated = not text.rstrip().endswith("}")
        if truncated:
            raise BadSubmission(f"{path.name} is truncated: the file ends mid-notebook") from None
        raise BadSubmission(f"{path.name} is not valid JSON (line {error.lineno})") from None
    if not isinstance(data, dict) or data.get("nbformat") != 4:
        version = data.get("nbformat") if isinstance(data, dict) else None
        raise BadSubmission(
            f"{path.name} is nbformat {version}, not 4; ask the student to open and save it "
            "in the course's JupyterLab"
        )
    try:
        with warnings.catch_warnings():
            # Cells of notebooks older than nbformat 4.5 have no ids; nbformat adds them.
            warnings.simplefilter("ignore", MissingIDFieldWarning)
            notebook = nbformat.reads(text, as_version=4)
            nbformat.validate(notebook)
    except Exception as error:
        raise BadSubmission(f"{path.name} is not a valid notebook: {str(error)[:200]}") from None
    return notebook


def restore(notebook, spec: NotebookSpec, db_url: str, student: str) -> list[str]:
    """Put back the trusted metadata and locked cells, in place; returns what was tampered.

    Metadata comes only from the source: a cell whose grade_id the source does not have loses
    its nbgrader metadata, and a known cell gets the source's flags and points back.
    """
    problems = []
    for cell in notebook.cells:
        meta = cell.metadata.get("nbgrader")
        if meta is None:
            continue
        grade_id = meta.get("grade_id")
        if grade_id not in spec.cells:
            del cell.metadata["nbgrader"]
            problems.append(f"a cell claims grade_id {grade_id!r}, which the source lacks")
            continue
        trusted = {
            "grade": grade_id in spec.points,
            "grade_id": grade_id,
            "locked": spec.cells[grade_id]["locked"],
            "schema_version": 3,
            "solution": grade_id in spec.solutions,
            "task": False,
        }
        if grade_id in spec.points:
            trusted["points"] = spec.points[grade_id]
        changed = sorted(k for k in trusted if k != "schema_version" and meta.get(k) != trusted[k])
        if changed:
            problems.append(f"cell {grade_id!r}: nbgrader metadata changed ({', '.join(changed)})")
        originals = (spec.cells[grade_id]["source"], spec.released.get(grade_id))
        if spec.cells[grade_id]["locked"] and cell.source not in originals:
            problems.append(f"locked cell {grade_id!r} was edited; restored from the source")
        cell.metadata["nbgrader"] = trusted
    present = {c.metadata.get("nbgrader", {}).get("grade_id") for c in notebook.cells}
    for grade_id in spec.tests:
        if grade_id not in present:
            problems.append(f"test cell {grade_id!r} was deleted; restored from the source")
    resources = {
        "nbgrader": {
            "notebook": spec.notebook,
            "assignment": spec.assignment,
            "student": student,
            "db_url": db_url,
        }
    }
    for preprocessor in (DeduplicateIds(), OverwriteCells(add_missing_cells=True)):
        notebook, resources = preprocessor.preprocess(notebook, resources)
    present = {c.metadata.get("nbgrader", {}).get("grade_id") for c in notebook.cells}
    for grade_id in spec.tests:
        if grade_id not in present:  # OverwriteCells found no place for it: grade it last
            notebook.cells.append(_test_cell(spec, grade_id))
    for cell in notebook.cells:
        if notebook.nbformat_minor >= 5 and "id" not in cell:  # cells OverwriteCells added back
            cell["id"] = secrets.token_hex(4)
    CheckCellMetadata().preprocess(notebook, resources)
    return problems


def _test_cell(spec: NotebookSpec, grade_id: str):
    cell = nbformat.v4.new_code_cell(spec.cells[grade_id]["source"])
    cell.metadata["nbgrader"] = {
        "grade": True,
        "grade_id": grade_id,
        "locked": True,
        "points": spec.points[grade_id],
        "schema_version": 3,
        "solution": False,
        "task": False,
        "checksum": spec.cells[grade_id]["checksum"],
    }
    return cell


class _Session:
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

    def run(self, code: str, remember: bool):
        started = time.perf_counter()
        reply = self.kernel.execute(code)
        self.executing += time.perf_counter() - started
        if remember and reply.status in ("ok", "error"):
            self.history.append(code)
        if reply.status in ("died", "timeout", "output-limit"):
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
        session = _Session(job, workdir)
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
                if reply.status not in ("ok", "error"):
                    outcome.problems.append(f"cell {index}: {_explain(reply.status, job)}")
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


def _explain(status: str, job: Job) -> str:
    return {
        "timeout": f"timed out after {job.limits.cell_timeout:g} s and was stopped",
        "output-limit": f"printed more than {job.limits.output_bytes} bytes and was stopped",
        "died": "the kernel died (exit, kill or crash); restarted, earlier cells replayed",
    }[status]


def _run_test_cell(session: _Session, spec, grade_id: str, rng, outcome: Outcome) -> list:
    """Grade each check of one test cell; returns the cell's outputs (the verdicts)."""
    outputs = []
    for call in spec.tests[grade_id]:
        seed = int(rng.integers(2**32)) if call.hidden else exercises.VISIBLE_SEED
        cases = exercises.get(call.name).cases(np.random.default_rng(seed), call.hidden)
        message = _grade_check(session, call, cases, seed)
        outcome.checks.append(
            CheckResult(grade_id, call.name, call.hidden, message is None, message or "")
        )
        if message is not None:
            outputs.append(
                nbformat.v4.new_output(
                    "error", ename="CheckFailed", evalue=message, traceback=message.split("\n")
                )
            )
            break
        passed = passed_line(call.name, len(cases), call.hidden)
        outputs.append(nbformat.v4.new_output("stream", name="stdout", text=f"{passed}\n"))
    return outputs


def _grade_check(session: _Session, call: CheckCall, cases: list, seed: int) -> str | None:
    """None if the student's function passes every case of ``call``, else the message.

    cases: the exercise's cases drawn with ``seed`` (named in a hidden case's failure).
    """
    exercise = exercises.get(call.name)
    nonce = secrets.token_hex(16)
    request = encode([case.inputs for case in cases])
    # The grader modules are imported afresh from the read-only copy, so that a submission
    # that replaced them in sys.modules cannot stop its own functions from being graded.
    code = (
        "import sys as _sys\n"
        "for _name in [n for n in _sys.modules if n == 'grader' or n.startswith('grader.')]:\n"
        "    del _sys.modules[_name]\n"
        f"__import__('grader.remote', fromlist=['answer']).answer({call.name!r}, "
        f"lambda: ({call.function}), {request!r}, {nonce!r})"
    )
    reply = session.run(code, remember=False)
    if reply.status in ("timeout", "output-limit", "died"):
        what = {
            "timeout": f"did not finish in {session.job.limits.cell_timeout:g} s (an "
            "infinite loop?)",
            "output-limit": "printed too much output",
            "died": "made the kernel die",
        }[reply.status]
        return f"{call.name}: your function {what}."
    results = _results(reply.outputs, nonce)
    if results is None:
        return f"{call.name}: no answer came back from your code (did it change the display?)."
    for number, case in enumerate(cases, start=1):
        where = where_case(call.name, number, cases, seed if call.hidden else None)
        if number > len(results):
            return f"{call.name}: no result for this case.\n  {where}"
        result = results[number - 1]
        if not isinstance(result, dict) or set(result) not in ({"outputs"}, {"failed"}):
            return f"{call.name}: a malformed result came back.\n  {where}"
        if "failed" in result:
            return f"{str(result['failed'])[:2000]}\n  {where}"
        try:
            judge_quietly(exercise, case, result["outputs"])
        except CheckFailed as failure:
            return f"{failure}\n  {where}"
        except Exception as error:  # judge met a result of a kind it did not expect
            return (
                f"{call.name}: the result could not be checked "
                f"({type(error).__name__}: {error})\n  {where}"
            )
    return None


def _results(outputs: list[dict], nonce: str) -> list | None:
    """The results list from the one reply tagged with ``nonce``, or None."""
    found = []
    for output in outputs:
        text = (
            output.get("data", {}).get(MIME)
            if output.get("output_type") == "display_data"
            else None
        )
        if not isinstance(text, str):
            continue
        try:
            message = decode(text)
        except WireError:
            continue
        if isinstance(message, dict) and message.get("nonce") == nonce:
            found.append(message.get("results"))
    return found[0] if len(found) == 1 and isinstance(found[0], list) else None


def _fail_rest(notebook, spec: NotebookSpec, outcome: Outcome, reason: str) -> None:
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


@dataclass
class Summary:
    """A whole run: every outcome, and the lines for the submissions that need attention."""

    outcomes: list[Outcome]
    isolation: str

    @property
    def attention(self) -> list[str]:
        return [
            f"{o.student} / {o.assignment}/{o.notebook_name}: {problem}"
            for o in self.outcomes
            for problem in o.problems
        ]


def autograde(
    config,
    assignments: str | list[str],
    students: list[str] | None = None,
    *,
    workers: int = 1,
    limits: Limits | None = None,
    seed: int | None = None,
    progress: bool = True,
) -> Summary:
    """Grade one or more assignments for the named students (default: every submitted one).

    config:      nbgrader configuration (``grader.release.course_config(root)``).
    assignments: an assignment name, or several, graded in one pool of workers.
    workers:     processes grading submissions at once.
    limits:      the sandbox's limits (default Limits()).
    seed:        seed for the hidden cases; default a fresh secret one.
    progress:    show a progress bar with an ETA.
    Returns a Summary; the gradebook, autograded notebooks and results files are written.
    """
    from grader.sandbox import isolation

    coursedir = CourseDirectory(config=config)
    names = [assignments] if isinstance(assignments, str) else list(assignments)
    seed = secrets.randbits(63) if seed is None else seed
    scratch = Path(tempfile.mkdtemp(prefix="autograde-"))
    os.chmod(scratch, 0o711)
    try:
        jobs = []
        for name, seeds in zip(names, np.random.SeedSequence(seed).spawn(len(names)), strict=True):
            jobs += _jobs(coursedir, name, students, scratch, seeds, limits or Limits(), len(jobs))
        outcomes = []
        desc = f"autograde {', '.join(names)}"
        bar = tqdm(total=len(jobs), desc=desc, unit="notebook", disable=not progress)
        with ProcessPoolExecutor(max_workers=workers) as pool:
            futures = {pool.submit(grade_notebook, job): job for job in jobs}
            for future in as_completed(futures):
                try:
                    outcome = future.result()
                    _save(coursedir, outcome)
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
    return Summary(outcomes, isolation().mode)


def _jobs(coursedir, assignment, students, scratch: Path, seeds, limits, first: int) -> list[Job]:
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
        (scratch / f"job{number}").mkdir()
        path = coursedir.format_path(coursedir.submitted_directory, student, assignment)
        jobs.append(
            Job(
                student,
                spec,
                f"{path}/{spec.notebook}.ipynb",
                coursedir.db_url,
                str(course_copy),
                str(scratch / f"job{number}"),
                source_folder,
                limits,
                int(child.generate_state(1)[0]),
                number,
            )
        )
    return jobs


def _save(coursedir: CourseDirectory, outcome: Outcome) -> None:
    """Write one outcome: gradebook (parent process only), autograded notebook, results."""
    if not outcome.graded:
        return
    folder = Path(
        coursedir.format_path(coursedir.autograded_directory, outcome.student, outcome.assignment)
    )
    folder.mkdir(parents=True, exist_ok=True)
    submitted = coursedir.format_path(
        coursedir.submitted_directory, outcome.student, outcome.assignment
    )
    timestamp = coursedir.get_existing_timestamp(submitted)
    notebook = nbformat.from_dict(outcome.notebook)
    resources = {
        "nbgrader": {
            "notebook": outcome.notebook_name,
            "assignment": outcome.assignment,
            "student": outcome.student,
            "db_url": coursedir.db_url,
        }
    }
    with warnings.catch_warnings():
        # nbgrader's add_submission makes SQLAlchemy warn about autoflush; it is harmless.
        warnings.simplefilter("ignore", SAWarning)
        with Gradebook(coursedir.db_url) as gradebook:
            gradebook.update_or_create_student(outcome.student)
            gradebook.update_or_create_submission(
                outcome.assignment,
                outcome.student,
                **({"timestamp": timestamp} if timestamp else {}),
            )
        SaveAutoGrades().preprocess(notebook, resources)
    nbformat.write(notebook, folder / f"{outcome.notebook_name}.ipynb")
    results = {key: value for key, value in asdict(outcome).items() if key != "notebook"}
    (folder / f"{outcome.notebook_name}.results.json").write_text(json.dumps(results, indent=1))


def load_results(coursedir: CourseDirectory, assignment: str) -> list[dict]:
    """Every results file written for ``assignment``, as dicts (see Outcome)."""
    folder = Path(coursedir.root, coursedir.autograded_directory)
    return [
        json.loads(p.read_text()) for p in sorted(folder.glob(f"*/{assignment}/*.results.json"))
    ]
