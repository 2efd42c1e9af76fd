"""nbval runs every solution notebook and compares each cell's output with the stored one.

Each ``solutions/NN_name/NN_name.ipynb`` is one test: a pytest subprocess runs
``pytest --nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg`` on it,
so its cells share one kernel (the venv's Python, whatever kernel the notebook names) and
the outer run, with ``pytest -n 2 --dist loadfile`` or without, never splits a notebook.

Conventions for lesson authors (what nbval 0.11 does, and what it needs from a notebook):

- Store outputs: run the solution notebook top to bottom ("Restart kernel and run all") and
  save it. nbval compares, cell by cell, every output except ``image/png``, ``image/jpeg``
  and widget views (``application/vnd.jupyter.widget-view+json``): ``text/plain``,
  ``text/html``, ``text/latex``, ``image/svg+xml``, stdout and stderr (told apart), and the
  name and message of an error. Execution counts and output metadata are ignored. A cell
  never run (no execution count) is executed but not compared.
- Figures: draw them with the default inline backend, as PNG (never SVG, which is compared
  as text). The ``<Figure size ... with N Axes>`` line is sanitised, so it may stay.
- Widgets (``nnlib.notebook.interactive``, ``ipywidgets.interact``): tag the cell
  ``nbval-ignore-output``. The cell still runs, so it must not fail, but its output (slider
  reprs, figures drawn inside an Output widget) is not compared.
- Randomness: every draw is seeded (``np.random.default_rng(seed)``), so printed numbers and
  losses are the same on every run. Print rounded values (``f"{loss:.4f}"``): the last digits
  of a long float computation may differ between machines.
- Timings and memory addresses: do not print them; where a cell must, tag it
  ``nbval-ignore-output`` or add a pattern to ``tests/nbval_sanitize.cfg`` (a section with
  ``regex:`` and ``replace:`` lines, applied to every compared output).
- ``nbval-skip`` does not run the cell at all, so later cells must not need what it
  defines; use it only for cells that must not run in CI (none should). A cell that is
  meant to raise is tagged ``raises-exception``; its error name and message are compared.
- The same tags work as a comment on a line of their own in the cell: ``# NBVAL_IGNORE_OUTPUT``,
  ``# NBVAL_SKIP``, ``# NBVAL_RAISES_EXCEPTION``. Prefer tags: students see comments.
- A lesson runs top to bottom in seconds; a cell that takes longer than ``CELL_TIMEOUT``
  fails.
"""

import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook, new_output

from grader.tool.release import WIDGET_VIEW

ROOT = Path(__file__).resolve().parents[1]
SANITIZE = ROOT / "tests" / "nbval_sanitize.cfg"
CELL_TIMEOUT = 120
NOTEBOOKS = sorted(
    path for path in (ROOT / "solutions").glob("*/*.ipynb") if path.stem == path.parent.name
)


def nbval(notebook: Path) -> subprocess.CompletedProcess:
    """Run nbval on one notebook in a fresh pytest process; return the finished process."""
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "--nbval",
            "--nbval-current-env",
            f"--nbval-sanitize-with={SANITIZE}",
            f"--nbval-cell-timeout={CELL_TIMEOUT}",
            "-p",
            "no:cacheprovider",
            "-q",
            str(notebook),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[path.stem for path in NOTEBOOKS])
def test_solution_notebook_reproduces_its_outputs(notebook):
    run = nbval(notebook)
    assert run.returncode == 0, (
        f"nbval failed on {notebook.relative_to(ROOT)}:\n{run.stdout[-6000:]}"
    )


def test_nbval_catches_a_changed_output(tmp_path):
    """The harness is not vacuous: a stored output that the code does not produce fails."""
    cell = new_code_cell("print(6 * 7)", execution_count=1)
    cell.outputs = [new_output("stream", name="stdout", text="41\n")]
    notebook = tmp_path / "wrong.ipynb"
    nbformat.write(new_notebook(cells=[cell]), notebook)
    run = nbval(notebook)
    assert run.returncode == 1
    assert "Cell outputs differ" in run.stdout
    cell.outputs = [new_output("stream", name="stdout", text="42\n")]
    nbformat.write(new_notebook(cells=[cell]), notebook)
    assert nbval(notebook).returncode == 0


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda path: path.stem)
def test_solution_is_saved_without_run_noise(notebook):
    # Saved widget state and per-cell timestamps change on every run and would bury the real
    # changes to a lesson in its diff; `python -m grader release --execute` leaves both out.
    saved = nbformat.read(notebook, as_version=4)
    assert "widgets" not in saved.metadata
    timed = [index for index, cell in enumerate(saved.cells) if "execution" in cell.metadata]
    assert timed == [], f"cells {timed} carry execution timestamps"
    for index, cell in enumerate(saved.cells):
        streams = [out.get("name") for out in cell.get("outputs", [])]
        assert not any(a and a == b for a, b in zip(streams, streams[1:], strict=False)), (
            f"cell {index}: one cell's prints split over several stream outputs"
        )
        for k, out in enumerate(cell.get("outputs", [])):
            view = out.get("data", {}).get(WIDGET_VIEW)
            if view:
                assert view["model_id"] == f"cell-{index}-output-{k}", f"cell {index}: a random id"
