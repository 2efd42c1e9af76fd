"""The Gradescope autograder, played through Gradescope's harness on this machine.

A temporary root stands for ``/autograder``: the zip is unpacked into ``source/``,
``setup.sh`` runs its install step against the course's pins (into a venv that already holds
them, hard-linked from this one, with the package index switched off, so that nothing is
downloaded), and ``run_autograder`` grades one submission at a time, as Gradescope does:
correct, blank, mistaken, attacking, and one in a container that refuses namespaces.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import nbformat
import pytest

from grader.tool.gradescope import build

GOOD = {
    "dense": "def dense_forward(X, W, b):\n    return X @ W + b\n",
    "neuron": "def neuron(x, w, b):\n    return 1 / (1 + np.exp(-(w @ x + b)))\n",
}
NO_BIAS = {**GOOD, "dense": "def dense_forward(X, W, b):\n    return X @ W\n"}
# Writes full marks where Gradescope reads them (RESULTS: the harness's path, filled in by
# ``grade``), now and when the kernel exits, and answers dense_forward wrongly.
ATTACK = {
    **GOOD,
    "dense": """\
import atexit, json
def _claim():
    for path in ("/autograder/results/results.json", RESULTS):
        try:
            with open(path, "w") as f:
                json.dump({"score": 100, "tests": []}, f)
        except OSError:
            pass
_claim()
atexit.register(_claim)
def dense_forward(X, W, b):
    return X @ W
""",
}
# Not in the harness venv: large, and not among the course's requirements.
SKIP = ("torch", "torchgen", "functorch", "__editable__", "nn_course", "__pycache__")


@pytest.fixture(scope="module")
def harness(course, tmp_path_factory):
    """A Gradescope root after ``setup.sh``; returns it."""
    root = tmp_path_factory.mktemp("gradescope") / "autograder"
    names = build("fx", root.parent / "autograder.zip", root=course)
    assert names[:3] == ["setup.sh", "run_autograder", "requirements.txt"]
    assert not any(name.endswith(".ipynb") and "/solutions/" in name for name in names)
    with zipfile.ZipFile(root.parent / "autograder.zip") as archive:
        archive.extractall(root / "source")
    base = Path(sys._base_executable)
    subprocess.run([base, "-m", "venv", "--without-pip", root / "venv"], check=True)
    ours = Path(sysconfig.get_paths()["purelib"])
    theirs = root / "venv" / ours.relative_to(sys.prefix)
    for entry in ours.iterdir():
        if not entry.name.startswith(SKIP) and not entry.name.startswith("torch"):
            subprocess.run(["cp", "-al", entry, theirs], check=True)
    environment = {**os.environ, "AUTOGRADER_ROOT": str(root), "PYTHON": str(base)}
    setup = subprocess.run(
        ["bash", root / "source" / "setup.sh"],
        env={**environment, "PIP_NO_INDEX": "1"},
        capture_output=True,
        text=True,
    )
    assert setup.returncode == 0, setup.stderr
    return root


def grade(root: Path, course: Path, make_submission, answers: dict, path: str | None = None):
    """Run the autograder on one submission; returns results.json as a dict."""
    shutil.rmtree(root / "submission", ignore_errors=True)
    shutil.rmtree(root / "results", ignore_errors=True)
    (root / "submission").mkdir()
    results = repr(str(root / "results" / "results.json"))
    answers = {cell: f"RESULTS = {results}\n{code}" for cell, code in answers.items()}
    nbformat.write(make_submission(course, answers), root / "submission" / "fx.ipynb")
    environment = {**os.environ, "AUTOGRADER_ROOT": str(root), "AUTOGRADER_SEED": "5"}
    if path is not None:
        environment["PATH"] = path
    run = subprocess.run(
        ["bash", root / "source" / "run_autograder"],
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr
    return json.loads((root / "results" / "results.json").read_text())


def _test(name, score, max_score, output, hidden=False):
    return {
        "name": name,
        "score": score,
        "max_score": max_score,
        "output": output,
        "visibility": "after_published" if hidden else "visible",
    }


BOXED = "The notebook ran in the sandbox (namespaces mode)."
LIMITED = (
    "This container refused the sandbox's namespaces, so the notebook ran with resource "
    "limits only (limits-only mode); the container is the boundary."
)
CASE = "  [dense_forward, case 1 of 1 (4 examples, 3 inputs, 2 units)]"
NEURON_CASE = "  [neuron, case 1 of 1 (x = [1, 2, -1], w = [0.5, -0.25, 1], b = 0.5)]"
NEURON = [
    _test("fx: test_neuron: neuron (visible)", 0.5, 0.5, "passed"),
    _test("fx: test_neuron: neuron (hidden)", 0.5, 0.5, "passed", hidden=True),
]
FULL = [
    _test("fx: test_dense: dense_forward (visible)", 1.0, 1.0, "passed"),
    _test("fx: test_dense: dense_forward (hidden)", 1.0, 1.0, "passed", hidden=True),
    *NEURON,
]
# A cell stops at its first failing check, so a failing visible check carries the cell.
NO_BIAS_DENSE = _test(
    "fx: test_dense: dense_forward (visible)",
    0.0,
    2.0,
    "Z is wrong at index (2, 1): expected -0.2, got 0.\n"
    "  shape (4, 2) (expected (4, 2)); relative error 1.00e+00, threshold 1e-07.\n"
    "  Diagnosis: the bias b was not added: this is X @ W.\n" + CASE,
)


def _results(score: float, tests: list, output: str = BOXED) -> dict:
    return {"score": score, "output": output, "stdout_visibility": "hidden", "tests": tests}


def limits_only_path(folder: Path) -> str:
    """A PATH without unshare and bwrap, as in a container that has neither."""
    (folder / "bin").mkdir(exist_ok=True)
    if not (folder / "bin" / "bash").exists():
        os.symlink(shutil.which("bash"), folder / "bin" / "bash")
    return str(folder / "bin")


def test_a_correct_notebook_gets_every_point(harness, course, make_submission):
    assert grade(harness, course, make_submission, GOOD) == _results(3.0, FULL)


def test_a_blank_notebook_gets_none_and_says_why(harness, course, make_submission):
    stub = (
        ": not written yet. Replace the `raise NotImplementedError()` line in the answer cell "
        "with your code, run that cell, then run this one.\n"
    )
    assert grade(harness, course, make_submission, {}) == _results(
        0.0,
        [
            _test(
                "fx: test_dense: dense_forward (visible)", 0.0, 2.0, "dense_forward" + stub + CASE
            ),
            _test("fx: test_neuron: neuron (visible)", 0.0, 1.0, "neuron" + stub + NEURON_CASE),
        ],
    )


def test_a_mistake_loses_its_cell_with_the_diagnosis(harness, course, make_submission):
    assert grade(harness, course, make_submission, NO_BIAS) == _results(
        1.0, [NO_BIAS_DENSE, *NEURON]
    )


@pytest.mark.parametrize("boxed", [True, False], ids=["namespaces", "limits-only"])
def test_an_attack_on_the_results_file_changes_nothing(
    harness, course, make_submission, tmp_path, boxed
):
    path = None if boxed else limits_only_path(tmp_path)
    assert grade(harness, course, make_submission, ATTACK, path=path) == _results(
        1.0, [NO_BIAS_DENSE, *NEURON], BOXED if boxed else LIMITED
    )


def test_a_container_without_namespaces_grades_in_limits_only_mode_and_says_so(
    harness, course, make_submission, tmp_path
):
    results = grade(harness, course, make_submission, GOOD, path=limits_only_path(tmp_path))
    assert results == _results(3.0, FULL, LIMITED)
