"""Comparisons that tell a student what is wrong, not only that something is.

``compare`` is the one check every exercise uses. When ``actual`` is not ``expected`` it
raises ``CheckFailed`` with a message that names the array, both shapes, the worst element
with both values, the relative error and its threshold, and, where the student's result
matches what a known mistake would produce, the mistake's name.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

RTOL = 1e-7


class CheckFailed(AssertionError):
    """A check found the student's answer wrong; the message says how."""


def relative_error(actual: np.ndarray, expected: np.ndarray) -> float:
    """max |a - e| / max(|a| + |e|, 1e-8), elementwise, as CS231n's rel_error: 0 when equal."""
    actual = np.asarray(actual, dtype=np.float64)
    expected = np.asarray(expected, dtype=np.float64)
    if actual.size == 0:
        return 0.0
    scale = np.maximum(np.abs(actual) + np.abs(expected), 1e-8)
    return float(np.max(np.abs(actual - expected) / scale))


def matches(actual, expected, rtol: float = RTOL) -> bool:
    """True when ``actual`` has ``expected``'s shape, is finite and within ``rtol``."""
    try:
        actual = np.asarray(actual, dtype=np.float64)
    except (TypeError, ValueError):
        return False
    expected = np.asarray(expected, dtype=np.float64)
    return (
        actual.shape == expected.shape
        and bool(np.all(np.isfinite(actual) == np.isfinite(expected)))
        and relative_error(np.nan_to_num(actual), np.nan_to_num(expected)) <= rtol
    )


def _as_array(name: str, actual) -> np.ndarray:
    __tracebackhide__ = True
    if actual is None:
        raise CheckFailed(f"{name} is None: did you forget to `return` it?")
    try:
        return np.asarray(actual, dtype=np.float64)
    except (TypeError, ValueError):
        raise CheckFailed(
            f"{name} should be a numpy array of numbers, got {type(actual).__name__}."
        ) from None


def diagnose(actual, mistakes: Mapping[str, object], rtol: float = RTOL) -> str | None:
    """The name of the first known mistake whose result ``actual`` matches, else None."""
    for diagnosis, result in mistakes.items():
        if result is not None and matches(actual, result, rtol=max(rtol, 1e-6)):
            return diagnosis
    return None


def generic_mistakes(name: str, expected: np.ndarray) -> dict[str, np.ndarray]:
    """Mistakes worth looking for in any array: a transpose and a flipped sign."""
    found = {f"{name} has the wrong sign everywhere": -expected}
    if expected.ndim == 2 and expected.shape[0] != expected.shape[1]:
        found[
            f"{name} looks transposed: expected shape {expected.shape}, "
            f"got {expected.shape[::-1]}"
        ] = expected.T
    return found


def compare(
    name: str,
    actual,
    expected,
    *,
    rtol: float = RTOL,
    mistakes: Mapping[str, object] | None = None,
    dtype: np.dtype | type | None = None,
) -> None:
    """Raise CheckFailed unless ``actual`` equals ``expected`` within relative error ``rtol``.

    name:     what the student calls the array, e.g. "dW".
    actual:   the student's result (array-like).
    expected: the reference result, from nnlib.
    mistakes: {diagnosis: the result that mistake would produce}; checked in order, after
              the student's result is known to be wrong, and before the generic ones.
    dtype:    if given, the student's array must have this dtype (e.g. np.float64).
    """
    __tracebackhide__ = True
    expected = np.asarray(expected, dtype=np.float64)
    array = _as_array(name, actual)
    known = {**(mistakes or {}), **generic_mistakes(name, expected)}
    diagnosis = diagnose(array, known, rtol)

    if array.shape != expected.shape:
        message = f"{name} has shape {array.shape}, expected {expected.shape}."
        raise CheckFailed(message + (f"\n  Diagnosis: {diagnosis}." if diagnosis else ""))
    if not np.all(np.isfinite(array)):
        bad = tuple(int(i) for i in np.argwhere(~np.isfinite(array))[0])
        message = (
            f"{name} contains {array[bad]} at index {bad} (expected {expected[bad]:.6g}). "
            "Look for an exp() that overflows, a log(0) or a division by zero."
        )
        raise CheckFailed(message + (f"\n  Diagnosis: {diagnosis}." if diagnosis else ""))
    error = relative_error(array, expected)
    if error > rtol:
        scale = np.maximum(np.abs(array) + np.abs(expected), 1e-8)
        worst = np.unravel_index(np.argmax(np.abs(array - expected) / scale), array.shape)
        worst = tuple(int(i) for i in worst)
        at = f" at index {worst}" if worst else ""
        message = (
            f"{name} is wrong{at}: expected {expected[worst]:.6g}, got {array[worst]:.6g}.\n"
            f"  shape {array.shape} (expected {expected.shape}); "
            f"relative error {error:.2e}, threshold {rtol:.0e}."
        )
        raise CheckFailed(message + (f"\n  Diagnosis: {diagnosis}." if diagnosis else ""))
    if dtype is not None and np.asarray(actual).dtype != np.dtype(dtype):
        raise CheckFailed(
            f"{name} has the right values but dtype {np.asarray(actual).dtype}; "
            f"expected {np.dtype(dtype)}."
        )
