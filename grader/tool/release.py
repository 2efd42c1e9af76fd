"""Make the student notebooks: ``lessons/`` from ``solutions/``, with nbgrader.

Each lesson folder ``solutions/NN_name/`` is one nbgrader assignment. ``release`` runs
nbgrader's own ``generate_assignment`` on it (which removes the solutions and the hidden
tests, locks cells and records the grade cells in the gradebook), then writes the result to
``lessons/NN_name/`` so that regenerating twice gives the same bytes: ``lessons/`` is
committed, and a test compares it with a fresh release.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbconvert.preprocessors import CoalesceStreamsPreprocessor
from nbgrader.converters import GenerateAssignment
from nbgrader.coursedir import CourseDirectory
from nbgrader.utils import capture_log

from grader.tool.course import ROOT, course_config, known_lessons, put_python_on_path

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


class ReleaseError(RuntimeError):
    """nbgrader could not turn a solution notebook into a student notebook."""


def normalise(notebook: nbformat.NotebookNode, source_ids: list[str | None]):
    """Make a generated notebook's bytes depend only on its source notebook, in place.

    notebook:   the notebook nbgrader generated, one cell per source cell.
    source_ids: each source cell's id as written in the source file, None where it has none.

    nbformat gives a cell without an id a random one, so such a cell gets its nbgrader
    ``grade_id`` or, failing that, "cell-N" from its position. The notebook is written as
    nbformat 4.5 (the first minor version with ids) whatever the source's was, without saved
    widget state.
    """
    notebook.nbformat, notebook.nbformat_minor = 4, max(notebook.nbformat_minor, 5)
    # A student notebook has no outputs, so saved widget state would describe nothing.
    notebook.metadata.pop("widgets", None)
    used = {cell_id for cell_id in source_ids if cell_id}
    for index, (cell, cell_id) in enumerate(zip(notebook.cells, source_ids, strict=True)):
        if not cell_id:
            grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
            cell_id = grade_id if grade_id and grade_id not in used else f"cell-{index}"
            used.add(cell_id)
        cell["id"] = cell_id


def execute_solutions(
    names: Sequence[str] | None = None, *, source: Path | None = None, timeout: int = 120
) -> list[Path]:
    """Run solution notebooks top to bottom in this Python and save them with their outputs.

    names:   lesson folder names in ``source``; None for every lesson.
    source:  folder of instructor notebooks; default ``solutions/``.
    timeout: seconds allowed per cell.
    Returns the paths of the notebooks it ran. The stored outputs are what nbval compares,
    so run this after editing a solution, then release.
    """
    source = Path(source or ROOT / "solutions").resolve()
    ran = []
    for name in known_lessons(names, source):
        path = source / name / f"{name}.ipynb"
        notebook = nbformat.read(path, as_version=4)
        client = NotebookClient(
            notebook,
            timeout=timeout,
            kernel_name="python3",
            record_timing=False,  # timestamps in every cell would change on every run
            resources={"metadata": {"path": str(path.parent)}},
        )
        client.execute()
        steady_outputs(notebook)
        nbformat.write(notebook, path)
        ran.append(path)
    return ran


def steady_outputs(notebook: nbformat.NotebookNode) -> None:
    """Take out of a run's outputs, in place, what changes from run to run without meaning
    anything, so that a solution's diff shows only real changes.

    - A cell's consecutive prints to one stream are split wherever the kernel happened to
      flush; they are merged into one output (as nbval merges them before comparing).
    - Saved widget state is megabytes of pixels, and a widget is only worth seeing with a
      live kernel: it is dropped. (nbclient's store_widget_state=False would be the direct
      way, but it fails on Output widgets with a KeyError.)
    - A widget's output names its model by a random id, and no saved state keeps that model;
      it is named by its position instead: "cell-<index>-output-<index>".
    """
    CoalesceStreamsPreprocessor().preprocess(notebook, {})
    notebook.metadata.pop("widgets", None)
    for cell_index, cell in enumerate(notebook.cells):
        for output_index, output in enumerate(cell.get("outputs", [])):
            view = output.get("data", {}).get(WIDGET_VIEW)
            if view:
                view["model_id"] = f"cell-{cell_index}-output-{output_index}"


def release(
    names: Sequence[str] | None = None,
    *,
    source: Path | None = None,
    target: Path | None = None,
    root: Path = ROOT,
    db_url: str | None = None,
) -> list[Path]:
    """Generate the student version of the named lessons (all of them by default).

    names:  lesson folder names in ``source`` (e.g. ["05_backprop"]); None for every lesson.
    source: folder of instructor notebooks; default ``root/solutions``.
    target: folder for the student notebooks; default ``root/lessons``. Each lesson's folder
            there is replaced as a whole, so files removed from the source disappear.
    root:   the course root whose ``nbgrader_config.py`` configures nbgrader.
    db_url: the gradebook that records the grade cells; default the course's gradebook.
    Returns the paths of the written notebooks, ``target/NAME/NAME.ipynb``, in order.
    """
    source = Path(source or root / "solutions").resolve()
    target = Path(target or root / "lessons").resolve()
    names = known_lessons(names, source)
    put_python_on_path()
    config = course_config(root)
    if db_url is not None:
        config.CourseDirectory.db_url = db_url
    written = []
    with tempfile.TemporaryDirectory(prefix="release-") as scratch:
        config.CourseDirectory.source_directory = str(source)
        config.CourseDirectory.release_directory = scratch
        coursedir = CourseDirectory(config=config)
        for name in names:
            coursedir.assignment_id = name
            generate = GenerateAssignment(coursedir=coursedir, config=config)
            generate.force = True
            generate.create_assignment = True
            result = capture_log(generate)
            if not result["success"]:
                raise ReleaseError(
                    f"nbgrader could not generate {name}:\n{result.get('error') or ''}"
                    f"\n{result.get('log') or ''}"
                )
            written.append(_write_lesson(source / name, Path(scratch) / name, target / name))
    return written


def _write_lesson(original: Path, generated: Path, destination: Path) -> Path:
    """Copy one generated lesson folder to ``destination``, normalising its notebooks.

    original:    the lesson's source folder, whose notebooks give the cell ids.
    generated:   the folder nbgrader wrote.
    destination: the lesson's folder in ``lessons/``; replaced as a whole.
    Returns the path of the lesson's own notebook, ``destination/NAME.ipynb``.
    """
    if destination.exists():
        shutil.rmtree(destination)
    for path in sorted(generated.rglob("*")):
        if path.is_dir():
            continue
        relative = path.relative_to(generated)
        copy = destination / relative
        copy.parent.mkdir(parents=True, exist_ok=True)
        if path.suffix == ".ipynb":
            # Read as plain JSON: nbformat would invent ids for the cells that lack them.
            cells = json.loads((original / relative).read_text(encoding="utf-8"))["cells"]
            notebook = nbformat.read(path, as_version=4)
            normalise(notebook, [cell.get("id") for cell in cells])
            nbformat.write(notebook, copy)
        else:
            shutil.copyfile(path, copy)
    return destination / f"{destination.name}.ipynb"
