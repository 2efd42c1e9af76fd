"""A small course to grade: one assignment, "fx", built in a temporary folder with the course's
own nbgrader configuration; and the sandbox's tool, bubblewrap, installed with apt-get when it
is missing and the tests run as root (as CI does).

The assignment has two graded exercises from the course's registry: ``dense_forward`` (2
points, with an nnlib reference that must be unavailable while grading) and ``neuron`` (1
point). ``student_notebook`` writes a submission from the released notebook with the answer
cells replaced.
"""

from __future__ import annotations

import fcntl
import importlib.util
import os
import shutil
import subprocess
from pathlib import Path

import nbformat
import pytest

from grader.tool.course import put_python_on_path
from grader.tool.release import release

REPO = Path(__file__).resolve().parents[2]


DENSE = """\
def dense_forward(X, W, b):
    ### BEGIN SOLUTION
    return X @ W + b
    ### END SOLUTION
"""
NEURON = """\
def neuron(x, w, b):
    ### BEGIN SOLUTION
    return 1 / (1 + np.exp(-(w @ x + b)))
    ### END SOLUTION
"""
TEST_DENSE = """\
from grader import check
check("dense_forward", dense_forward)
### BEGIN HIDDEN TESTS
check("dense_forward", dense_forward, hidden=True)  # SECRET-HIDDEN-LINE
### END HIDDEN TESTS
"""
TEST_NEURON = """\
check("neuron", neuron)
### BEGIN HIDDEN TESTS
check("neuron", neuron, hidden=True)
### END HIDDEN TESTS
"""


def _cell(kind: str, source: str, grade_id: str | None = None, **flags):
    cell = (
        nbformat.v4.new_code_cell(source)
        if kind == "code"
        else nbformat.v4.new_markdown_cell(source)
    )
    if grade_id:
        cell.metadata["nbgrader"] = {
            "grade_id": grade_id,
            "grade": flags.get("points") is not None,
            "solution": flags.get("solution", False),
            "locked": flags.get("locked", False),
            "schema_version": 3,
            "task": False,
            **({"points": flags["points"]} if flags.get("points") is not None else {}),
        }
    return cell


def source_notebook() -> nbformat.NotebookNode:
    """The instructor's version of fx.ipynb."""
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    notebook.cells = [
        _cell("markdown", "# A fixture\nTwo exercises.", "intro", locked=True),
        _cell("code", "import numpy as np", "setup", locked=True),
        _cell("code", DENSE, "dense", solution=True),
        _cell("code", TEST_DENSE, "test_dense", locked=True, points=2),
        _cell("code", NEURON, "neuron", solution=True),
        _cell("code", TEST_NEURON, "test_neuron", locked=True, points=1),
    ]
    return notebook


@pytest.fixture(scope="session", autouse=True)
def bubblewrap() -> str:
    """Debian's bubblewrap, which the sandbox is built on, installed with apt-get if missing."""
    if shutil.which("bwrap") is None:
        if os.geteuid() != 0:
            pytest.fail("bubblewrap is missing: install it with `sudo apt-get install bubblewrap`.")
        # Each xdist worker runs this fixture: one installs while the other waits, since apt
        # refuses to run twice at once.
        with open("/tmp/nn-course-apt.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if shutil.which("bwrap") is None:
                env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
                subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
                subprocess.run(
                    ["apt-get", "install", "-y", "-qq", "bubblewrap"], check=True, env=env
                )
    return shutil.which("bwrap")


def new_course(root: Path) -> Path:
    """Make ``root`` a course with solutions/fx, lessons/fx and a gradebook that knows fx."""
    shutil.copy(REPO / "nbgrader_config.py", root)
    (root / "solutions" / "fx").mkdir(parents=True)
    nbformat.write(source_notebook(), root / "solutions" / "fx" / "fx.ipynb")
    put_python_on_path()
    release(["fx"], root=root)
    return root


@pytest.fixture(scope="session")
def course(tmp_path_factory) -> Path:
    """A course root with solutions/fx, lessons/fx and a gradebook that knows fx."""
    return new_course(tmp_path_factory.mktemp("course"))


@pytest.fixture(scope="session")
def make_course():
    """The function new_course, for a test that needs a course of its own."""
    return new_course


@pytest.fixture(scope="session")
def make_submission():
    """The function student_notebook, for tests (pytest's importlib mode cannot import conftest)."""
    return student_notebook


def student_notebook(course: Path, answers: dict[str, str], edit=None) -> nbformat.NotebookNode:
    """The released fx notebook with answer cells replaced.

    answers: {"dense" or "neuron": new source of that answer cell}; others keep the stub.
    edit:    optional function(notebook) applied last, for attacks on the structure.
    """
    notebook = nbformat.read(course / "lessons" / "fx" / "fx.ipynb", as_version=4)
    for cell in notebook.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id in answers:
            cell.source = answers[grade_id]
    if edit is not None:
        edit(notebook)
    return notebook


def _sibling(name: str):
    """The module ``name``.py beside this file (pytest's importlib mode imports none)."""
    spec = importlib.util.spec_from_file_location(name, Path(__file__).with_name(f"{name}.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _services():
    return _sibling("services")


@pytest.fixture(scope="session")
def classroom():
    """``classroom.py``: a small class of the fixture assignment and its expected grades."""
    return _sibling("classroom")


@pytest.fixture(scope="session")
def postgres():
    """A PostgreSQL 15 server for the session (``services.PostgreSQL``), stopped at its end."""
    server = _services().PostgreSQL()
    yield server
    server.stop()


@pytest.fixture
def dask_cluster(tmp_path):
    """A function that starts a Dask scheduler with ``workers`` workers on 127.0.0.1
    (``services.DaskCluster``); every one it started is stopped by its pid after the test."""
    started = []

    def start(workers: int = 2):
        started.append(_services().DaskCluster(workers, log=tmp_path / f"dask{len(started)}.log"))
        return started[-1]

    yield start
    for cluster in started:
        cluster.stop()
