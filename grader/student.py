"""Running the student's function on one case: what it returned, or a failure a student can act on.

``run_student(exercise, fn, case)`` is the only place where the student's code runs, in the
student's kernel (through ``check``) and in the autograder's kernel (through
``grader.protocol.answer``) alike. It

- hands the function its own copy of the inputs and, after the call, compares that copy with
  the original: a function that changed an argument in place fails, with the argument's name
  and the usual line of thinking behind it (``dZ = dA`` makes both names point to one array);
- turns an exception raised inside the student's function into the student's line, the error,
  and what that error usually means (``grader.errors`` words it);
- records numpy's warnings instead of printing them: nbgrader scores any output on stderr as
  a failure, and a correct answer that makes numpy warn must keep its points.
"""

from __future__ import annotations

import copy
import warnings
from typing import Any

import numpy as np

from grader.checks import CheckFailed, failure
from grader.errors import explain


def run_student(exercise, fn, case) -> Any:
    """Call ``exercise.call(fn, inputs)`` on a copy of ``case.inputs``.

    exercise: the Exercise (its ``name`` and ``call``).
    fn:       the student's function.
    case:     the Case; its inputs are left unchanged whatever the function does.
    Returns what ``call`` returned; raises CheckFailed when the function is not written yet,
    raised an exception, or changed one of its arguments.
    """
    __tracebackhide__ = True
    handed = copy.deepcopy(case.inputs)
    with warnings.catch_warnings(record=True):
        warnings.simplefilter("always")
        try:
            outputs = exercise.call(fn, handed)
        except NotImplementedError:
            raise CheckFailed(
                f"{exercise.name}: not written yet. Replace the `raise NotImplementedError()` "
                "line in the answer cell with your code, run that cell, then run this one."
            ) from None
        except CheckFailed:
            raise
        except Exception as error:
            message, diagnosis = explain(exercise.name, error)
            raise failure(f"{message}\n  on {describe_inputs(case.inputs)}", diagnosis) from error
    from grader.exercise import Exercise  # here: grader.exercise imports this module

    # Only the default call returns the student's result as it is: None is then theirs.
    if outputs is None and type(exercise).call is Exercise.call:
        raise failure(
            f"{exercise.name} returned None: did you forget to `return` it?",
            "nothing was returned: end the function with `return` and the result",
        )
    for key, value in case.inputs.items():
        changed = changed_part(key, value, handed[key])
        if changed is not None:
            raise in_place_failure(exercise.name, key, changed)
    return outputs


def in_place_failure(function: str, argument: str, part: str) -> CheckFailed:
    """The failure of a function that changed ``part`` of its argument ``argument``.

    The diagnosis names the part (e.g. "`dA`" or "`grads['W1']`") and the line of thinking
    that usually leads there.
    """
    diagnosis = (
        f"`{part}` was changed in place: `result = {argument}` makes both names point to one "
        f"array, so `result[...] = ...` or `result *= ...` changes `{argument}` too; start "
        f"from `{argument}.copy()`, or build a new array (`{argument} * mask`, "
        f"`{argument} - lr * grad`)"
    )
    return failure(
        f"{function} changed the {part} it was given (an in-place edit: `{argument} += ...`, "
        f"`{argument}[...] = ...`, or one made through another name for it). A function must "
        "leave its inputs as they were, because the caller still uses them.",
        diagnosis,
    )


def changed_part(name: str, before, after) -> str | None:
    """The first part of an argument that differs after the call, as a student would write it
    (``W``, ``grads['W1']``, ``params[0]``), or None when nothing changed.

    before: the argument as it was made (arrays, numbers, strings, and lists, tuples and dicts
            of them; other objects are not compared).
    after:  the copy that was handed to the student's function, after the call.
    """
    if isinstance(before, np.ndarray):
        same = (
            isinstance(after, np.ndarray)
            and after.shape == before.shape
            and after.dtype == before.dtype
            and np.array_equal(after, before, equal_nan=before.dtype.kind in "fc")
        )
        return None if same else name
    if isinstance(before, dict):
        if not isinstance(after, dict) or after.keys() != before.keys():
            return name
        for key in before:
            part = changed_part(f"{name}[{key!r}]", before[key], after[key])
            if part is not None:
                return part
        return None
    if isinstance(before, (list, tuple)):
        if type(after) is not type(before) or len(after) != len(before):
            return name
        for index, (old, new) in enumerate(zip(before, after, strict=True)):
            part = changed_part(f"{name}[{index}]", old, new)
            if part is not None:
                return part
        return None
    if isinstance(before, (int, float, str, bool, type(None))):
        both_nan = isinstance(before, float) and before != before and after != after
        return None if type(after) is type(before) and (after == before or both_nan) else name
    return None


def describe_inputs(inputs: dict[str, Any]) -> str:
    """A short description of the inputs, with shapes for arrays: 'X (4, 3), W (3, 2), p=0.5'."""
    parts = []
    for key, value in inputs.items():
        if isinstance(value, np.ndarray):
            parts.append(f"{key} {value.shape}")
        elif isinstance(value, (int, float, str, bool)):
            parts.append(f"{key}={value!r}")
        else:
            parts.append(key)
    return ", ".join(parts) if parts else "no inputs"
