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
student's. ``CheckFailed`` and ``failure`` (which builds the CheckFailed of any other check
that names a mistake) live in ``grader.failures`` and are imported from here by the
exercises; the tolerance policy (thresholds, float64, how numbers print) is in
``grader.tolerance``. The results of the usual mistakes come from the builders in
``grader.mistakes``. A failure carries every known mistake its result matches
(``CheckFailed.candidates``), except those that equal the right answer on this case, so that
``grader.exercise.verdict`` can keep the one that fits every case.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np

from grader.failures import CheckFailed, failure
from grader.mistakes import flipped_sign, transposed
from grader.tolerance import (
    GRADIENT_RTOL,
    RTOL,
    distinct,
    matches,
    precision_problem,
    specials_differ,
)
from nnlib.gradcheck import numerical_gradient_array, rel_error, rel_errors


def _as_array(name: str, actual) -> np.ndarray:
    """The student's result as a float64 array, or CheckFailed saying why it is not one."""
    __tracebackhide__ = True
    if actual is None:
        raise CheckFailed(
            f"{name} is None: the value returned for {name} is None (a function that ends "
            "without `return` gives None)."
        )
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
    found = diagnoses(actual, mistakes, rtol)
    return found[0] if found else None


def diagnoses(actual, mistakes: Mapping[str, object], rtol: float = RTOL) -> list[str]:
    """Every known mistake that ``actual`` matches, in the order of ``mistakes``; as
    ``diagnose``."""
    array = np.asarray(actual, dtype=np.float64)
    found = []
    for diagnosis, result in mistakes.items():
        if result is None:
            continue
        if callable(result):
            if result(array):
                found.append(diagnosis)
        elif matches(array, result, rtol=max(rtol, 1e-6)):
            found.append(diagnosis)
    return found


def generic_mistakes(name: str, expected: np.ndarray) -> dict[str, object]:
    """Mistakes worth looking for in any array: a flipped sign and a transpose."""
    return flipped_sign(name, expected) | transposed(name, expected)


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
    problem = precision_problem(name, actual)
    if problem:
        raise CheckFailed(problem)
    if array.shape == expected.shape and matches(array, expected, rtol):
        if dtype is not None and np.asarray(actual).dtype != np.dtype(dtype):
            raise CheckFailed(
                f"{name} has the right values but dtype {np.asarray(actual).dtype}; "
                f"expected {np.dtype(dtype)}."
            )
        return
    known = {**(mistakes or {}), **generic_mistakes(name, expected)}
    # A mistake that gives the right answer on this case cannot be told from it here.
    known = {
        diagnosis: result
        for diagnosis, result in known.items()
        if callable(result) or result is None or not matches(result, expected, max(rtol, 1e-6))
    }
    candidates = diagnoses(array, known, rtol)
    diagnosis = candidates[0] if candidates else None
    source = f" ({reference})" if reference else ""

    if array.shape != expected.shape:
        raise failure(
            f"{name} has shape {array.shape}, expected {expected.shape}.", diagnosis, candidates
        )
    specials = specials_differ(array, expected)
    if np.any(specials):
        bad = tuple(int(i) for i in np.argwhere(specials)[0])
        count = int(np.count_nonzero(specials))
        at = f" at index {bad}" if bad else ""
        got, wanted = distinct(array[bad], expected[bad])
        raise failure(
            f"{name} contains {got}{at} (expected {wanted}{source}); "
            f"{count} of {array.size} entries are wrong "
            "this way. Look for an exp() that overflows, a log(0) or a division by zero.",
            diagnosis,
            candidates,
        )
    # Here nan and ±inf sit at the same places in both; zero them so they count as equal.
    finite = np.isfinite(expected)
    errors = rel_errors(np.where(finite, array, 0.0), np.where(finite, expected, 0.0))
    worst = tuple(int(i) for i in np.unravel_index(np.argmax(errors), array.shape))
    at = f" at index {worst}" if worst else ""
    wanted, got = distinct(expected[worst], array[worst])
    raise failure(
        f"{name} is wrong{at}: expected {wanted}{source}, got {got}.\n"
        f"  shape {array.shape} (expected {expected.shape}); "
        f"relative error {float(errors.max()):.2e}, threshold {rtol:.0e}.",
        diagnosis,
        candidates,
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

    problem = precision_problem(name, actual)
    if problem:
        raise CheckFailed(problem)

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
        if note is None:
            raise
        raise CheckFailed(f"{wrong}\n  {note}", wrong.diagnosis, wrong.candidates) from None


def _central_difference_note(name: str, actual, expected, numeric) -> str | None:
    """'Central differences of the forward pass agree with the expected dW (relative error
    1.2e-10), not with yours (relative error 3.3e-01).' The comparison with the student's
    gradient is left out when it has another shape or is not finite.

    actual, expected, numeric: float arrays; expected and numeric have one shape.
    Returns None where central differences themselves are off (at large inputs their
    rounding exceeds GRADIENT_RTOL): they then back nothing up.
    """
    if rel_error(expected, numeric) > GRADIENT_RTOL:
        return None
    note = (
        f"Central differences of the forward pass agree with the expected {name} "
        f"(relative error {rel_error(expected, numeric):.1e})"
    )
    if actual.shape == numeric.shape and np.all(np.isfinite(actual)):
        return note + f", not with yours (relative error {rel_error(actual, numeric):.1e})."
    return note + "."
