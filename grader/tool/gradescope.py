"""A Gradescope autograder for one lesson: the zip ``build`` writes, and ``run``, what it runs.

Gradescope unpacks the zip into ``/autograder/source``, runs ``setup.sh`` once as root to
build its image, then, for each submission, copies the student's files into
``/autograder/submission`` and runs ``run_autograder``, which must leave
``/autograder/results/results.json``. The zip holds:

- ``setup.sh``: installs Python 3.11, bubblewrap and util-linux, and the course's pinned
  requirements into ``/autograder/venv``;
- ``run_autograder``: ``python -m grader.tool.gradescope LESSON`` with the course on its path;
- ``requirements.txt`` and ``course/``: the tool, ``nnlib``, the released lesson and a
  gradebook that knows its test cells; the solution notebooks stay out.

``run`` grades the submission with this tool's own ``collect`` and ``autograde`` (verdicts
decided outside the kernel, as on the instructor's machine) and writes Gradescope's results
format: the total ``score``, and one test per check with ``name``, ``score``, ``max_score``,
``output`` (the check's message) and ``visibility`` (``visible``; hidden checks
``after_published``). A test cell's points count only when every check in it passes, so each
check carries an equal share of its cell's points and earns it when the cell does. Where the
container refuses namespaces the kernel runs with resource limits only; ``output`` says so.
``AUTOGRADER_ROOT`` moves ``/autograder`` (for tests); ``AUTOGRADER_SEED`` fixes the hidden
cases' seed (for tests; by default every run draws a secret one).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
import tempfile
import zipfile
from pathlib import Path

from nbgrader.coursedir import CourseDirectory

from grader.tool import course as course_files
from grader.tool.collect import collect
from grader.tool.isolation import isolation
from grader.tool.lms import Format
from grader.tool.results import Outcome
from grader.tool.testcells import notebook_specs

STUDENT = "student"  # Gradescope grades one student per run; this is their folder's name.
SUBMISSION = Format(
    "gradescope", (re.compile(r"(?P<file>[^/]+)"),), "05_backprop.ipynb", student=STUDENT
)

SETUP_SH = """\
#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder's image.
set -euo pipefail
ROOT="${AUTOGRADER_ROOT:-/autograder}"
if [ -z "${PYTHON:-}" ]; then
    apt-get update
    apt-get install -y --no-install-recommends software-properties-common
    add-apt-repository -y ppa:deadsnakes/ppa
    apt-get install -y --no-install-recommends python3.11 python3.11-venv bubblewrap util-linux
    PYTHON=python3.11
fi
[ -x "$ROOT/venv/bin/python" ] || "$PYTHON" -m venv "$ROOT/venv"
"$ROOT/venv/bin/python" -m pip install --disable-pip-version-check --quiet \\
    -r "$ROOT/source/requirements.txt"
"""

RUN_AUTOGRADER = """\
#!/usr/bin/env bash
# Gradescope runs this for every submission; it writes $ROOT/results/results.json.
set -euo pipefail
ROOT="${{AUTOGRADER_ROOT:-/autograder}}"
PYTHONPATH="$ROOT/source/course" exec "$ROOT/venv/bin/python" -m grader.tool.gradescope {lesson}
"""


def build(lesson: str, output: Path, root: Path = course_files.ROOT) -> list[str]:
    """Write the autograder zip of ``lesson`` (a folder of ``root/solutions``) to ``output``.

    The tool and nnlib come from this repository; the lesson is released afresh with
    nbgrader, so that the zip's gradebook knows its test cells. Returns the zip's names.
    """
    course_files.known_lessons([lesson], Path(root) / "solutions")
    course_files.put_python_on_path()
    from grader.tool.release import release

    skip = shutil.ignore_patterns("__pycache__", "*.pyc")
    with tempfile.TemporaryDirectory(prefix="gradescope-build-") as scratch:
        course = Path(scratch) / "course"
        shutil.copytree(Path(root) / "solutions" / lesson, course / "solutions" / lesson)
        shutil.copy(Path(root) / "nbgrader_config.py", course)
        release([lesson], root=course)
        for notebook in (course / "solutions" / lesson).glob("*.ipynb"):
            notebook.unlink()  # the model answers stay with the instructor
        for package in ("grader", "nnlib"):
            shutil.copytree(course_files.ROOT / package, course / package, ignore=skip)
        names = []
        with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, text in [
                ("setup.sh", SETUP_SH),
                ("run_autograder", RUN_AUTOGRADER.format(lesson=lesson)),
            ]:
                info = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
                info.external_attr = 0o100755 << 16
                archive.writestr(info, text)
                names.append(name)
            archive.write(course_files.ROOT / "requirements.txt", "requirements.txt")
            names.append("requirements.txt")
            for path in sorted(course.rglob("*")):
                if path.is_file():
                    name = f"course/{path.relative_to(course).as_posix()}"
                    archive.write(path, name)
                    names.append(name)
    return names


def containment_note() -> str:
    """One sentence for the results' output: how the student's code was contained."""
    box = isolation()
    if box.mode == "limits-only":
        return (
            "This container refused the sandbox's namespaces, so the notebook ran with "
            "resource limits only (limits-only mode); the container is the boundary."
        )
    return f"The notebook ran in the sandbox ({box.mode} mode)."


def results_json(outcomes: list[Outcome], points: dict[str, dict[str, float]], notes) -> dict:
    """Gradescope's results for the graded ``outcomes``.

    points: {notebook name: {test cell id: its points}}, from the gradebook.
    notes:  lines for the top-level output (containment, files not taken).
    """
    tests, lines = [], list(notes)
    for outcome in outcomes:
        cells = points[outcome.notebook_name]
        lines += [f"{outcome.notebook_name}: {problem}" for problem in outcome.problems]
        if not outcome.graded:
            reason = "; ".join(outcome.problems) or "not graded"
            for cell, worth in cells.items():
                tests.append(_test(f"{outcome.notebook_name}: {cell}", 0.0, worth, reason, False))
            continue
        for check in outcome.checks:
            in_cell = [c for c in outcome.checks if c.cell == check.cell]
            share = cells[check.cell] / len(in_cell)
            earned = all(c.passed for c in in_cell)
            if check.passed:
                output = "passed" if earned else "passed; this cell's points need every check"
            else:
                output = check.message
            kind = "hidden" if check.hidden else "visible"
            name = f"{outcome.notebook_name}: {check.cell}: {check.exercise} ({kind})"
            tests.append(_test(name, share if earned else 0.0, share, output, check.hidden))
    return {
        "score": float(sum(o.score for o in outcomes)),
        "output": "\n".join(lines),
        "stdout_visibility": "hidden",
        "tests": tests,
    }


def _test(name: str, score: float, max_score: float, output: str, hidden: bool) -> dict:
    return {
        "name": name,
        "score": score,
        "max_score": max_score,
        "output": output,
        "visibility": "after_published" if hidden else "visible",
    }


def run(root: Path, lesson: str, seed: int | None = None) -> dict:
    """Grade ``root/submission`` against ``root/source/course`` and write
    ``root/results/results.json``; returns what it wrote."""
    from grader.tool.autograde import autograde

    root = Path(root)
    (root / "results").mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="gradescope-") as scratch:
        course = Path(scratch) / "course"
        shutil.copytree(root / "source" / "course", course)
        # The lesson's source folder holds its data files only, and a zip drops empty folders.
        (course / "solutions" / lesson).mkdir(parents=True, exist_ok=True)
        config = course_files.course_config(course)
        collection = collect(config, lesson, root / "submission", layout=SUBMISSION)
        notes = [containment_note(), *collection.problems]
        db_url = CourseDirectory(config=config).db_url
        specs = notebook_specs(db_url, lesson, course / "lessons" / lesson)
        points = {spec.notebook: {g: spec.points[g] for g in spec.tests} for spec in specs}
        outcomes = []
        if collection.written:
            # Gradescope's container is the boundary where it refuses namespaces: grade anyway,
            # and say so (containment_note).
            outcomes = autograde(
                config, lesson, [STUDENT], workers=1, seed=seed, progress=False, unsafe=True
            ).outcomes
        else:
            outcomes = [Outcome(STUDENT, lesson, name, graded=False) for name in points]
            for outcome in outcomes:
                outcome.problems.append("no notebook was submitted")
        payload = results_json(outcomes, points, notes)
    (root / "results" / "results.json").write_text(json.dumps(payload, indent=1))
    return payload


def main(argv: list[str] | None = None) -> int:
    """``python -m grader.tool.gradescope LESSON``, as ``run_autograder`` calls it."""
    (lesson,) = argv if argv is not None else sys.argv[1:]
    root = Path(os.environ.get("AUTOGRADER_ROOT", "/autograder"))
    seed = os.environ.get("AUTOGRADER_SEED")
    course_files.put_python_on_path()
    run(root, lesson, int(seed) if seed else None)
    return 0


if __name__ == "__main__":
    sys.exit(main())
