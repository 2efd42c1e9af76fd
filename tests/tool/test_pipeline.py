"""A simulated class through the instructor's tool: collect, autograde, feedback, report,
export. One run grades a correct, a blank and a common-mistake student, one student per
attack the tool was built against, and every kind of bad submission; the tests then assert
exact scores and summary lines, and that nothing outside the box changed. The whole class is
graded once in each containment mode that boxes the students' code, the modes at the same time,
each in a process of its own. ("limits-only" boxes nothing: there the attacks would succeed,
which is why it needs ``--unsafe``.)

Every attacker attacks ``dense_forward`` (2 points) and answers ``neuron`` (1 point)
correctly, so 1 point is the score of a failed attack (0 for the attacks that spend the
notebook's time budget before ``neuron`` is graded). The attacks are written the way a student
who read the tool's source would write them.
"""

from __future__ import annotations

import csv
import hashlib
import json
import multiprocessing
import os
import traceback
import zipfile
from pathlib import Path

import nbformat
import pytest

from grader.tool import autograde as autograde_module
from grader.tool import cli
from grader.tool import course as course_module
from grader.tool import report as report_module
from grader.tool.autograde import autograde
from grader.tool.collect import collect
from grader.tool.course import course_config
from grader.tool.export import export
from grader.tool.feedback import feedback
from grader.tool.isolation import Limits
from grader.tool.report import report

REPO = Path(__file__).resolve().parents[2]
LIMITS = Limits(
    cell_timeout=5,
    notebook_timeout=20,
    disk_bytes=16 * 2**20,
    disk_files=512,
    notebook_output_bytes=2**20,
    notebook_bytes=2**20,
)

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
    "a13_print": "print('x' * 20_000_000)\n" + NO_BIAS,
    "a14_network": """\
import socket
for address in [("1.1.1.1", 80), ("127.0.0.1", 22)]:
    try:
        socket.create_connection(address, timeout=2)
    except OSError as error:
        print(type(error).__name__, error)
"""
    + NO_BIAS,
    # The grader once wrote connection.json into the kernel's home on a restart, and chowned
    # it as root: links at every path it used, then a kill to force the restart.
    "a15_links": NO_BIAS
    + """\
import os, signal
for name in ["connection.json", "kernel.json", ".ipython/profile_default/security/kernel.json"]:
    for target in [{gradebook!r}, {alice!r}, {source!r}, "/proc/self/cwd/grading/gradebook.db"]:
        os.makedirs(os.path.dirname(name) or ".", exist_ok=True)
        try:
            os.remove(name)
        except OSError:
            pass
        os.symlink(target, name)
for name in os.listdir("/run/kernel"):
    os.remove(f"/run/kernel/{name}")
    os.symlink({gradebook!r}, f"/run/kernel/{name}")
os.kill(os.getpid(), signal.SIGKILL)
""",
    # The classic chroot escape, then the real nnlib and the solutions from the host.
    "a16_chroot": """\
import os, sys
os.makedirs("jail", exist_ok=True)
try:
    os.chroot("jail")
    for _ in range(64):
        os.chdir("..")
    os.chroot(".")
except OSError as error:
    print("chroot:", error.strerror)
for path in [{source!r}, {gradebook!r}, {repo!r}]:
    print(os.path.exists(path))
sys.path.insert(0, {repo!r})
try:
    from nnlib.layers import dense_forward
except Exception as error:
    print(type(error).__name__)
"""
    + NO_BIAS,
    # A thread that prints every 50 ms, then an infinite loop: the grader must not wait for
    # the output to stop.
    "a17_chatter": """\
import threading, time
def chatter():
    while True:
        print("still here", flush=True)
        time.sleep(0.05)
threading.Thread(target=chatter, daemon=True).start()
def dense_forward(X, W, b):
    while True:
        pass
""",
    # A Jupyter message holding a 5,000-digit integer, which the grader's JSON cannot parse.
    "a18_bigint": NO_BIAS
    + """\
import sys
from IPython.display import display
sys.set_int_max_str_digits(0)
display({"application/json": {"n": 10**5000}}, raw=True)
""",
    # A forged reply, carrying the request's nonce, with an array of shape [0, 10**30]; the
    # genuine reply is suppressed.
    "a19_frame": """\
import inspect, json
from IPython.display import display
def dense_forward(X, W, b):
    frame = inspect.currentframe()
    while "nonce" not in frame.f_locals:
        frame = frame.f_back
    nonce = frame.f_locals["nonce"]
    forged = {"__ndarray__": "<f8", "shape": [0, 10**30], "data": ""}
    reply = json.dumps({"nonce": nonce, "results": [{"outputs": forged}]})
    publisher = get_ipython().display_pub
    display({"application/x-nn-course-outputs+json": reply}, raw=True)
    real = publisher.publish
    def once(*args, **kwargs):
        publisher.publish = real
    publisher.publish = once
    return X @ W
""",
    # Fill the writable area: many files, then one large file.
    "a20_disk": NO_BIAS
    + """\
for n in range(20_000):
    try:
        open(f"f{n}", "w").close()
    except OSError:
        break
import os
for n in range(20_000):
    try:
        os.remove(f"f{n}")
    except OSError:
        break
with open("/tmp/big", "wb") as file:
    for _ in range(1024):
        file.write(bytes(2**20))
""",
    # PyTorch's autograd would answer every backward pass.
    "a21_torch": """\
try:
    import torch
    print("torch", torch.__version__)
except ImportError as error:
    print(error)
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


def _code(source: str):
    return nbformat.v4.new_code_cell(source)


def _duplicate_id(notebook):
    """A second cell carrying the dense test cell's grade_id, just after it."""
    index = next(
        n
        for n, c in enumerate(notebook.cells)
        if c.metadata.get("nbgrader", {}).get("grade_id") == "test_dense"
    )
    copy = _code("print('graded twice')")
    copy.metadata["nbgrader"] = dict(notebook.cells[index].metadata["nbgrader"])
    notebook.cells.insert(index + 1, copy)


def _replays(notebook):
    """Cells that each take most of the cell timeout, then a kill that replays them all."""
    sleeps = [_code("import time\ntime.sleep(4)") for _ in range(3)]
    notebook.cells[3:3] = [*sleeps, _code("import os, signal\nos.kill(os.getpid(), 9)")]


def _many_outputs(notebook):
    """40 cells at the end, each printing 100 kB: far below the cap per cell."""
    notebook.cells += [_code("print('x' * 100_000)") for _ in range(40)]


ESCAPES = "\x1b[2J\x1b[H\x1b]52;c;cm0gLXJmIH4=\x07\x1b]8;;http://evil.example\x07click\x1b]8;;\x07"


def _bad_output_type(notebook):
    """An output whose type is a string of terminal escapes, which nbformat's message quotes."""
    notebook.cells[2].outputs = [nbformat.from_dict({"output_type": ESCAPES, "text": "x"})]


def _write(archive: zipfile.ZipFile, name: str, data: bytes, year: int = 2026) -> None:
    archive.writestr(zipfile.ZipInfo(name, date_time=(year, 1, 2, 3, 4, 5)), data)


def _notebook_bytes(notebook) -> bytes:
    return nbformat.writes(notebook).encode("utf-8")


def _checksums(*folders: Path) -> dict[str, str]:
    """sha256 of every file under ``folders``, by path."""
    return {
        str(path): hashlib.sha256(path.read_bytes()).hexdigest()
        for folder in folders
        for path in sorted(folder.rglob("*"))
        if path.is_file() and "__pycache__" not in path.parts
    }


class _CourseCopyWatch:
    """Records the checksums of each course copy autograde builds, when it is built and each
    time an outcome is saved (the copy is deleted when the run ends)."""

    def __init__(self):
        self.copies: list[Path] = []
        self.seen: list[dict[str, str]] = []
        self.build = autograde_module.shadow.build
        self.save = autograde_module.save

    def built(self, destination, references):
        copy = self.build(destination, references)
        self.copies.append(copy)
        self.seen.append(_checksums(copy))
        return copy

    def saved(self, coursedir, outcome):
        self.seen += [_checksums(copy) for copy in self.copies]
        return self.save(coursedir, outcome)


def _forked(function, *args):
    """Start ``function(*args)`` in a forked process of its own; returns a function that
    waits for its result (or raises with the child's traceback).

    A process, not a thread: nbgrader's gradebook code is not safe to run in two threads.
    """
    context = multiprocessing.get_context("fork")
    receiving, sending = context.Pipe(duplex=False)

    def child():
        try:
            sending.send((True, function(*args)))
        except BaseException:
            sending.send((False, traceback.format_exc()))

    process = context.Process(target=child)
    process.start()

    def result():
        done, value = receiving.recv()
        process.join()
        if not done:
            raise RuntimeError(f"grading the class failed:\n{value}")
        return value

    return result


MODES = ["namespaces", "user-namespace"]


@pytest.fixture(scope="module")
def classes(make_course, make_submission, tmp_path_factory) -> dict:
    """The class graded in each mode, the two at the same time (a run spends most of its time
    waiting for timeouts and budgets, which then overlap); {mode: what ``graded`` returns}."""
    global HANK_BYTE
    courses = {mode: make_course(tmp_path_factory.mktemp(f"course-{mode}")) for mode in MODES}
    folders = {mode: tmp_path_factory.mktemp(f"class-{mode}") for mode in MODES}
    runs = {
        mode: _forked(_grade_class, mode, courses[mode], make_submission, folders[mode])
        for mode in MODES
    }
    graded = {mode: run() for mode, run in runs.items()}
    HANK_BYTE = graded[MODES[0]][-1]
    return {mode: result[:-1] for mode, result in graded.items()}


@pytest.fixture(scope="module", params=MODES)
def graded(request, classes):
    """The class collected and autograded in one containment mode, on a course of its own:
    (collection, summary, config, paths, checksums before, checksums after, the course copy's
    checksums as seen during the run, the expected scores)."""
    return classes[request.param]


def _grade_class(mode, course, student_notebook, folder):
    """Collect and autograde the whole class in ``mode``, with ``folder`` for the LMS's
    files; returns what ``graded`` does, then where hank's notebook stops being UTF-8."""
    config = course_config(course)
    paths = {
        "source": str(course / "solutions" / "fx" / "fx.ipynb"),
        "gradebook": str(course / "grading" / "gradebook.db"),
        "alice": str(course / "grading" / "submitted" / "alice" / "fx" / "fx.ipynb"),
        "repo": str(REPO),
    }
    good = {"dense": GOOD_DENSE, "neuron": GOOD_NEURON}
    # erin was graded before; her new, corrupt submission must not cost her that grade.
    earlier = folder / "earlier"
    (earlier / "erin").mkdir(parents=True)
    nbformat.write(student_notebook(course, good), earlier / "erin" / "fx.ipynb")
    collect(config, "fx", earlier)
    autograde(config, "fx", ["erin"], limits=LIMITS, seed=7, progress=False, mode=mode)

    zip_path = folder / "export.zip"
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
        failed_attack = {"dense": NO_BIAS, "neuron": GOOD_NEURON}
        for name, edit in STRUCTURE_ATTACKS.items():
            notebook = student_notebook(course, failed_attack, edit=edit)
            _write(archive, f"{name}/fx.ipynb", _notebook_bytes(notebook))
        escapes = f"def dense_forward(X, W, b):\n    raise ValueError({ESCAPES!r})\n"
        notebook = student_notebook(course, {"dense": escapes, "neuron": GOOD_NEURON})
        _write(archive, "a26_escapes/fx.ipynb", _notebook_bytes(notebook))
        notebook = student_notebook(course, failed_attack, edit=_bad_output_type)
        _write(archive, "lena/fx.ipynb", _notebook_bytes(notebook))
        # Incompressible, so that only the notebook size limit refuses it.
        padding = hashlib.shake_256(b"seed").hexdigest(2**20)
        notebook = student_notebook(course, failed_attack)
        notebook.cells[0].source += "\n" + padding
        _write(archive, "mike/fx.ipynb", _notebook_bytes(notebook))
        _write(archive, "erin_fx.ipynb", b'{"cells": [}')
        _write(archive, "frank/Copy of fx.ipynb", valid)
        _write(archive, "gina/notes.txt", b"I could not do it")
        _write(
            archive,
            "hank_fx.ipynb",
            valid.replace(b"Two exercises", "D\xe9j\xe0".encode("latin-1")),
        )
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
    # Put in the submitted folder by hand: a zip of it would look like a zip bomb.
    nina = course / "grading" / "submitted" / "nina" / "fx"
    nina.mkdir(parents=True)
    (nina / "fx.ipynb").write_text('{"cells": ' + "[" * 100_000 + "]" * 100_000 + "}")
    watched = [course / "solutions", course / "lessons", course / "grading" / "submitted"]
    before = _checksums(*watched)
    students, expected = None, EXPECTED_SCORES
    if mode == "user-namespace" and os.geteuid() == 0:
        # Run as root, this mode's kernels are root's processes on the host, which
        # RLIMIT_NPROC does not hold: the fork bomb is graded as a real user, in
        # test_unprivileged.py, instead.
        expected = {name: score for name, score in EXPECTED_SCORES.items() if name != "a11_fork"}
        students = sorted(
            p.name for p in (course / "grading" / "submitted").iterdir() if p.name != "a11_fork"
        )
    watch = _CourseCopyWatch()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(autograde_module.shadow, "build", watch.built)
        patch.setattr(autograde_module, "save", watch.saved)
        summary = autograde(
            config, "fx", students, workers=2, limits=LIMITS, seed=11, progress=False, mode=mode
        )
    after = _checksums(*watched)
    hank_byte = valid.index(b"Two exercises") + 1
    return collection, summary, config, paths, before, after, watch.seen, expected, hank_byte


STRUCTURE_ATTACKS = {
    "a05_cells": _attack_5,
    "a22_twice": _duplicate_id,
    "a23_replays": _replays,
    "a24_outputs": _many_outputs,
}


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
    **{name: 1.0 for name in STRUCTURE_ATTACKS},
    "a23_replays": 0.0,  # the budget ran out before either test cell
    "a26_escapes": 1.0,
}


def test_scores_are_exact(graded):
    _, summary, *_, expected = graded
    scores = {o.student: o.score for o in summary.outcomes if o.graded}
    assert scores == expected


def test_gradebook_agrees_and_keeps_earlier_grades(graded):
    _, _, config, *_, expected = graded
    rows = list(csv.DictReader(open(export(config, Path(config.CourseDirectory.root) / "g.csv"))))
    gradebook = {row["student_id"]: float(row["score"]) for row in rows}
    # A student left out of the run (see the fixture) is not in the gradebook with a score.
    left_out = set(EXPECTED_SCORES) - set(expected)
    assert {k: v for k, v in gradebook.items() if k not in left_out} == {**expected, "erin": 3.0}
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
        "mike / fx/fx: fx.ipynb is larger than 1 MiB (--max-notebook-mib); ask for the notebook "
        "with its outputs cleared",
        "nina / fx/fx: fx.ipynb nests its JSON too deeply to be a notebook",
    ]:
        assert expected in lines
    [lena] = [line for line in lines if line.startswith("lena")]
    assert lena.startswith("lena / fx/fx: fx.ipynb is not a valid notebook: ")


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
    assert problems["a02_checks"] == problems["a26_escapes"] == []
    loop = (
        "check dense_forward: the function did not finish in 5 s (an infinite loop?) and was "
        "stopped"
    )
    assert problems["a09_loop"] == problems["a17_chatter"] == [loop]
    assert problems["a13_print"] == [
        f"cell 3 printed more than {Limits().output_bytes} bytes and was stopped"
    ]
    died = (
        "made the kernel die (exit, kill or crash); it was restarted and the earlier cells replayed"
    )
    assert problems["a08_kill_cell"] == problems["a15_links"] == [f"cell 3 {died}"]
    assert problems["a18_bigint"] == ["cell 3 sent 1 messages that could not be read; dropped"]
    assert problems["a20_disk"] == [
        "cell 3 filled its writable area of 16 MiB or 512 files (--disk-mib, --disk-files)"
    ]
    assert problems["a22_twice"] == [
        "cell 5 repeats grade_id 'test_dense'; it is graded as a plain cell"
    ]
    # Cell 7 killed the kernel; the replay that followed ran out of time.
    assert problems["a23_replays"] == [
        "the notebook used up its 20 s budget (restarts and replays included); grading stopped",
    ]
    assert problems["a24_outputs"] == [
        "outputs from cell 17 on were dropped: the notebook's kept output reached 1048576 bytes"
    ]
    # The forged frame is refused by the wire format like any malformed message, and the real
    # reply was suppressed: the check fails for want of an answer, and nothing else happens.
    assert problems["a19_frame"] == []
    frame = next(o for o in summary.outcomes if o.student == "a19_frame")
    assert next(c.message for c in frame.checks if not c.passed) == (
        "dense_forward: no answer came back from your code (did it change the display?)."
    )


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
    _, summary, config, paths, *_, expected = graded
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
    if "a11_fork" in expected:
        # The fork loop ends at the process limit; on a loaded machine it may first reach the
        # cell's timeout, which stops it just as well.
        [fork] = [o for o in summary.outcomes if o.student == "a11_fork"]
        stopped = ["cell 3 did not finish in 5 s (an infinite loop?) and was stopped"]
        assert "forked" in outputs("a11_fork") or fork.problems == stopped
    assert Path(paths["alice"]).read_bytes().startswith(b"{")
    assert "overwritten" not in Path(paths["source"]).read_text()
    assert outputs("a16_chroot").count("Operation not permitted") == 1
    assert outputs("a16_chroot").count("False") == 3
    assert "No module named 'torch'" in outputs("a21_torch")


def test_nothing_outside_the_box_changed(graded):
    *_, before, after, course_copy, _ = graded
    assert before and after == before
    assert len(course_copy) > 1 and all(seen == course_copy[0] for seen in course_copy)


def test_every_graded_notebook_keeps_a_bounded_output(graded):
    _, _, config, *_ = graded
    folder = Path(config.CourseDirectory.root) / "grading" / "autograded"
    sizes = {p.parts[-3]: p.stat().st_size for p in folder.glob("*/fx/fx.ipynb")}
    # The kept outputs, plus the notebook itself and the verdicts.
    assert max(sizes.values()) < LIMITS.notebook_output_bytes + 2**16


def test_the_terminal_gets_no_escape_sequence_from_students(graded, capsys, monkeypatch):
    _, _, config, *_ = graded
    monkeypatch.setattr(course_module, "course_config", lambda db=None: config)
    # The report of the one student whose exception text is made of escape sequences.
    every = report_module.load_results
    monkeypatch.setattr(
        report_module,
        "load_results",
        lambda *args: [r for r in every(*args) if r["student"] == "a26_escapes"],
    )
    assert cli.main(["report", "fx"]) == 0
    report_text = capsys.readouterr().out
    assert cli.main(["autograde", "fx", "lena", "--timeout", "5"]) == 1
    summary_text = capsys.readouterr().out
    for shown in (report_text, summary_text):
        assert "\x1b" not in shown and "\x07" not in shown and "\\x1b]" in shown


def test_feedback_shows_results_but_no_test_source(graded):
    _, _, config, *_ = graded
    pages = {p.parts[-3]: p.read_text() for p in feedback(config, "fx")}
    assert "SECRET-HIDDEN-LINE" not in "".join(pages.values())
    assert "check(" not in "".join(pages.values())
    assert "the bias b was not added" in pages["carol"]
    assert pages["alice"].count("✔ passed") == 4


def test_report_counts_pass_rates(graded, tmp_path):
    _, _, config, *_, expected = graded
    text = report(config, "fx", tmp_path / "chart.png")
    # erin's earlier grade still counts: alice, frank, kate and erin passed.
    graded_students = len(expected) + 1
    assert f"dense_forward{'':<15}{4:>8}{graded_students:>5}" in text
    assert (tmp_path / "chart.png").read_bytes().startswith(b"\x89PNG")
