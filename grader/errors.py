"""An exception raised in the student's code, told as the student's line, the error, and what it
usually means.

``explain(function, error)`` words it; the last line is its diagnosis::

    dense_backward raised ValueError: matmul: Input operand 1 has a mismatch in its core ...
      at line 4 of your code: `dW = dZ @ X`
      Diagnosis: `dZ @ X` multiplies shapes (4, 3) and (4, 2): the inner sizes 3 and 4 must
      be equal. `dZ.T @ X` fits, with shape (3, 2).

The student's line is the last frame of the traceback outside numpy, nnlib and the grader.
Shapes in a matrix product are read from that frame's variables, for the operands a student
writes most (a name, a name's ``.T``, an attribute); nothing else of the student's code is
evaluated.
"""

from __future__ import annotations

import ast
import linecache
import re
import traceback
from pathlib import Path

import numpy as np

import grader
import nnlib

# Frames in these folders are not the student's: the student's line is the last frame outside.
_NOT_STUDENT = tuple(str(Path(package.__file__).parent) for package in (np, nnlib, grader)) + (
    str(Path(traceback.__file__).parent),
)

# What an error usually means, by a pattern of its message: (pattern, sentence).
_MEANINGS = [
    (
        r"only integer scalar arrays can be converted to a scalar index",
        "An array was used where Python wants one integer: a list indexed with an array, or "
        "range()/int() of an array. Use X.shape[0] for a count, or index a numpy array "
        "(np.asarray(...)[idx]) instead of a list.",
    ),
    (
        r"only integers, slices .* are valid indices|'float' object cannot be interpreted as an",
        "A float was used where Python wants an integer (an index, a size, or range()): `/` "
        "always gives a float, so use `//`, or int(...).",
    ),
    (
        r"axis (-?\d+) is out of bounds for array of dimension (\d+)",
        "In this course the batch is axis 0 (one row per example) and features or classes are "
        "axis 1; a 1-d array has only axis 0. Check the array's shape before summing over it.",
    ),
    (
        r"operands could not be broadcast together",
        "The two arrays' shapes do not line up element by element: look for a missing "
        "keepdims=True, a transposed array, or a vector that should be a column (v[:, None]).",
    ),
    (
        r"'generator' object is not subscriptable|object of type 'generator' has no len",
        "The batches come as a generator: loop over them with `for idx in batches:`, without "
        "indexing them or asking for their length.",
    ),
    (
        r"cannot unpack non-iterable|too many values to unpack|not enough values to unpack",
        "A function returned a different number of values from the one the code unpacks: "
        "check what it returns.",
    ),
    (
        r"'NoneType' object",
        "A value is None: a function you called does not `return` its result.",
    ),
]


def explain(function: str, error: BaseException) -> tuple[str, str | None]:
    """What to tell a student whose ``function`` raised ``error``.

    Returns (message, diagnosis). The message is "<function> raised <Error>: <its text>",
    then "at line N of your code: `<source>`". The diagnosis is what the error usually means
    and how to fix it (for a matrix product, the two shapes and the transpose that fits), a
    sentence without its final full stop; None when the error is not one of the usual ones.
    """
    lines = [f"{function} raised {type(error).__name__}: {error}"]
    frame = _student_frame(error)
    if frame is not None:
        source = linecache.getline(frame.f_code.co_filename, frame.f_lineno).strip()
        lines.append(f"at line {frame.f_lineno} of your code" + (f": `{source}`" if source else ""))
    meanings = _matmul_hint(frame) if frame is not None and _is_matmul_error(error) else []
    meanings += [meaning for pattern, meaning in _MEANINGS if re.search(pattern, str(error))]
    diagnosis = " ".join(meanings).removesuffix(".") if meanings else None
    return "\n  ".join(lines), diagnosis


def _student_frame(error: BaseException):
    """The innermost frame of the traceback that is the student's code, or None."""
    found = None
    tb = error.__traceback__
    while tb is not None:
        if not tb.tb_frame.f_code.co_filename.startswith(_NOT_STUDENT):
            found = tb.tb_frame
        tb = tb.tb_next
    return found


def _is_matmul_error(error: BaseException) -> bool:
    text = str(error)
    return "matmul" in text or "not aligned" in text or "core dimension" in text


def _matmul_hint(frame) -> list[str]:
    """For a failed `A @ B` on the student's line: both shapes, and which transpose fits."""
    source = linecache.getline(frame.f_code.co_filename, frame.f_lineno).strip()
    try:
        tree = ast.parse(source.rstrip(":"), mode="exec")
    except SyntaxError:
        return []
    for node in ast.walk(tree):
        operands = None
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.MatMult):
            operands = (node.left, node.right)
        elif isinstance(node, ast.Call) and ast.unparse(node.func) in ("np.dot", "np.matmul"):
            operands = tuple(node.args[:2]) if len(node.args) >= 2 else None
        if operands is None:
            continue
        arrays = [_value_of(operand, frame) for operand in operands]
        if not all(isinstance(a, np.ndarray) and a.ndim == 2 for a in arrays):
            continue
        (left, right), (a, b) = (ast.unparse(o) for o in operands), arrays
        if a.shape[1] == b.shape[0]:
            continue
        hint = (
            f"`{left} @ {right}` multiplies shapes {a.shape} and {b.shape}: the inner sizes "
            f"{a.shape[1]} and {b.shape[0]} must be equal."
        )
        for text, (x, y) in (
            (f"{_t(left)} @ {right}", (a.T, b)),
            (f"{left} @ {_t(right)}", (a, b.T)),
            (f"{right} @ {left}", (b, a)),
            (f"{_t(left)} @ {_t(right)}", (a.T, b.T)),
        ):
            if x.shape[1] == y.shape[0]:
                return [hint, f"`{text}` fits, with shape {(x.shape[0], y.shape[1])}."]
        return [hint]
    return []


def _t(text: str) -> str:
    """The transpose of an operand as written: X -> X.T, X.T -> X."""
    return text[: -len(".T")] if text.endswith(".T") else f"{text}.T"


def _value_of(node, frame):
    """The value of a name, an attribute of one (``self.W``, ``X.T``), from the frame, without
    running any of the student's code; None for anything else."""
    if isinstance(node, ast.Name):
        return frame.f_locals.get(node.id, frame.f_globals.get(node.id))
    if isinstance(node, ast.Attribute):
        owner = _value_of(node.value, frame)
        if isinstance(owner, np.ndarray):
            return owner.T if node.attr == "T" else None
        return None if owner is None else getattr(owner, "__dict__", {}).get(node.attr)
    return None
