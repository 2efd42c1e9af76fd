"""What an assignment's test cells ask, read from the trusted source: the gradebook.

A test cell may hold only imports, comments and calls ``check("exercise", expression[,
hidden=True])``. ``parse_test_cell`` turns one into a list of ``CheckCall``; anything else is
refused, because the autograder never runs test code in the student's kernel and so could not
grade it. ``notebook_specs`` reads each notebook's cells from nbgrader's gradebook, which
``release`` fills from ``solutions/`` (with the hidden tests).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from nbgrader.api import Gradebook, MissingEntry

from grader import exercise


@dataclass(frozen=True)
class CheckCall:
    """One ``check(name, function, hidden=...)`` call: ``function`` is its source text."""

    name: str
    function: str
    hidden: bool


@dataclass
class NotebookSpec:
    """The trusted facts about one notebook of an assignment.

    cells:      {grade_id: {"cell_type", "locked", "source", "checksum"}} for every cell
                nbgrader tracks.
    points:     {grade_id: max score} for grade cells.
    solutions:  grade_ids of answer cells.
    tests:      {grade_id: [CheckCall, ...]} for autograded test cells, in notebook order.
    released:   {grade_id: source} as the students received it (hidden tests removed).
    """

    assignment: str
    notebook: str
    cells: dict[str, dict] = field(default_factory=dict)
    points: dict[str, float] = field(default_factory=dict)
    solutions: set[str] = field(default_factory=set)
    tests: dict[str, list[CheckCall]] = field(default_factory=dict)
    released: dict[str, str] = field(default_factory=dict)

    def references(self) -> set[str]:
        """The nnlib names that answer this notebook's exercises."""
        names = {call.name for calls in self.tests.values() for call in calls}
        return {ref for name in names for ref in exercise.get(name).reference}


def parse_test_cell(source: str, grade_id: str) -> list[CheckCall]:
    """The check calls in a test cell's source.

    source:   the cell's code, hidden tests included.
    grade_id: the cell's name, for error messages.
    Returns [CheckCall, ...]; raises ValueError saying which line is not allowed and why.
    """
    try:
        tree = ast.parse(source)
    except SyntaxError as error:
        raise ValueError(f"test cell {grade_id!r} is not valid Python: {error}") from None
    calls = []
    for node in tree.body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            continue
        call = node.value if isinstance(node, ast.Expr) else None
        if not (
            isinstance(call, ast.Call)
            and isinstance(call.func, ast.Name)
            and call.func.id == "check"
            and len(call.args) == 2
            and isinstance(call.args[0], ast.Constant)
            and isinstance(call.args[0].value, str)
            and all(k.arg == "hidden" and isinstance(k.value, ast.Constant) for k in call.keywords)
        ):
            raise ValueError(
                f"test cell {grade_id!r}, line {node.lineno}: only imports and "
                "check('exercise', function[, hidden=True]) calls are allowed in a test cell, "
                f"got: {ast.unparse(node)[:80]}"
            )
        name = call.args[0].value
        exercise.get(name)  # an unknown name fails here, with the list of known ones
        hidden = bool(call.keywords[0].value.value) if call.keywords else False
        calls.append(CheckCall(name, ast.unparse(call.args[1]), hidden))
    if not calls:
        raise ValueError(f"test cell {grade_id!r} has no check(...) call to grade")
    return calls


def notebook_specs(db_url: str, assignment: str, release_folder: Path) -> list[NotebookSpec]:
    """One NotebookSpec per notebook of ``assignment`` in the gradebook at ``db_url``.

    release_folder: the assignment's folder of student notebooks, for ``released``.

    Raises ValueError if the assignment is not there (run ``release`` first) or a test cell
    cannot be parsed.
    """
    specs = []
    with Gradebook(db_url) as gradebook:
        try:
            record = gradebook.find_assignment(assignment)
        except MissingEntry:
            raise ValueError(
                f"assignment {assignment!r} is not in the gradebook; run "
                "`python -m grader release` first"
            ) from None
        for notebook in record.notebooks:
            spec = NotebookSpec(assignment, notebook.name)
            for cell in notebook.source_cells:
                spec.cells[cell.name] = {
                    "cell_type": cell.cell_type,
                    "locked": bool(cell.locked),
                    "source": cell.source,
                    "checksum": cell.checksum,
                }
            for cell in notebook.grade_cells:
                spec.points[cell.name] = float(cell.max_score)
            spec.solutions = {cell.name for cell in notebook.solution_cells}
            order = list(spec.cells)
            for name in sorted(spec.points, key=order.index):
                if name not in spec.solutions and spec.cells[name]["cell_type"] == "code":
                    spec.tests[name] = parse_test_cell(spec.cells[name]["source"], name)
            released = Path(release_folder) / f"{notebook.name}.ipynb"
            if released.exists():
                for cell in nbformat.read(released, as_version=4).cells:
                    grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
                    if grade_id:
                        spec.released[grade_id] = cell.source
            specs.append(spec)
    return specs
