"""Run every model answer and every correct variant through the hidden checks, seed after seed.

A verdict must never depend on the seed: a right answer passes every hidden draw. This script
holds the course to that, for

- the model answers: the solution cells of ``solutions/NN_*/NN_*.ipynb`` (what a test cell
  checks, read from its ``check("name", function)`` calls), run in one namespace per lesson;
- the correct variants of the catalogue (``tests/catalogue/catalogue_*.py``, their CORRECT).

Usage::

    .venv/bin/python scripts/sweep_seeds.py                   # every lesson, 200 seeds
    .venv/bin/python scripts/sweep_seeds.py --seeds 20 06 07  # lessons 06 and 07, 20 seeds

It prints one row per answer (exercise, answer, seeds passed, the first failure) and exits
with status 1 when any answer failed any seed. ``tests/catalogue/test_sweep_seeds.py`` runs a
sample of it.
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import importlib.util
import io
import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from IPython.core.inputtransformer2 import TransformerManager

ROOT = Path(__file__).resolve().parents[1]
CATALOGUE = ROOT / "tests" / "catalogue"
CHECK_CALL = re.compile(r"""check\(\s*["'](\w+)["']\s*,\s*(\w+)""")


@dataclass
class Answer:
    """One right answer to sweep: ``function`` answers exercise ``exercise``; ``source`` says
    where it comes from ("solution 07_training" or "catalogue_l07")."""

    exercise: str
    name: str
    function: object
    source: str


@dataclass
class Row:
    """The sweep of one answer: how many seeds passed, and the first failure (or "")."""

    answer: Answer
    passed: int
    seeds: int
    first_failure: str


def run_definitions(source: str, namespace: dict) -> None:
    """Run the definitions of a cell that is not an answer: its imports, functions, classes and
    names bound by a plain assignment (``mlp_forward = student_or_reference(...)``), which the
    answers may use. Figures and widgets are left out; a definition that fails is skipped (an
    answer that needed it fails its sweep and shows it)."""
    source = TransformerManager().transform_cell(source)  # magics become plain calls
    for node in ast.parse(source).body:
        definition = isinstance(node, (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.ClassDef))
        named = isinstance(node, ast.Assign) and all(isinstance(t, ast.Name) for t in node.targets)
        if definition or named:
            with contextlib.suppress(Exception):
                exec(ast.get_source_segment(source, node), namespace)  # noqa: S102


def solution_answers(lesson: Path) -> list[Answer]:
    """The model answers of one lesson: its cells run in order in one namespace (answer cells
    whole, the others' definitions only), and the functions its test cells check.

    lesson: the folder solutions/NN_name, holding NN_name.ipynb.
    """
    notebook = json.loads((lesson / f"{lesson.name}.ipynb").read_text())
    namespace: dict = {"__name__": f"solution_{lesson.name}"}
    exec("import numpy as np\nimport nnlib", namespace)  # noqa: S102 (the course's own code)
    checked = {}
    for cell in notebook["cells"]:
        source = "".join(cell["source"]) if cell["cell_type"] == "code" else ""
        with contextlib.redirect_stdout(io.StringIO()):
            if "### BEGIN SOLUTION" in source:
                exec(source, namespace)  # noqa: S102
            else:
                run_definitions(source, namespace)
        grade = cell.get("metadata", {}).get("nbgrader", {})
        if grade.get("grade") and not grade.get("solution"):  # a test cell, not a demonstration
            for exercise, function in CHECK_CALL.findall(source):
                checked[exercise] = function
    return [
        Answer(exercise, function, namespace[function], f"solution {lesson.name}")
        for exercise, function in checked.items()
        if function in namespace
    ]


def catalogue_answers(lesson_number: str) -> list[Answer]:
    """The correct variants of catalogue_l<NN>.py, if there is one."""
    path = CATALOGUE / f"catalogue_l{lesson_number}.py"
    if not path.exists():
        return []
    sys.path.insert(0, str(CATALOGUE))
    spec = importlib.util.spec_from_file_location(f"catalogue.{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return [
        Answer(entry.exercise, entry.function.__name__, entry.function, path.stem)
        for entry in module.CORRECT
    ]


def sweep(answer: Answer, seeds: range) -> Row:
    """Run ``check(..., hidden=True, seed=s)`` for every seed; count the passes."""
    from grader import CheckFailed, check

    passed, first = 0, ""
    for seed in seeds:
        try:
            with contextlib.redirect_stdout(io.StringIO()):
                check(answer.exercise, answer.function, hidden=True, seed=seed)
            passed += 1
        except CheckFailed as failure:
            first = first or f"seed {seed}: {str(failure).splitlines()[0]}"
    return Row(answer, passed, len(seeds), first)


def answers_of(lessons: list[str]) -> list[Answer]:
    """Every answer to sweep for the lessons numbered ``lessons`` ("06", ...); all if empty."""
    folders = sorted(path for path in (ROOT / "solutions").iterdir() if path.is_dir())
    chosen = [f for f in folders if not lessons or f.name.split("_")[0] in lessons]
    answers = []
    for folder in chosen:
        answers += solution_answers(folder)
        answers += catalogue_answers(folder.name.split("_")[0])
    return answers


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("lessons", nargs="*", help="lesson numbers, e.g. 06 07 (all if none)")
    parser.add_argument("--seeds", type=int, default=200, help="hidden seeds in a row")
    options = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    seeds = range(1, options.seeds + 1)
    rows = []
    print(f"{'exercise':28} {'answer':34} {'source':22} passed")
    for answer in answers_of(options.lessons):
        row = sweep(answer, seeds)
        rows.append(row)
        print(
            f"{answer.exercise:28} {answer.name:34} {answer.source:22} "
            f"{row.passed}/{row.seeds} {row.first_failure}",
            flush=True,
        )
    failed = [row for row in rows if row.passed < row.seeds]
    print(f"{len(rows) - len(failed)} of {len(rows)} answers passed all {len(seeds)} seeds")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
