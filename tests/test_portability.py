"""The student's side runs on Windows too: nnlib, the kernel side of grader and the lessons'
code cells import no Unix-only module and call no Unix-only function without a guard.

The instructor's tool (grader/tool/) is Linux-only by design: its sandbox is built from Linux
namespaces and resource limits. It is not scanned here.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import nbformat
import pytest

REPO = Path(__file__).resolve().parents[1]
# Standard-library modules that do not exist on Windows.
UNIX_ONLY_MODULES = {
    "resource", "fcntl", "pwd", "grp", "termios", "tty", "pty", "posix", "crypt", "spwd",
    "nis", "syslog", "curses", "readline",
}  # fmt: skip
# Functions and constants of modules that exist everywhere, but only on Unix.
UNIX_ONLY_NAMES = {
    "os": {
        "fork", "forkpty", "getuid", "geteuid", "getgid", "getegid", "setuid", "setgid",
        "setsid", "setpgrp", "getpgid", "killpg", "wait3", "wait4", "sysconf", "chown",
        "getloadavg", "mkfifo",
    },
    "signal": {
        "SIGKILL", "SIGALRM", "SIGHUP", "SIGUSR1", "SIGUSR2", "SIGCHLD", "SIGQUIT", "alarm",
        "setitimer", "pause",
    },
}  # fmt: skip


def unix_only(source: str) -> set[str]:
    """The Unix-only modules and names that Python ``source`` imports or uses directly
    (``getattr(os, "geteuid", ...)`` is a guard and is not counted)."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.split(".")[0] in UNIX_ONLY_MODULES}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            top = node.module.split(".")[0]
            if top in UNIX_ONLY_MODULES:
                found.add(node.module)
            found |= {
                f"{top}.{a.name}" for a in node.names if a.name in UNIX_ONLY_NAMES.get(top, ())
            }
        elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            if node.attr in UNIX_ONLY_NAMES.get(node.value.id, ()):
                found.add(f"{node.value.id}.{node.attr}")
    return found


def student_modules() -> list[Path]:
    """nnlib, and grader without the instructor's tool and its command line."""
    grader = [
        path
        for path in sorted((REPO / "grader").rglob("*.py"))
        if "tool" not in path.relative_to(REPO / "grader").parts and path.name != "__main__.py"
    ]
    return sorted((REPO / "nnlib").rglob("*.py")) + grader


def lesson_code(path: Path) -> str:
    """A lesson's code cells as one Python source, without IPython's % and ! lines."""
    notebook = nbformat.read(path, as_version=4)
    cells = [cell.source for cell in notebook.cells if cell.cell_type == "code"]
    return "\n".join(re.sub(r"(?m)^\s*[%!].*$", "", source) for source in cells)


def test_the_scan_finds_each_kind_of_unix_only_use():
    source = (
        "import resource\nfrom fcntl import flock\nimport os\nos.geteuid()\n"
        "from signal import SIGKILL\nimport signal\nsignal.alarm(1)\n"
        "getattr(os, 'getuid', None)\nos.getpid()\nsignal.SIGINT\n"
    )
    assert unix_only(source) == {
        "resource",
        "fcntl",
        "os.geteuid",
        "signal.SIGKILL",
        "signal.alarm",
    }


@pytest.mark.parametrize("path", student_modules(), ids=lambda p: str(p.relative_to(REPO)))
def test_student_modules_run_on_windows(path):
    assert unix_only(path.read_text(encoding="utf-8")) == set()


LESSONS = sorted((REPO / "lessons").glob("*/*.ipynb"))


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.stem)
def test_lessons_run_on_windows(path):
    assert unix_only(lesson_code(path)) == set()


def test_every_lesson_and_module_is_scanned():
    assert len(LESSONS) >= 10
    assert REPO / "grader" / "checks.py" in student_modules()
    assert not any("tool" in path.parts for path in student_modules())
