"""Comparisons that tell a student what is wrong, not only that something is.

``compare`` is the one check every exercise uses. When ``actual`` is not ``expected`` it
raises ``CheckFailed`` with a message that names the array, both shapes, the worst element
with both values, the relative error and its threshold, and, where the student's result
matches what a known mistake would produce, the mistake's name::

    dW is wrong at index (0, 1): expected 0.25, got -0.25.
      shape (3, 2) (expected (3, 2)); relative error 1.00e+00, threshold 1e-07.
      Diagnosis: dW has the wrong sign everywhere: ...

``check_gradient`` is ``compare`` for a backward pass: a wrong gradient's message also says
how central differences of the forward pass sit against the expected gradient and the
student's. ``failure`` builds the CheckFailed of any other check that names a mistake. The
results of the usual mistakes come from the builders in ``grader.mistakes``; the relative
error is nnlib's ``rel_error``, the one students use in the lessons.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np

from grader.mistakes import flipped_sign, transposed
from nnlib.gradcheck import numerical_gradient_array, rel_error, rel_errors

RTOL = 1e-7
# Central differences with h = 1e-5 agree with an exact float64 gradient to about 1e-9
# relative; 1e-6 leaves room for elements near zero and still catches any real mistake.
GRADIENT_RTOL = 1e-6


class CheckFailed(AssertionError):
    """A check found the student's answer wrong; the message says how.

    message:   what a student reads.
    diagnosis: the known mistake the answer matches, as it appears after "Diagnosis:" in the
               message; None when no known mistake fits. The report counts mistakes by it.
    """

    def __init__(self, message: str, diagnosis: str | None = None):
        super().__init__(message)
        self.diagnosis = diagnosis

    def at(self, where: str) -> CheckFailed:
        """The same failure with a line saying where it happened, e.g. '[dW, case 2 of 5]'."""
        failure = CheckFailed(f"{self}\n  {where}", self.diagnosis)
        failure.__cause__ = self.__cause__  # the student's own error, shown in tracebacks
        return failure


def _specials_differ(actual: np.ndarray, expected: np.ndarray) -> np.ndarray:
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
    if actual.shape != expected.shape or np.any(_specials_differ(actual, expected)):
        return False
    finite = np.isfinite(expected)
    return rel_error(actual[finite], expected[finite]) <= rtol


def _as_array(name: str, actual) -> np.ndarray:
    """The student's result as a float64 array, or CheckFailed saying why it is not one."""
    __tracebackhide__ = True
    if actual is None:
        raise CheckFailed(f"{name} is None: did you forget to `return` it?")
    try:
        return np.asarray(actual, dtype=np.float64)
    except (TypeError, ValueError):
        raise CheckFailed(
            f"{name} should be a numpy array of numbers, got {type(actual).__name__}."
        ) from None


@np.errstate(all="ignore")
def diagnose(actual, mistakes: Mapping[str, object], rtol: float = RTOL) -> str | None:
    """The first known mistake that ``actual`` matches, else None.

    actual:   the student's result (array-like).
    mistakes: {diagnosis: result}, where result is the array the mistake produces (None to
              skip it) or a predicate ``result(actual_array) -> bool`` that recognises it.
    Returns the diagnosis text.
    """
    array = np.asarray(actual, dtype=np.float64)
    for diagnosis, result in mistakes.items():
        if result is None:
            continue
        if callable(result):
            if result(array):
                return diagnosis
        elif matches(array, result, rtol=max(rtol, 1e-6)):
            return diagnosis
    return None


def generic_mistakes(name: str, expected: np.ndarray) -> dict[str, object]:
    """Mistakes worth looking for in any array: a flipped sign and a transpose."""
    return flipped_sign(name, expected) | transposed(name, expected)


def _format(value: float) -> str:
    """A number as a student reads it: 6 significant digits, nan and inf spelt out."""
    return f"{value:.6g}"


def failure(message: str, diagnosis: str | None) -> CheckFailed:
    """The CheckFailed of a check that may name a mistake.

    message:   what went wrong, without the diagnosis.
    diagnosis: the known mistake, a sentence without its final full stop; None if none fits.
    Returns CheckFailed(message + "\n  Diagnosis: <diagnosis>.", diagnosis), or
    CheckFailed(message) when there is no diagnosis.
    """
    return CheckFailed(message + (f"\n  Diagnosis: {diagnosis}." if diagnosis else ""), diagnosis)


@np.errstate(all="ignore")  # the student's numbers may overflow; that is reported, not warned
def compare(
    name: str,
    actual,
    expected,
    *,
    rtol: float = RTOL,
    mistakes: Mapping[str, object] | None = None,
    dtype: np.dtype | type | None = None,
    reference: str = "",
) -> None:
    """Raise CheckFailed unless ``actual`` equals ``expected`` within relative error ``rtol``.

    name:      what the student calls the array, e.g. "dW".
    actual:    the student's result (array-like, or a number).
    expected:  the reference result, from nnlib.
    rtol:      the largest relative error accepted (see ``nnlib.gradcheck.rel_error``).
    mistakes:  {diagnosis: the result that mistake would produce, or a predicate}; checked in
               order, once the student's result is known to be wrong, before the generic ones.
    dtype:     if given, the student's array must have this dtype (e.g. np.float64).
    reference: where the expected values come from, shown after them, e.g. "numerical".
    """
    __tracebackhide__ = True
    expected = np.asarray(expected, dtype=np.float64)
    array = _as_array(name, actual)
    if array.shape == expected.shape and matches(array, expected, rtol):
        if dtype is not None and np.asarray(actual).dtype != np.dtype(dtype):
            raise CheckFailed(
                f"{name} has the right values but dtype {np.asarray(actual).dtype}; "
                f"expected {np.dtype(dtype)}."
            )
        return
    diagnosis = diagnose(array, {**(mistakes or {}), **generic_mistakes(name, expected)}, rtol)
    source = f" ({reference})" if reference else ""

    if array.shape != expected.shape:
        raise failure(f"{name} has shape {array.shape}, expected {expected.shape}.", diagnosis)
    specials = _specials_differ(array, expected)
    if np.any(specials):
        bad = tuple(int(i) for i in np.argwhere(specials)[0])
        count = int(np.count_nonzero(specials))
        at = f" at index {bad}" if bad else ""
        raise failure(
            f"{name} contains {_format(array[bad])}{at} (expected "
            f"{_format(expected[bad])}{source}); {count} of {array.size} entries are wrong "
            "this way. Look for an exp() that overflows, a log(0) or a division by zero.",
            diagnosis,
        )
    # Here nan and ±inf sit at the same places in both; zero them so they count as equal.
    finite = np.isfinite(expected)
    errors = rel_errors(np.where(finite, array, 0.0), np.where(finite, expected, 0.0))
    worst = tuple(int(i) for i in np.unravel_index(np.argmax(errors), array.shape))
    at = f" at index {worst}" if worst else ""
    raise failure(
        f"{name} is wrong{at}: expected {_format(expected[worst])}{source}, "
        f"got {_format(array[worst])}.\n"
        f"  shape {array.shape} (expected {expected.shape}); "
        f"relative error {float(errors.max()):.2e}, threshold {rtol:.0e}.",
        diagnosis,
    )


def check_gradient(
    name: str,
    actual,
    forward: Callable[[np.ndarray], np.ndarray],
    x,
    dout,
    *,
    expected=None,
    mistakes: Mapping[str, object] | None = None,
    rtol: float = RTOL,
) -> None:
    """Raise CheckFailed unless a backward pass's gradient is right.

    With ``expected``, the student's gradient is compared with it (threshold ``rtol``), and a
    wrong one's message ends with how central differences of the forward pass sit against the
    expected gradient and against the student's. Without it, the gradient is compared with
    central differences alone (threshold GRADIENT_RTOL).

    name:     what the student calls the gradient, e.g. "dW".
    actual:   the student's gradient, x's shape.
    forward:  the reference forward pass as a function of x alone, returning dout's shape
              (a number, with dout = 1.0, for the gradient of a cost).
    x:        the values the gradient is taken at, any shape (a number for a 0-d array);
              left unchanged.
    dout:     the upstream gradient, the shape of forward(x).
    expected: the reference gradient (nnlib's backward pass), x's shape; None to check
              against central differences only.
    mistakes: as for ``compare``.
    """
    __tracebackhide__ = True

    def numeric() -> np.ndarray:
        return numerical_gradient_array(forward, np.array(x, dtype=np.float64), dout)

    if expected is None:
        compare(
            name,
            actual,
            numeric(),
            rtol=GRADIENT_RTOL,
            mistakes=mistakes,
            reference="central differences of the forward pass",
        )
        return
    try:
        compare(name, actual, expected, rtol=rtol, mistakes=mistakes)
    except CheckFailed as wrong:
        try:
            array = None if actual is None else np.asarray(actual, dtype=np.float64)
        except (TypeError, ValueError):
            array = None
        if array is None:  # nothing to measure: the message already says what came back
            raise
        # Central differences only once the answer is wrong: they cost a forward pass per
        # element, and they back the verdict up rather than decide it.
        note = _central_difference_note(name, array, np.asarray(expected, float), numeric())
        raise CheckFailed(f"{wrong}\n  {note}", wrong.diagnosis) from None


def _central_difference_note(name: str, actual, expected, numeric) -> str:
    """'Central differences of the forward pass agree with the expected dW (relative error
    1.2e-10), not with yours (relative error 3.3e-01).' The comparison with the student's
    gradient is left out when it has another shape or is not finite.

    actual, expected, numeric: float arrays; expected and numeric have one shape.
    """
    note = (
        f"Central differences of the forward pass agree with the expected {name} "
        f"(relative error {rel_error(expected, numeric):.1e})"
    )
    if actual.shape == numeric.shape and np.all(np.isfinite(actual)):
        return note + f", not with yours (relative error {rel_error(actual, numeric):.1e})."
    return note + "."
