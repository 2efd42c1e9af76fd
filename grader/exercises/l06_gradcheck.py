"""Lesson 06's gradient check: the student's own central differences, turned on a fused loss.

``gradient_error(loss, Z, Y, h=1e-5)`` returns the relative error between the dZ a fused loss
returns and central differences of the J it returns. It is graded on losses whose gradient is
right, where it must score below 1e-7, and on losses with a planted slip (dZ missing its 1/m,
transposed, without the − Y, from a softmax over the wrong axis), where it must give the
error central differences give: the number that exposes the slip.

The losses cannot travel to the student's kernel, so a case sends their kind and ``call``
builds them there. They are written here in plain numpy: while grading, nnlib's
``softmax_cross_entropy`` and ``softmax`` are this lesson's answers and are cut out.
"""

from __future__ import annotations

import numpy as np

from grader.checks import diagnoses, failure
from grader.exercise import Case, Exercise, register
from grader.exercises.l06_losses import random_one_hot
from grader.kit import expect_scalar
from grader.tolerance import GRADIENT_RTOL, distinct, matches
from nnlib.activations import sigmoid
from nnlib.gradcheck import REL_ERROR_TABLE, rel_error
from nnlib.losses import fused_gradient_error

RIGHT_BELOW = REL_ERROR_TABLE[0][0]  # 1e-7: the table's bound for "correct"
H = 1e-5  # the step the docstring asks for

# What each kind of loss is, as a case's label says it.
KINDS = {
    "softmax": "softmax + cross-entropy with the right dZ",
    "sigmoid": "sigmoid + binary cross-entropy with the right dZ",
    "no 1/m": "softmax + cross-entropy whose dZ lacks the 1/m",
    "transposed": "softmax + cross-entropy whose dZ is transposed",
    "no Y": "softmax + cross-entropy whose dZ forgot to subtract Y",
    "axis 0": "softmax + cross-entropy whose dZ takes the softmax down the columns",
}


def loss_of(kind):
    """The fused loss (Z, Y) -> (J, dZ) of a kind of KINDS; J is always the right cost."""

    def loss(Z, Y):
        m = Z.shape[0]
        if kind == "sigmoid":
            return float(np.sum(np.logaddexp(0.0, Z) - Y * Z) / m), (sigmoid(Z) - Y) / m
        log_sums = np.logaddexp.reduce(Z, axis=1, keepdims=True)
        J = float(np.sum(Y * (log_sums - Z)) / m)
        A = np.exp(Z - log_sums)
        if kind == "axis 0":
            A = np.exp(Z - np.logaddexp.reduce(Z, axis=0, keepdims=True))
        dZ = {"no 1/m": A - Y, "no Y": A / m}.get(kind, (A - Y) / m)
        return J, dZ.T if kind == "transposed" else dZ

    return loss


def checker_slips(loss, Z, Y):
    """{diagnosis: the error a gradient check with that slip returns} for one loss and Z."""
    J, dZ = loss(Z, Y)
    central, one_sided = np.zeros_like(Z), np.zeros_like(Z)
    for index in np.ndindex(Z.shape):
        up, down = Z.copy(), Z.copy()
        up[index] += H
        down[index] -= H
        central[index] = (loss(up, Y)[0] - loss(down, Y)[0]) / (2 * H)
        one_sided[index] = (loss(up, Y)[0] - J) / H
    all_at_once = (loss(Z + H, Y)[0] - loss(Z - H, Y)[0]) / (2 * H)
    norm = np.linalg.norm(dZ - central) / (np.linalg.norm(dZ) + np.linalg.norm(central))
    return {
        "this is a one-sided difference (J(z + h) − J(z)) / h, whose error shrinks only like h: "
        "on a right gradient it stays near 1e-6; the central one, (J(z + h) − J(z − h)) / 2h, "
        "errs like h²": rel_error(dZ, one_sided),
        "the differences were divided by h, not by 2h: z + h and z − h are 2h apart": rel_error(
            dZ, 2 * central
        ),
        "every element of Z was nudged at once: nudge one element at a time, so that each "
        "difference measures one element's slope": rel_error(dZ, np.full(Z.shape, all_at_once)),
        "this is the largest absolute difference |dZ − numeric|: divide by |dZ| + |numeric| "
        "(nnlib.gradcheck.rel_error), so that small and large gradients are judged alike": float(
            np.max(np.abs(dZ - central))
        ),
        "this is the relative error of the whole arrays, ‖dZ − numeric‖ / (‖dZ‖ + ‖numeric‖); "
        "the course's, nnlib.gradcheck.rel_error, takes the worst element": float(norm),
    }


@register
class GradientError(Exercise):
    """gradient_error(loss, Z, Y, h=1e-5) -> the relative error between the dZ of a fused
    loss and central differences of its J."""

    name = "gradient_error"
    # nnlib's own checker, and its central differences, are what the student writes here.
    reference = (
        "nnlib.losses.fused_gradient_error",
        "nnlib.gradcheck.numerical_gradient",
        "nnlib.gradcheck.numerical_gradient_array",
    )

    def cases(self, rng, hidden):
        if not hidden:
            Z = np.array([[0.5, -1.0, 0.25, 1.0], [-0.5, 0.75, 0.0, -0.25], [1.0, 0.5, -1.0, 0.0]])
            Y = np.eye(4)[[3, 1, 0]]
            return [
                Case({"kind": kind, "Z": Z, "Y": Y}, label=f"{KINDS[kind]}, Z (3, 4)")
                for kind in ("softmax", "no 1/m")
            ]
        cases = []
        for kind in KINDS:
            m, k = (int(n) for n in rng.choice(np.arange(2, 9), size=2, replace=False))
            if kind == "transposed":
                k = m  # only a square dZ can be handed back transposed
            # Logits within ±1: no probability is so small that rounding in J swamps its
            # slope, so that central differences of a right gradient stay below 1e-8.
            Z = rng.uniform(-1.0, 1.0, (m, k))
            if kind == "sigmoid":
                Y = (rng.random((m, k)) < 0.5).astype(np.float64)
            else:
                Y = random_one_hot(rng, m, k)
            cases.append(Case({"kind": kind, "Z": Z, "Y": Y}, label=f"{KINDS[kind]}, Z {Z.shape}"))
        return cases

    def call(self, fn, inputs):
        return fn(loss_of(inputs["kind"]), inputs["Z"], inputs["Y"])

    def judge(self, case, outputs):
        value = expect_scalar("the relative error", outputs)
        loss, Z, Y = loss_of(case.inputs["kind"]), case.inputs["Z"], case.inputs["Y"]
        expected = fused_gradient_error(loss, Z, Y, H)
        right = expected < RIGHT_BELOW
        if right and 0 <= value < RIGHT_BELOW:
            return
        if not right and matches(np.float64(value), expected, GRADIENT_RTOL):
            return
        slips = {
            diagnosis: error
            for diagnosis, error in checker_slips(loss, Z, Y).items()
            if not (error < RIGHT_BELOW if right else matches(error, expected, GRADIENT_RTOL))
        }
        found = diagnoses(value, slips, GRADIENT_RTOL)
        if right:
            message = (
                f"gradient_error returned {value:.3g} for the {case.label}: a right gradient "
                f"must score below {RIGHT_BELOW:.0e} (central differences with h = {H:g} give "
                f"{expected:.1e} here)."
            )
        else:
            wanted, got = distinct(expected, value)
            message = (
                f"gradient_error returned {got} for the {case.label}; central differences "
                f"with h = {H:g}, compared element by element, give {wanted} (a bug, by the "
                f"table), and yours must agree with that to a relative {GRADIENT_RTOL:.0e}."
            )
        raise failure(message, found[0] if found else None, found)
