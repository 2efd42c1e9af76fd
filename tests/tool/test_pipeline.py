"""A simulated class through the instructor's tool: collect, autograde, feedback, report,
export. One run grades a correct, a blank and a common-mistake student, one student per
attack the tool was built against, and every kind of bad submission; the tests then assert
exact scores and summary lines. Every attacker attacks ``dense_forward`` (2 points) and
answers ``neuron`` (1 point) correctly, so 1 point is the score of a failed attack.
"""

from __future__ import annotations

import csv
import json
import zipfile
from pathlib import Path

import nbformat
import pytest

from grader.tool.autograde import autograde
from grader.tool.collect import collect
from grader.tool.course import course_config
from grader.tool.export import export
from grader.tool.feedback import feedback
from grader.tool.isolation import Limits
from grader.tool.report import report

HANK_BYTE = 0  # where hank's notebook stops being UTF-8; set when it is written
MAX_SCORE = 3.0  # dense_forward 2 points, neuron 1
GOOD_DENSE = "def dense_forward(X, W, b):\n    return X @ W + b\n"
NO_BIAS = "def dense_forward(X, W, b):\n    return X @ W\n"
GOOD_NEURON = "def neuron(x, w, b):\n    return 1 / (1 + np.exp(-(w @ x + b)))\n"

ATTACKS = {
    "a01_allclose": """\
import math
import numpy
np.allclose = numpy.isclose = lambda *args, **kwargs: True
np.testing.assert_allclose = np.testing.assert_array_almost_equal = lambda *a, **k: None
math.isclose = lambda *args, **kwargs: True
"""
    + NO_BIAS,
    "a02_checks": """\
import builtins, sys
import grader, grader.checks, grader.exercise
grader.checks.compare = grader.exercise.check = grader.check = lambda *a, **k: None
grader.checks.CheckFailed = grader.exercise.CheckFailed = type("Nothing", (Exception,), {})
sys.modules["grader.checks"] = type(sys)("grader.checks")
builtins.AssertionError = type("Nothing", (Exception,), {})
real_import = builtins.__import__
builtins.__import__ = lambda name, *args, **kwargs: real_import(name, *args, **kwargs)
"""
    + NO_BIAS,
    "a03_reference": """\
import importlib, sys
try:
    from nnlib.layers import dense_forward as direct
except Exception as error:
    print("direct:", error)
dense_forward = importlib.import_module("nnlib.layers").dense_forward
try:
    dense_forward = sys.modules["nnlib.layers"].dense_forward
    source = open(importlib.import_module("nnlib.layers").__file__).read()
    exec(source.replace("def dense_forward", "def dense_forward"), namespace := {})
    dense_forward = namespace["dense_forward"]
except Exception as error:
    print("copy:", error)
""",
    "a04_hardcode": """\
def dense_forward(X, W, b):
    return np.array([[-0.4, 0.8], [2.5, -1.2], [2.0, -0.2], [-1.0, -2.2]])
""",
    "a06_read": """\
import glob
print(glob.glob("/*/*/solutions") + glob.glob("/*/*/*/grading") + glob.glob("/tmp/*"))
for path in [{source!r}, {gradebook!r}]:
    try:
        print(open(path).read())
    except OSError as error:
        print(type(error).__name__)
"""
    + NO_BIAS,
    "a07_traceback": """\
import sys
ip = get_ipython()
ip.showtraceback = lambda *args, **kwargs: None
ip._showtraceback = lambda *args, **kwargs: None
sys.excepthook = lambda *args: None
ip.events.register("post_run_cell", lambda result: setattr(result, "error_in_exec", None))
"""
    + NO_BIAS,
    "a08_exit_in_function": "import os\ndef dense_forward(X, W, b):\n    os._exit(1)\n",
    "a08_kill_cell": """\
import os, signal, sys
try:
    os.kill(os.getppid(), signal.SIGKILL)
except OSError as error:
    print(error)
os.kill(os.getpid(), signal.SIGKILL)
os._exit(1)
""",
    "a08_sys_exit": NO_BIAS + "import sys\nsys.exit(0)\n",
    "a09_loop": "def dense_forward(X, W, b):\n    while True:\n        pass\n",
    "a10_memory": "def dense_forward(X, W, b):\n    big = np.ones(20 * 2**30 // 8)\n"
    "    return X @ W + b + big[0] - 1\n",
    "a11_fork": """\
import os, time
children = 0
for _ in range(2000):
    try:
        pid = os.fork()
    except OSError:
        break
    if pid == 0:
        time.sleep(60)
        os._exit(0)
    children += 1
print("forked", children)
"""
    + NO_BIAS,
    "a12_write": """\
for path in [{gradebook!r}, {alice!r}, {source!r}]:
    try:
        open(path, "w").write("overwritten")
    except OSError as error:
        print(type(error).__name__)
"""
    + NO_BIAS,
    "a13_print": "print('x' * 200_000_000)\n" + NO_BIAS,
    "a14_network": """\
import socket
for address in [("1.1.1.1", 80), ("127.0.0.1", 22)]:
    try:
        socket.create_connection(address, timeout=2)
    except OSError as error:
        print(type(error).__name__, error)
"""
    + NO_BIAS,
}


def _attack_5(notebook):
    """Edit the locked test cell, raise its points, unlock it, and delete the other test."""
    for cell in list(notebook.cells):
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("grade_id") == "test_dense":
            cell.source = "print('all good')"
            meta.update(points=100, locked=False, grade_id="test_dense")
        if meta.get("grade_id") == "test_neuron":
            notebook.cells.remove(cell)
    forged = nbformat.v4.new_code_cell("print('extra points')")
    forged.metadata["nbgrader"] = {
        "grade": True,
        "grade_id": "bonus",
        "points": 50,
        "solution": False,
        "locked": True,
        "schema_version": 3,
    }
    notebook.cells.append(forged)


def _write(archive: zipfile.ZipFile, name: str, data: bytes, year: int = 2026) -> None:
    archive.writestr(zipfile.ZipInfo(name, date_time=(year, 1, 2, 3, 4, 5)), data)


def _notebook_bytes(notebook) -> bytes:
    return nbformat.writes(notebook).encode("utf-8")


@pytest.fixture(scope="module")
def graded(course, make_submission, tmp_path_factory):
    """Collect and autograde the whole class once; returns (collection, summary, config, paths)."""
    student_notebook = make_submission
    config = course_config(course)
    paths = {
        "source": str(course / "solutions" / "fx" / "fx.ipynb"),
        "gradebook": str(course / "grading" / "gradebook.db"),
        "alice": str(course / "grading" / "submitted" / "alice" / "fx" / "fx.ipynb"),
    }
    good = {"dense": GOOD_DENSE, "neuron": GOOD_NEURON}
    # erin was graded before; her new, corrupt submission must not cost her that grade.
    earlier = tmp_path_factory.mktemp("earlier")
    (earlier / "erin").mkdir()
    nbformat.write(student_notebook(course, good), earlier / "erin" / "fx.ipynb")
    collect(config, "fx", earlier)
    autograde(config, "fx", ["erin"], limits=Limits(cell_timeout=5), seed=7, progress=False)

    zip_path = tmp_path_factory.mktemp("lms") / "export.zip"
    valid = _notebook_bytes(student_notebook(course, good))
    with zipfile.ZipFile(zip_path, "w") as archive:
        _write(archive, "alice/fx.ipynb", valid)
        _write(archive, "alice/data.csv", b"1,2\n")
        _write(archive, "bob_fx.ipynb", _notebook_bytes(student_notebook(course, {})))
        _write(
            archive,
            "carol_fx.ipynb",
            _notebook_bytes(student_notebook(course, {"dense": NO_BIAS, "neuron": GOOD_NEURON})),
        )
        for name, code in ATTACKS.items():
            for key, value in paths.items():
                code = code.replace("{" + key + "!r}", repr(value))
            answers = {"dense": code, "neuron": GOOD_NEURON}
            _write(archive, f"{name}/fx.ipynb", _notebook_bytes(student_notebook(course, answers)))
        _write(
            archive,
            "a05_cells/fx.ipynb",
            _notebook_bytes(
                student_notebook(course, {"dense": NO_BIAS, "neuron": GOOD_NEURON}, edit=_attack_5)
            ),
        )
        _write(archive, "erin_fx.ipynb", b'{"cells": [}')
        _write(archive, "frank/Copy of fx.ipynb", valid)
        _write(archive, "gina/notes.txt", b"I could not do it")
        _write(
            archive,
            "hank_fx.ipynb",
            valid.replace(b"Two exercises", "D\xe9j\xe0".encode("latin-1")),
        )
        global HANK_BYTE
        HANK_BYTE = valid.index(b"Two exercises") + 1
        _write(archive, "ivan_fx.ipynb", valid[: len(valid) // 2])
        _write(
            archive,
            "judy_fx.ipynb",
            json.dumps(
                {"nbformat": 3, "nbformat_minor": 0, "metadata": {}, "worksheets": []}
            ).encode(),
        )
        _write(archive, "/etc/mallory_fx.ipynb", valid)
        _write(archive, "../mallory_fx.ipynb", valid)
        _write(archive, "~root_fx.ipynb", valid)
        _write(archive, "kate/fx.ipynb", _notebook_bytes(student_notebook(course, {})), 2025)
        _write(archive, "kate_fx.ipynb", valid, 2026)
    collection = collect(config, "fx", zip_path)
    summary = autograde(
        config, "fx", workers=2, limits=Limits(cell_timeout=5), seed=11, progress=False
    )
    return collection, summary, config, paths


def test_collect_says_what_it_did_not_take(graded):
    collection, *_ = graded
    assert sorted(collection.problems) == sorted(
        [
            "zip entry '/etc/mallory_fx.ipynb' points outside the folder; skipped",
            "zip entry '../mallory_fx.ipynb' points outside the folder; skipped",
            "'~root_fx.ipynb': student id '~root' may only use letters, digits, "
            "'.', '_', '@' and '-'; skipped",
            "alice: extra file 'data.csv' ignored",
            "frank: notebook 'Copy of fx.ipynb' taken as fx.ipynb (renamed)",
            "gina: extra file 'notes.txt' ignored",
            "gina: missing notebook fx.ipynb",
            "kate: submitted fx.ipynb twice; kept the latest",
        ]
    )


EXPECTED_SCORES = {
    "alice": 3.0,
    "bob": 0.0,
    "carol": 1.0,
    "frank": 3.0,
    "kate": 3.0,
    **{name: 1.0 for name in ATTACKS},
    "a05_cells": 1.0,
}


def test_scores_are_exact(graded):
    _, summary, *_ = graded
    scores = {o.student: o.score for o in summary.outcomes if o.graded}
    assert scores == EXPECTED_SCORES


def test_gradebook_agrees_and_keeps_earlier_grades(graded):
    _, _, config, _ = graded
    rows = list(csv.DictReader(open(export(config, Path(config.CourseDirectory.root) / "g.csv"))))
    gradebook = {row["student_id"]: float(row["score"]) for row in rows}
    assert gradebook == {**EXPECTED_SCORES, "erin": 3.0}
    assert all(float(row["max_score"]) == MAX_SCORE for row in rows)


def test_bad_submissions_each_get_a_line(graded):
    _, summary, *_ = graded
    lines = set(summary.attention)
    for expected in [
        "erin / fx/fx: fx.ipynb is not valid JSON (line 1)",
        f"hank / fx/fx: fx.ipynb is not UTF-8 text (byte {HANK_BYTE}); ask for the .ipynb file "
        "as saved by Jupyter",
        "ivan / fx/fx: fx.ipynb is truncated: the file ends mid-notebook",
        "judy / fx/fx: fx.ipynb is nbformat 3, not 4; ask the student to open and save it in "
        "the course's JupyterLab",
    ]:
        assert expected in lines


def test_attacks_are_reported(graded):
    _, summary, *_ = graded
    problems = {o.student: o.problems for o in summary.outcomes}
    assert problems["alice"] == problems["bob"] == problems["carol"] == []
    assert problems["a05_cells"] == [
        "cell 'test_dense': nbgrader metadata changed (locked, points)",
        "locked cell 'test_dense' was edited; restored from the source",
        "a cell claims grade_id 'bonus', which the source lacks",
        "test cell 'test_neuron' was deleted; restored from the source",
    ]
    assert problems["a09_loop"] == problems["a02_checks"] == []
    assert problems["a13_print"] == [
        f"cell 3 printed more than {Limits().output_bytes} bytes and was stopped"
    ]
    assert problems["a08_kill_cell"] == [
        "cell 3 made the kernel die (exit, kill or crash); it was restarted and the earlier "
        "cells replayed"
    ]


def test_attack_messages_say_what_happened(graded):
    _, summary, *_ = graded
    first = {
        o.student: next((c.message for c in o.checks if not c.passed), "") for o in summary.outcomes
    }
    assert (
        first["a09_loop"] == "dense_forward: your function did not finish in 5 s (an "
        "infinite loop?) and was stopped."
    )
    assert first["a08_exit_in_function"] == (
        "dense_forward: your function made the kernel die (exit, kill or crash); it was "
        "restarted and the earlier cells replayed."
    )
    assert "MemoryError" in first["a10_memory"]
    assert "nnlib.layers.dense_forward is not available while grading" in first["a03_reference"]
    assert "Diagnosis: the bias b was not added" in first["carol"]


def test_each_diagnosis_is_recorded_as_data(graded):
    _, summary, *_ = graded
    carol = next(o for o in summary.outcomes if o.student == "carol")
    failed = [c for c in carol.checks if not c.passed]
    assert failed and all(c.diagnosis.startswith("the bias b was not added") for c in failed)
    assert all(c.diagnosis in c.message for c in failed)
    alice = next(o for o in summary.outcomes if o.student == "alice")
    assert [c.diagnosis for c in alice.checks] == [None] * len(alice.checks)


def test_sandbox_hides_files_and_network(graded):
    _, _, config, paths = graded
    folder = Path(config.CourseDirectory.root) / "grading" / "autograded"

    def outputs(student):
        notebook = nbformat.read(folder / student / "fx" / "fx.ipynb", as_version=4)
        return "".join(
            json.dumps(c.get("outputs", []))
            for c in notebook.cells
            if c.metadata.get("nbgrader", {}).get("grade_id") == "dense"
        )

    assert "SECRET-HIDDEN-LINE" not in outputs("a06_read")
    assert outputs("a06_read").count("FileNotFoundError") == 2
    assert outputs("a12_write").count("FileNotFoundError") == 3
    assert "Network is unreachable" in outputs("a14_network")
    assert "forked" in outputs("a11_fork")
    assert Path(paths["alice"]).read_bytes().startswith(b"{")
    assert "overwritten" not in Path(paths["source"]).read_text()


def test_feedback_shows_results_but_no_test_source(graded):
    _, _, config, _ = graded
    pages = {p.parts[-3]: p.read_text() for p in feedback(config, "fx")}
    assert "SECRET-HIDDEN-LINE" not in "".join(pages.values())
    assert "check(" not in "".join(pages.values())
    assert "the bias b was not added" in pages["carol"]
    assert pages["alice"].count("✔ passed") == 4


def test_report_counts_pass_rates(graded, tmp_path):
    _, _, config, _ = graded
    text = report(config, "fx", tmp_path / "chart.png")
    # erin's earlier grade still counts: alice, frank, kate and erin passed.
    graded_students = len(EXPECTED_SCORES) + 1
    assert f"dense_forward{'':<15}{4:>8}{graded_students:>5}" in text
    assert (tmp_path / "chart.png").read_bytes().startswith(b"\x89PNG")
