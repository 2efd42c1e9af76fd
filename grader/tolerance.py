"""The tolerance policy, in one place: what counts as equal, what precision a result must
have, and how two numbers print so that a student can see where they differ.

- Results are float64, the course's convention. A result in float32 (or float16) fails with
  a message that says "compute in float64" and nothing about values (``precision_problem``):
  float32 rounds at about 1e-7 of each value, which no threshold below can absorb without
  also letting real mistakes through.
- Two results are equal when they have one shape, the same nan and ±inf entries and,
  elsewhere, a relative error (nnlib's ``rel_error``, the one the lessons teach) of at most
  ``RTOL`` (``matches``); a gradient checked against central differences alone is held to
  ``GRADIENT_RTOL``.
- A scalar is any size-1 value: a number or an array with one element (``grader.kit``).
- A message prints numbers with the digits it takes for two that differ to print
  differently (``distinct``); a threshold is compared on the exact value, before rounding.
"""

from __future__ import annotations

import numpy as np

from nnlib.gradcheck import rel_error

RTOL = 1e-7
# Central differences with h = 1e-5 agree with an exact float64 gradient to about 1e-9
# relative; 1e-6 leaves room for elements near zero and still catches any real mistake.
GRADIENT_RTOL = 1e-6


def specials_differ(actual: np.ndarray, expected: np.ndarray) -> np.ndarray:
    """Where one of two float arrays of one shape is nan or ±inf and the other is not the same
    special value; a boolean array of their shape."""
    special = ~np.isfinite(actual) | ~np.isfinite(expected)
    same = (actual == expected) | (np.isnan(actual) & np.isnan(expected))
    return special & ~same


@np.errstate(all="ignore")
def matches(actual, expected, rtol: float = RTOL) -> bool:
    """True when ``actual`` has ``expected``'s shape, the same nan and ±inf entries and,
    elsewhere, a relative error of at most ``rtol``."""
    try:
        actual = np.asarray(actual, dtype=np.float64)
    except (TypeError, ValueError):
        return False
    expected = np.asarray(expected, dtype=np.float64)
    if actual.shape != expected.shape or np.any(specials_differ(actual, expected)):
        return False
    finite = np.isfinite(expected)
    return rel_error(actual[finite], expected[finite]) <= rtol


def precision_problem(name: str, actual) -> str | None:
    """What is wrong with the precision of a result, or None: results are float64.

    name:   what the student calls it, e.g. "dW".
    actual: the student's result: a number, an array, or anything np.asarray takes.
    Returns a message that says "compute in float64" and nothing about values when ``actual``
    holds floats of lower precision (float32 rounds at about 1e-7 of each value, above the
    checks' thresholds); None otherwise.
    """
    try:
        kind = np.asarray(actual).dtype
    except (TypeError, ValueError):
        return None  # not numbers at all: the comparison that follows says so
    if kind.kind == "f" and kind.itemsize < 8:
        return (
            f"{name} is {kind}: compute in float64. The course works in float64, whose "
            f"rounding is far below the checks' thresholds; {kind} rounds at about "
            f"{float(np.finfo(kind).eps):.0e} of each value. Remove the "
            f"`.astype(np.{kind})` or `dtype=np.{kind}` that made it."
        )
    return None


def distinct(a: float, b: float) -> tuple[str, str]:
    """Two numbers as a student reads them, with as many significant digits as it takes (6 at
    least, 17 at most) for two different numbers to print differently; nan and inf spelt out.

    So a message never says "expected 0.108517, got 0.108517" of two numbers that differ.
    """
    for digits in range(6, 18):
        shown = f"{a:.{digits}g}", f"{b:.{digits}g}"
        if shown[0] != shown[1] or a == b:
            return shown
    return shown
