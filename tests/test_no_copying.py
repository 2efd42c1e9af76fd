"""No line of a model answer may be read anywhere in the student notebook it is cut from.

A student who finds the answer's code in the text, a hint, a docstring or a given cell copies
it instead of deriving it. For every lesson, every line of 10 or more characters
(spaces ignored) between ``### BEGIN SOLUTION`` and ``### END SOLUTION`` in
``solutions/NN_name/NN_name.ipynb`` must not appear, spaces ignored, in any cell of
``lessons/NN_name/NN_name.ipynb``: its sources, and the text of its stored outputs.
"""

import re
from pathlib import Path

import nbformat
import pytest

REPO = Path(__file__).resolve().parent.parent
LESSONS = sorted(path.name for path in (REPO / "solutions").iterdir() if path.is_dir())
SHORTEST = 10
SOLUTION = re.compile(r"### BEGIN SOLUTION\n(.*?)### END SOLUTION", re.S)


def squeezed(text: str) -> str:
    """The text with every space, tab and newline removed."""
    return re.sub(r"\s+", "", text)


def solution_lines(notebook) -> set[str]:
    """The squeezed lines of 10+ characters inside the solution regions of a notebook."""
    lines = set()
    for cell in notebook.cells:
        for region in SOLUTION.findall(cell.source):
            lines |= {squeezed(line) for line in region.splitlines()}
    return {line for line in lines if len(line) >= SHORTEST}


def student_texts(notebook) -> list[tuple[str, str]]:
    """(where, squeezed text) for each cell source and each text output of a notebook."""
    texts = []
    for number, cell in enumerate(notebook.cells):
        texts.append((f"cell {number} ({cell.get('id')})", squeezed(cell.source)))
        for output in cell.get("outputs", []):
            text = output.get("text", "") + str(output.get("data", {}).get("text/plain", ""))
            texts.append((f"an output of cell {number} ({cell.get('id')})", squeezed(text)))
    return texts


def copied_lines(solution, student) -> list[str]:
    """'where: line' for each solution line of ``solution`` found in ``student``."""
    texts = student_texts(student)
    return [
        f"{where}: {line!r}"
        for line in sorted(solution_lines(solution))
        for where, text in texts
        if line in text
    ]


def test_a_copied_line_is_found_with_its_spaces_changed_and_a_short_one_is_not():
    solution = nbformat.v4.new_notebook()
    solution.cells = [
        nbformat.v4.new_code_cell(
            "def f(X, W, bias):\n    ### BEGIN SOLUTION\n    Z = X @ W\n"
            "    return Z   +   bias\n    ### END SOLUTION\n"
        )
    ]
    # "Z = X @ W" squeezes to 5 characters, too short to count; the return line counts.
    assert solution_lines(solution) == {"returnZ+bias"}
    student = nbformat.v4.new_notebook()
    student.cells = [
        nbformat.v4.new_markdown_cell("Hint: `Z = X @ W` first."),
        nbformat.v4.new_code_cell("def f(X, W, bias):\n    # YOUR CODE HERE\n"),
    ]
    assert copied_lines(solution, student) == []
    student.cells.append(nbformat.v4.new_markdown_cell("then\n`return Z+bias`"))
    assert copied_lines(solution, student) == [f"cell 2 ({student.cells[2].id}): 'returnZ+bias'"]


@pytest.mark.parametrize("lesson", LESSONS)
def test_no_solution_line_appears_in_the_student_notebook(lesson):
    solution = nbformat.read(REPO / "solutions" / lesson / f"{lesson}.ipynb", as_version=4)
    student = nbformat.read(REPO / "lessons" / lesson / f"{lesson}.ipynb", as_version=4)
    assert solution_lines(solution), f"{lesson}: no solution lines; are the regions marked?"
    found = copied_lines(solution, student)
    assert not found, f"{lesson}: solution lines visible to the student:\n" + "\n".join(found)
