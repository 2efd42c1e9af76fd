"""The course as a student's kernel sees it while it is graded: a generated copy.

The copy holds the kernel side of ``grader`` (not the instructor's tool) and ``nnlib`` with
every reference answer of the assignment's exercises replaced, in the source itself, by a
stub that says it is not available. Because the real source is not in the sandbox at all, a
submission cannot import, ``importlib`` or read its way to nnlib's answer to the exercise it
is graded on.
"""

from __future__ import annotations

import ast
import shutil
from pathlib import Path

import grader
import nnlib
from grader.tool import KERNEL_SIDE_EXCLUDES

STUB = (
    "{name} is not available while grading: this exercise asks you to write it yourself, "
    "so write it in your answer cell instead of calling nnlib's."
)


def build(destination: Path, references: set[str]) -> Path:
    """Write the copy to ``destination`` (created or replaced) and return it.

    references: dotted names "nnlib.module.name" or "nnlib.module.Class.method" to remove.
    Raises ValueError naming a reference that does not exist in nnlib's source.
    """
    destination = Path(destination)
    if destination.exists():
        shutil.rmtree(destination)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(Path(nnlib.__file__).parent, destination / "nnlib", ignore=ignore)
    kernel_side = shutil.ignore_patterns("__pycache__", "*.pyc", *KERNEL_SIDE_EXCLUDES)
    shutil.copytree(Path(grader.__file__).parent, destination / "grader", ignore=kernel_side)
    by_module: dict[str, set[str]] = {}
    for reference in references:
        parts = reference.split(".")
        if parts[0] != "nnlib" or len(parts) < 3:
            raise ValueError(f"reference {reference!r} should look like 'nnlib.module.name'")
        by_module.setdefault(parts[1], set()).add(".".join(parts[2:]))
    for module, names in sorted(by_module.items()):
        path = destination / "nnlib" / f"{module}.py"
        if not path.exists():
            raise ValueError(f"reference nnlib.{module}.* names a module nnlib does not have")
        path.write_text(without(path.read_text(), names, f"nnlib.{module}"))
    for path in destination.rglob("*"):
        path.chmod(0o755 if path.is_dir() else 0o644)
    destination.chmod(0o755)
    return destination


def without(source: str, names: set[str], module: str) -> str:
    """``source`` with each top-level "name" or "Class.method" replaced by a stub.

    source: Python source of one module.
    names:  what to replace.
    module: the module's dotted name, for the stub's message.
    Returns the new source; raises ValueError for a name it cannot find.
    """
    tree = ast.parse(source)
    found = set()
    for name in names:
        owner, _, attribute = name.rpartition(".")
        body = tree.body
        if owner:
            classes = [n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == owner]
            body = classes[0].body if classes else []
        for index, node in enumerate(body):
            if _defines(node, attribute):
                body[index] = _stub(attribute, f"{module}.{name}", node)
                found.add(name)
    missing = names - found
    if missing:
        raise ValueError(f"{module} does not define {', '.join(sorted(missing))}")
    return ast.unparse(ast.fix_missing_locations(tree)) + "\n"


def _defines(node: ast.stmt, name: str) -> bool:
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return node.name == name
    if isinstance(node, (ast.Assign, ast.AnnAssign)):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        return any(isinstance(t, ast.Name) and t.id == name for t in targets)
    return False


def _stub(name: str, dotted: str, original: ast.stmt) -> ast.stmt:
    message = STUB.format(name=dotted)
    if isinstance(original, ast.ClassDef):
        # A class keeps its name and bases, so subclasses still import, but cannot be built.
        code = f"class {name}:\n    def __init__(self, *args, **kwargs):\n"
        code += f"        raise RuntimeError({message!r})\n"
        stub = ast.parse(code).body[0]
        stub.bases = original.bases
        return stub
    return ast.parse(f"def {name}(*args, **kwargs):\n    raise RuntimeError({message!r})\n").body[0]
