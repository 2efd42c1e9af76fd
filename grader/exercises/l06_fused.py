"""Lesson 06's fused gradients: softmax + categorical cross-entropy and sigmoid + binary
cross-entropy, each returning (J, dZ).

The hidden cases hold logits of ±750, where exp() overflows and σ(z) rounds to 0 or 1, so a
textbook formula fails there. Each also holds a slope of 1e-7 / m or less (a probability
near 1e-7) beside a cost in the hundreds (a confidently wrong example): central differences
resolve a change of J only to its rounding error, about 1e-9 once divided by 2h, which swamps
that slope. So a gradient measured by them fails every hidden check (200 seeds in a row), and
only a derived, stable gradient passes.
"""

from __future__ import annotations

import numpy as np

from grader import mistakes as known
from grader.checks import check_gradient, compare
from grader.exercise import Case, Exercise, register
from grader.exercises.l06_losses import (
    CLIPPED,
    EXAMPLE_LABEL,
    LOG_ZERO,
    SOFTMAX_EXAMPLE,
    naive,
    random_one_hot,
)
from grader.failures import every_part
from grader.kit import expect_scalar, expect_tuple
from nnlib.activations import sigmoid
from nnlib.losses import (
    EPS,
    binary_cross_entropy,
    sigmoid_binary_cross_entropy,
    softmax_cross_entropy,
)


def column_softmax(Z):
    """Softmax down each column of Z (the wrong axis), without overflow: shape (m, k)."""
    E = np.exp(Z - Z.max(axis=0, keepdims=True))
    return E / E.sum(axis=0, keepdims=True)


def judge_fused(name, outputs, case, loss, expected, J_mistakes, dZ_mistakes) -> None:
    """Judge a fused loss's (J, dZ) on ``case`` (inputs Z (m, k) and Y (m, k)): J by value,
    dZ by value and by central differences of J.

    loss:     nnlib's ``loss(Z, Y) -> (J, dZ)``; expected: what it gives on the case.
    J_mistakes, dZ_mistakes: {diagnosis: result} of each part's known mistakes, to which a
    missing or extra 1/m is added. Raises CheckFailed naming the mistake of each wrong part.
    """
    __tracebackhide__ = True
    J, dZ = expect_tuple(name, outputs, ("J", "dZ"), numbers=("J",))
    Z, Y = case.inputs.values()
    m = Z.shape[0]
    expected_J, expected_dZ = expected
    every_part(
        lambda: compare(
            "J",
            expect_scalar("J", J, batch=m),
            expected_J,
            mistakes=J_mistakes | known.batch_scale("J", expected_J, m),
        ),
        lambda: check_gradient(
            "dZ",
            dZ,
            lambda z: loss(z, Y)[0],
            Z,
            1.0,
            expected=expected_dZ,
            mistakes=dZ_mistakes | known.batch_scale("dZ", expected_dZ, m),
        ),
    )


@register
class SoftmaxCrossEntropy(Exercise):
    """softmax_cross_entropy(Z, Y) -> (J, dZ), the fused softmax + cross-entropy."""

    name = "softmax_cross_entropy"
    # Central differences are stubbed too: the gradient must be derived, not measured.
    reference = (
        "nnlib.losses.softmax_cross_entropy",
        "nnlib.gradcheck.numerical_gradient",
        "nnlib.gradcheck.numerical_gradient_array",
    )

    def cases(self, rng, hidden):
        if not hidden:
            Z = np.array([SOFTMAX_EXAMPLE, [1.0, 2.0, 0.0, -1.0, 0.5], [0.0, 800.0, 0.0, 1.0, 2.0]])
            Y = np.eye(5)[[0, 2, 0]]
            return [Case({"Z": Z, "Y": Y}, label=f"{EXAMPLE_LABEL}, and a row with a logit of 800")]
        cases = []
        for _ in range(self.hidden_trials):
            m, k = int(rng.integers(2, 9)), int(rng.integers(2, 6))
            Z = rng.normal(0, 3, (m, k))
            Z[0, 0] += 750.0  # large enough that exp() overflows without the max subtraction
            Y = random_one_hot(rng, m, k)
            # Row 0's class is not the one with the 750, so that J is in the hundreds; row 1
            # has a class with probability near 1e-7, whose slope central differences of such
            # a J cannot resolve.
            Y[0], Y[1] = np.eye(k)[k - 1], np.eye(k)[0]
            Z[1] = 0.0
            Z[1, 1] = -16.0
            cases.append(Case({"Z": Z, "Y": Y}, label=f"m={m}, k={k}"))
        return cases

    def judge(self, case, outputs):
        Z, Y = case.inputs.values()
        m, k = Z.shape
        expected = softmax_cross_entropy(Z, Y)
        expected_dZ = expected[1]
        judge_fused(
            self.name,
            outputs,
            case,
            softmax_cross_entropy,
            expected,
            {
                "J is not finite: log(softmax(z)) breaks when exp() overflows or a "
                "probability rounds to 0. Compute log softmax directly, "
                "z − max − log Σ e^(z − max) (log-sum-exp)": naive(
                    lambda: (
                        -np.sum(Y * np.log(np.exp(Z) / np.exp(Z).sum(axis=1, keepdims=True))) / m
                    )
                ),
            },
            {
                "Y was subtracted from the logits Z, not from the probabilities A = softmax(Z)": (
                    Z - Y
                )
                / m,
                "dZ was divided by m·k: J averages over the m examples only": expected_dZ / k,
                "Y was never subtracted: the −Σ y_l term of the derivation gives −y_j, so "
                "each row of dZ sums to 0": expected_dZ + Y / m,
                "only the diagonal of the softmax's derivative was used (l = j): every a_l "
                "depends on every z_j, and the l ≠ j terms add a_j to every class": (
                    expected_dZ * Y
                ),
                "the softmax in dZ was taken down the columns (axis 0): each row, one "
                "example, must sum to 1": (column_softmax(Z) - Y) / m,
            },
        )


@register
class SigmoidBinaryCrossEntropy(Exercise):
    """sigmoid_bce(Z, Y) -> (J, dZ), the fused sigmoid + binary cross-entropy."""

    name = "sigmoid_bce"
    # Central differences are stubbed too: the gradient must be derived, not measured.
    reference = (
        "nnlib.losses.sigmoid_binary_cross_entropy",
        "nnlib.gradcheck.numerical_gradient",
        "nnlib.gradcheck.numerical_gradient_array",
    )

    def cases(self, rng, hidden):
        if not hidden:
            Z = np.array([[2.0], [-1.0], [0.5], [800.0], [-800.0]])
            Y = np.array([[1.0], [0.0], [0.0], [0.0], [0.0]])
            return [Case({"Z": Z, "Y": Y}, label="5 examples, two logits of ±800")]
        cases = []
        for _ in range(self.hidden_trials):
            m, k = int(rng.integers(3, 9)), int(rng.integers(1, 4))
            Z = rng.normal(0, 3, (m, k))
            Z[0, 0], Z[1, 0] = 750.0, -750.0  # where 1 - σ(z) or σ(z) rounds to 0
            Y = (rng.random((m, k)) < 0.5).astype(np.float64)
            # Confidently wrong there, so that a log(0) or a clipped loss shows in J.
            Y[0, 0], Y[1, 0] = 0.0, 1.0
            # A slope near 1e-7 / m beside that cost of about 1500 / m: central differences of
            # J cannot resolve it.
            Z[2, 0], Y[2, 0] = -16.0, 0.0
            cases.append(Case({"Z": Z, "Y": Y}, label=f"m={m}, k={k}"))
        return cases

    def judge(self, case, outputs):
        Z, Y = case.inputs.values()
        m, k = Z.shape
        A = sigmoid(Z)
        expected = sigmoid_binary_cross_entropy(Z, Y)
        expected_dZ = expected[1]
        judge_fused(
            self.name,
            outputs,
            case,
            sigmoid_binary_cross_entropy,
            expected,
            {
                f"{LOG_ZERO}: σ(z) rounds to exactly 0 or 1 for large |z|. Write the loss "
                "as logaddexp(0, z) − y·z, which never takes a log of 0": naive(
                    lambda: -np.sum(Y * np.log(A) + (1 - Y) * np.log(1 - A)) / m
                ),
                CLIPPED: binary_cross_entropy(A, Y)[0],
            },
            {
                "dZ has an extra factor σ'(Z) = a(1 − a): with the cross-entropy it cancels, "
                "leaving dZ = (a − y) / m": expected_dZ * A * (1 - A),
                "Y was subtracted from the logits Z, not from a = σ(Z)": (Z - Y) / m,
                CLIPPED: (np.clip(A, EPS, 1 - EPS) - Y) / m,
                "dZ was divided by m·k: J averages over the m examples only": (
                    expected_dZ / k if k > 1 else None
                ),
            },
        )
