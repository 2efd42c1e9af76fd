"""The shapes of result an exercise demands, checked with one wording in every lesson.

An exercise's ``judge`` first takes apart what the student's function returned, with these::

    dX, dW, db = expect_tuple("dense_backward", outputs, ("dX", "dW", "db"))
    J = expect_scalar("J", J)
    grads = expect_dict("mlp_backward", outputs, ("W1", "b1", "W2", "b2"))

Each returns what it checked, or raises CheckFailed saying what came back instead::

    dense_backward should return 3 values, `return dX, dW, db`; got an array of shape (2, 3).
    J should be one number; got an array of shape (4, 2).
    mlp_backward should return a dict with the keys 'W1', 'b1', 'W2', 'b2'; the key 'b2' is
    missing.

What the values inside are worth is left to ``grader.checks.compare``.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable, Sequence

import numpy as np

from grader.checks import CheckFailed


def expect_tuple(function_name: str, outputs, names: Sequence[str]) -> tuple:
    """The student's ``return a, b, c``, taken apart.

    function_name: the student's function, e.g. "dense_backward".
    outputs:       what it returned; a tuple or a list of exactly len(names) items passes.
    names:         what the exercise calls the items, in order, e.g. ("dX", "dW", "db").
    Returns the items as a tuple, unchecked; raises CheckFailed otherwise, e.g.
    "dense_backward should return 3 values, `return dX, dW, db`; got a tuple of 2 values."
    """
    __tracebackhide__ = True
    if isinstance(outputs, (tuple, list)) and len(outputs) == len(names):
        return tuple(outputs)
    raise CheckFailed(
        f"{function_name} should return {_values(len(names))}, `return {', '.join(names)}`; "
        f"got {_describe(outputs)}."
    )


def expect_scalar(name: str, value) -> float:
    """The student's number as a float.

    name:  what the exercise calls it, e.g. "J".
    value: a Python or numpy number, or a numpy array of any shape with exactly one element
           (a cost summed with keepdims=True is still one number). Lists are not numbers.
    Returns the float (nan and ±inf included); raises CheckFailed otherwise, e.g.
    "J should be one number; got an array of shape (3,)."
    """
    __tracebackhide__ = True
    if value is None:
        raise CheckFailed(f"{name} is None: did you forget to `return` it?")
    if isinstance(value, np.ndarray) and value.size == 1 and value.dtype.kind in "biuf":
        value = value.reshape(()).item()
    if isinstance(value, (numbers.Real, np.bool_)):
        try:
            return float(value)
        except OverflowError:  # an integer beyond float64's range
            return math.inf if value > 0 else -math.inf
    raise CheckFailed(f"{name} should be one number; got {_describe(value)}.")


def expect_dict(function_name: str, outputs, keys: Iterable[str], *, item: str = "") -> dict:
    """The student's dict, with a value for every key the exercise needs.

    function_name: the student's function, e.g. "mlp_backward".
    outputs:       what it returned (or, with ``item``, one of the values it returned).
    keys:          the keys it must have; other keys are allowed.
    item:          the name of the returned value that is the dict, e.g. "grads", when the
                   function returns several values; "" when the dict is what it returns.
    Returns outputs; raises CheckFailed otherwise, e.g. "mlp_backward should return a dict
    with the keys 'W1', 'b1'; the value for key 'W1' is None."
    """
    __tracebackhide__ = True
    keys = list(keys)
    what = f"{item} as a dict" if item else "a dict"
    wanted = f"{function_name} should return {what} with the keys {_quoted(keys)}"
    if not isinstance(outputs, dict):
        raise CheckFailed(f"{wanted}; got {_describe(outputs)}.")
    missing = [key for key in keys if key not in outputs]
    if missing:
        are = "is" if len(missing) == 1 else "are"
        raise CheckFailed(f"{wanted}; the {_key_or_keys(missing)} {are} missing.")
    empty = [key for key in keys if outputs[key] is None]
    if empty:
        if len(empty) == 1:
            raise CheckFailed(f"{wanted}; the value for key {empty[0]!r} is None.")
        raise CheckFailed(f"{wanted}; the values for keys {_quoted(empty)} are None.")
    return outputs


def _values(count: int) -> str:
    """'1 value', '3 values'."""
    return f"{count} value" + ("" if count == 1 else "s")


def _quoted(keys: list[str]) -> str:
    """The keys as a student would type them: 'W1', 'b1'."""
    return ", ".join(repr(key) for key in keys)


def _key_or_keys(keys: list[str]) -> str:
    """key 'b2', or keys 'b1', 'b2'."""
    return ("key " if len(keys) == 1 else "keys ") + _quoted(keys)


def _describe(value) -> str:
    """What a returned value is, for a message: 'None', 'a float', 'an array of shape (3,)',
    'a tuple of 2 values', 'a dict'."""
    if value is None:
        return "None"
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape}"
    if isinstance(value, (tuple, list)):
        return f"a {type(value).__name__} of {_values(len(value))}"
    name = type(value).__name__
    return f"{'an' if name[0] in 'aeiou' else 'a'} {name}"
