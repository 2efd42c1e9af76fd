"""The shape of the code: which side imports which, how long a module may grow, and no text
that points to documents outside the repository."""

from __future__ import annotations

import ast
import re
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
MAX_LINES = 300


def imports(path: Path) -> set[str]:
    """The absolute module names a Python file imports."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
            names |= {f"{node.module}.{alias.name}" for alias in node.names}
    return names


def kernel_side() -> list[Path]:
    """The grader modules that run in a student's kernel: all but the tool and __main__."""
    return [
        path
        for path in sorted((REPO / "grader").rglob("*.py"))
        if "tool" not in path.relative_to(REPO / "grader").parts and path.name != "__main__.py"
    ]


def test_nnlib_imports_nothing_from_grader():
    for path in sorted((REPO / "nnlib").rglob("*.py")):
        offending = {name for name in imports(path) if name.split(".")[0] == "grader"}
        assert not offending, f"{path.relative_to(REPO)} imports {offending}"


def test_the_kernel_side_imports_nothing_from_the_tool():
    assert len(kernel_side()) > 10
    for path in kernel_side():
        offending = {name for name in imports(path) if name.startswith("grader.tool")}
        offending |= {name for name in imports(path) if name.split(".")[0] == "nbgrader"}
        assert not offending, f"{path.relative_to(REPO)} imports {offending}"


@pytest.mark.parametrize(
    "path", sorted((REPO / "grader").rglob("*.py")), ids=lambda p: str(p.relative_to(REPO))
)
def test_no_grader_module_is_long(path):
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{path.relative_to(REPO)} has {lines} lines; split it by concept"


# Pointers to documents that live outside the repository: the course's design brief, its
# source files by number, the tracker's issues.
OUTSIDE = re.compile(r"COURSE\.md|DEVELOPERS\.md|\bseeds?/|\bseed 0\d\d\b|\bissues? #?\d+\b")


def test_no_text_points_outside_the_repository():
    tracked = subprocess.run(
        ["git", "ls-files"], cwd=REPO, capture_output=True, text=True, check=True
    ).stdout.split()
    found = []
    for name in tracked:
        path = REPO / name
        if not path.is_file() or path.suffix in {".png", ".db", ".zip"}:
            continue
        text = path.read_text(encoding="utf-8", errors="ignore")
        found += [f"{name}: {m.group(0)!r}" for m in OUTSIDE.finditer(text)]
    assert not found, "\n".join(found)


def test_the_documented_exercise_is_the_real_one():
    doc = (REPO / "docs" / "architecture.md").read_text(encoding="utf-8")
    example = doc.split("A real exercise,")[1].split("```python\n")[1].split("```")[0]
    assert example.strip() in (REPO / "grader" / "exercises" / "l05_backprop.py").read_text()
