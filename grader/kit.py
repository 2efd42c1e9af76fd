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

from grader.checks import CheckFailed, failure
from grader.tolerance import precision_problem


def expect_tuple(
    function_name: str, outputs, names: Sequence[str], *, numbers: Sequence[str] = ()
) -> tuple:
    """The student's ``return a, b, c``, taken apart.

    function_name: the student's function, e.g. "dense_backward".
    outputs:       what it returned; a tuple or a list of exactly len(names) items passes.
    names:         what the exercise calls the items, in order, e.g. ("dX", "dW", "db").
    numbers:       the names among ``names`` that are single numbers (e.g. "J"): when the
                   items come back in another order, told apart by being a number, an array
                   or a dict, the failure says they were swapped.
    Returns the items as a tuple, unchecked; raises CheckFailed otherwise, e.g.
    "dense_backward should return 3 values, `return dX, dW, db`; got a tuple of 2 values."
    """
    __tracebackhide__ = True
    wanted = f"{function_name} should return {_values(len(names))}, `return {', '.join(names)}`"
    if outputs is None:
        raise failure(
            f"{wanted}; got None.",
            f"nothing was returned: end the function with `return {', '.join(names)}`",
        )
    if not (isinstance(outputs, (tuple, list)) and len(outputs) == len(names)):
        raise CheckFailed(f"{wanted}; got {_describe(outputs)}.")
    if numbers:
        kinds = [_kind(item) for item in outputs]
        expected = ["number" if name in numbers else "other" for name in names]
        if sorted(kinds) == sorted(expected) and kinds != expected and "?" not in kinds:
            order = ", ".join(
                next(n for n, k in zip(names, expected, strict=True) if k == kind) for kind in kinds
            )
            raise failure(
                f"{wanted}; got them in the order {order}.",
                f"the return values are swapped: return them as `return {', '.join(names)}`",
            )
    return tuple(outputs)


def _kind(value) -> str:
    """'number' for a single number (a size-1 array too), 'other' for a larger array or a
    dict, '?' for anything else."""
    if isinstance(value, numbers.Real) or (isinstance(value, np.ndarray) and value.size == 1):
        return "number"
    return "other" if isinstance(value, (np.ndarray, dict, list)) else "?"


def expect_scalar(name: str, value, *, batch: int | None = None) -> float:
    """The student's number as a float.

    name:  what the exercise calls it, e.g. "J".
    value: a Python or numpy number, or a numpy array of any shape with exactly one element
           (a cost summed with keepdims=True is still one number). Lists are not numbers.
    batch: for a cost, the number of examples m: an array of m values is then named as one
           cost per example, not averaged.
    Returns the float (nan and ±inf included); raises CheckFailed otherwise, e.g.
    "J should be one number; got an array of shape (3,)."
    """
    __tracebackhide__ = True
    if value is None:
        raise CheckFailed(
            f"{name} is None: the value returned for {name} is None (a function that ends "
            "without `return` gives None)."
        )
    problem = precision_problem(name, value)
    if problem:
        raise CheckFailed(problem)
    if isinstance(value, np.ndarray) and value.size == 1 and value.dtype.kind in "biuf":
        value = value.reshape(()).item()
    if isinstance(value, (numbers.Real, np.bool_)):
        try:
            return float(value)
        except OverflowError:  # an integer beyond float64's range
            return math.inf if value > 0 else -math.inf
    message = f"{name} should be one number; got {_describe(value)}."
    if batch and batch > 1 and np.shape(value) in ((batch,), (batch, 1)):
        raise failure(
            message,
            f"one cost per example: {name} is the mean of the {batch} examples' costs, "
            "so sum over everything and divide by m (or take the mean over the batch)",
        )
    raise CheckFailed(message)


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
