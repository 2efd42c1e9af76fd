"""Gradient checking by central differences, as in CS231n.

    ∂f/∂x_i ≈ (f(x + h e_i) - f(x - h e_i)) / 2h

whose error is O(h²). Compare an analytic gradient with ``rel_error`` and read the result off
``REL_ERROR_TABLE``, the one table of thresholds that every lesson prints and uses.
"""

import math

import numpy as np

# What the relative error between an analytic gradient and central differences (float64,
# h = 1e-5) says, as (upper bound, verdict) rows in increasing order: an error below the first
# bound gets the first verdict, and so on. Lessons print it with ``rel_error_table`` and judge
# with ``rel_error_verdict``, so that their text and their code cannot disagree.
REL_ERROR_TABLE = (
    (1e-7, "correct"),
    (1e-4, "suspicious: a bug, unless an input lies within h of a kink (ReLU at 0)"),
    (math.inf, "a bug"),
)


def rel_error_verdict(error):
    """The verdict of ``REL_ERROR_TABLE`` for one relative error (a number >= 0, or nan).

    Returns e.g. "correct"; nan (a gradient that overflowed) is "a bug".
    """
    for bound, verdict in REL_ERROR_TABLE:
        if error < bound:
            return verdict
    return REL_ERROR_TABLE[-1][1]


def rel_error_table():
    """``REL_ERROR_TABLE`` as a Markdown table, for a lesson to print or display."""

    def power(bound):  # "1e-7", as the bound is written in code
        return f"1e{round(math.log10(bound))}"

    rows = ["| relative error | verdict |", "|---|---|"]
    low = None
    for bound, verdict in REL_ERROR_TABLE:
        if low is None:
            span = f"below {power(bound)}"
        elif math.isinf(bound):
            span = f"{power(low)} or more"
        else:
            span = f"{power(low)} to {power(bound)}"
        rows.append(f"| {span} | {verdict} |")
        low = bound
    return "\n".join(rows)


def numerical_gradient(f, x, h=1e-5):
    """The gradient of a scalar function f at x, by central differences.

    f: a function of x returning a number (it may read x, which is changed in place).
    x: a float array of any shape; restored before returning.
    Returns an array of x's shape.
    """
    grad = np.zeros_like(x, dtype=np.float64)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + h
        plus = f(x)
        x[i] = old - h
        minus = f(x)
        x[i] = old
        grad[i] = (plus - minus) / (2 * h)
    return grad


def numerical_gradient_array(f, x, dout, h=1e-5):
    """The gradient of Σ f(x) * dout with respect to x, for an array-valued f: what a
    backward pass returns when the upstream gradient is dout.

    f:    a function of x returning an array of dout's shape.
    x:    a float array of any shape; restored before returning.
    dout: the upstream gradient, shape of f(x).
    Returns an array of x's shape.
    """
    grad = np.zeros_like(x, dtype=np.float64)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + h
        plus = np.array(f(x), dtype=np.float64)
        x[i] = old - h
        minus = np.array(f(x), dtype=np.float64)
        x[i] = old
        grad[i] = np.sum((plus - minus) * dout) / (2 * h)
    return grad


def rel_errors(a, b):
    """|a - b| / max(|a| + |b|, 1e-8), elementwise: the relative error of each element.

    a, b: arrays of the same shape (anything np.asarray turns into numbers).
    Returns a float64 array of that shape; 0 where the two are equal.

    Computed on halves of a and b, which gives the same ratio exactly and cannot overflow:
    for finite values near 1e308, |a| + |b| itself would be inf.
    """
    a, b = np.asarray(a, dtype=np.float64) / 2, np.asarray(b, dtype=np.float64) / 2
    with np.errstate(over="ignore", invalid="ignore"):  # only for inf or nan inputs
        return np.abs(a - b) / np.maximum(np.abs(a) + np.abs(b), 0.5e-8)


def rel_error(a, b):
    """max |a - b| / max(|a| + |b|, 1e-8) over the elements (CS231n's relative error).

    a, b: arrays of the same shape, any size. Returns a float: 0.0 when they are equal, and
    for empty arrays. Finite values near 1e308 do not overflow (see ``rel_errors``).
    """
    errors = rel_errors(a, b)
    return float(np.max(errors)) if errors.size else 0.0


def gradient_report(name, analytic, numeric):
    """One line comparing an analytic gradient with a numerical one.

    name: the parameter, e.g. "dW".  analytic, numeric: arrays of the same shape.
    Returns e.g. "dW: relative error 3.1e-10 (worst at index (1, 0): analytic 0.25,
    numeric 0.25)".
    """
    a, b = np.asarray(analytic, dtype=np.float64), np.asarray(numeric, dtype=np.float64)
    if a.shape != b.shape:
        return f"{name}: analytic gradient has shape {a.shape} but numeric has shape {b.shape}"
    errors = rel_errors(a, b)
    worst = np.unravel_index(np.argmax(errors), a.shape) if a.size else ()
    where = tuple(int(i) for i in worst)
    return (
        f"{name}: relative error {rel_error(a, b):.2e} (worst at index {where}: "
        f"analytic {a[worst]:.10g}, numeric {b[worst]:.10g})"
    )
