"""Exercises of lesson 06, choosing the loss: a stable softmax, the binary and categorical
cross-entropies. (The fused softmax + cross-entropy and sigmoid + binary cross-entropy
gradients are in l06_fused; choosing the output activation and loss from the targets is in
l06_output_and_loss.)

The visible cases include the inputs that break the textbook formulas (logits in the hundreds,
probabilities of exactly 0 and 1), so that an overflow or a log(0) is caught and named at once.
"""

from __future__ import annotations

import numpy as np

from grader import mistakes as known
from grader.checks import compare
from grader.exercise import Case, Exercise, register
from grader.kit import expect_scalar
from nnlib.activations import softmax
from nnlib.losses import (
    EPS,
    binary_cross_entropy,
    categorical_cross_entropy,
)

SOFTMAX_EXAMPLE = np.array([7.0, 5.0, 2.0, -1.0, 3.0])  # the lesson's worked example
EXAMPLE_LABEL = "the lesson's z = [7, 5, 2, -1, 3]"

SPREAD_ROW = np.array([800.0, -800.0, 0.0, 1.0, 2.0])
OVERFLOW = "exp() overflowed"
LOG_ZERO = "log(0)"
CLIPPED = (
    "the loss was clipped, so a confidently wrong example costs at most −log ε: "
    "logaddexp(0, z) − y·z is exact for every z, and its gradient is σ(z) − y"
)


def naive(formula):
    """formula() evaluated with numpy's overflow and log(0) warnings silenced (the naive
    variants are meant to produce inf and nan, as a student's would)."""
    with np.errstate(all="ignore"):
        return formula()


def random_one_hot(rng, m, k):
    """m one-hot rows of k classes, float64, shape (m, k)."""
    return np.eye(k)[rng.integers(0, k, size=m)]


@register
class StableSoftmax(Exercise):
    """stable_softmax(Z) -> A, row by row, without overflow."""

    name = "stable_softmax"
    reference = ("nnlib.activations.softmax",)

    def cases(self, rng, hidden):
        if not hidden:
            Z = np.stack([SOFTMAX_EXAMPLE, SOFTMAX_EXAMPLE + 993.0, SPREAD_ROW])
            label = f"{EXAMPLE_LABEL}, the same z shifted by 993, and a row spanning 1600"
            return [Case({"Z": Z}, label=label)]
        cases = []
        for _ in range(self.hidden_trials):
            m, k = (int(n) for n in rng.integers(2, 8, size=2))
            offsets = rng.choice([-900.0, -50.0, 0.0, 50.0, 900.0], size=(m, 1))
            Z = rng.normal(0, 3, (m, k)) + offsets
            # One row spans more than 709 on both sides of its other entries, so that
            # e^(z - min) overflows as surely as e^z does.
            Z[0, 0], Z[0, 1] = Z[0, 0] + 800.0, Z[0, 1] - 800.0
            cases.append(Case({"Z": Z}, label=f"shape ({m}, {k}), row 0 spanning about 1600"))
        return cases

    def judge(self, case, outputs):
        Z = case.inputs["Z"]
        shifted = np.exp(Z - Z.max(axis=1, keepdims=True))
        mistakes = {
            f"{OVERFLOW}: e^z is inf for z above about 709. Subtract each row's maximum "
            "before exp(): it cancels between numerator and denominator": naive(
                lambda: np.exp(Z) / np.exp(Z).sum(axis=1, keepdims=True)
            ),
            "the max of the whole array was subtracted: rows far below it underflow to 0/0. "
            "Subtract each row's own max, Z.max(axis=1, keepdims=True)": naive(
                lambda: np.exp(Z - Z.max()) / np.exp(Z - Z.max()).sum(axis=1, keepdims=True)
            ),
            f"{OVERFLOW} after subtracting each row's minimum: z - min reaches the row's whole "
            "spread, above 709 here. Subtract the maximum, so that every exponent is at most "
            "0": naive(
                lambda: (
                    np.exp(Z - Z.min(axis=1, keepdims=True))
                    / np.exp(Z - Z.min(axis=1, keepdims=True)).sum(axis=1, keepdims=True)
                )
            ),
            "normalised over the wrong axis: each row (one example) must sum to 1, "
            "so sum with axis=1, keepdims=True": shifted / shifted.sum(axis=0, keepdims=True),
            "normalised over the whole array: each row (one example) must sum to 1 on its own, "
            "so sum with axis=1, keepdims=True": shifted / shifted.sum(),
            "the exp() is missing: softmax divides e^z, not z, by the row's sum": naive(
                lambda: Z / Z.sum(axis=1, keepdims=True)
            ),
        }
        if Z.shape[0] == Z.shape[1]:  # only then does a max without keepdims broadcast
            unkept = naive(lambda: np.exp(Z - Z.max(axis=1)))
            mistakes[
                "the row maxima were subtracted without keepdims=True, so numpy lined "
                "them up with the columns"
            ] = naive(lambda: unkept / unkept.sum(axis=1, keepdims=True))
        compare("A", outputs, softmax(Z), mistakes=mistakes)


@register
class BinaryCrossEntropy(Exercise):
    """binary_cross_entropy(A, Y) -> J, averaged over the batch, summed over outputs."""

    name = "binary_cross_entropy"
    reference = ("nnlib.losses.binary_cross_entropy",)

    def cases(self, rng, hidden):
        if not hidden:
            A = np.array([[0.9, 0.2], [0.3, 0.6], [1.0, 0.0]])
            Y = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 0.0]])
            return [Case({"A": A, "Y": Y}, label="3 examples, 2 labels, one row certain")]
        cases = []
        for _ in range(self.hidden_trials):
            m, k = int(rng.integers(2, 9)), int(rng.integers(1, 4))
            Y = (rng.random((m, k)) < 0.5).astype(np.float64)
            A = rng.uniform(0.01, 0.99, (m, k))
            # One certain and correct prediction: an exact 0 or 1 that a bare log() cannot take.
            A[0, 0] = Y[0, 0]
            cases.append(Case({"A": A, "Y": Y}, label=f"m={m}, k={k}"))
        return cases

    def judge(self, case, outputs):
        A, Y = case.inputs.values()
        m, k = A.shape
        expected = binary_cross_entropy(A, Y)[0]
        mistakes = {
            f"{LOG_ZERO}: an A of exactly 0 or 1 makes 0 · log(0) = nan. Clip A into "
            "[ε, 1 − ε] before the log (see the docstring for ε)": naive(
                lambda: -np.sum(Y * np.log(A) + (1 - Y) * np.log(1 - A)) / m
            ),
            "averaged over all m·k entries: sum over the outputs, then average over "
            "the m examples only": expected / k if k > 1 else None,
            "only the y·log(a) term: (1 − y)·log(1 − a) is what scores the labels "
            "that are 0": -np.sum(Y * np.log(np.clip(A, EPS, 1 - EPS))) / m,
        }
        mistakes |= known.batch_scale("J", expected, m)
        compare("J", expect_scalar("J", outputs, batch=m), expected, mistakes=mistakes)


@register
class CategoricalCrossEntropy(Exercise):
    """categorical_cross_entropy(A, Y) -> J, averaged over the batch."""

    name = "categorical_cross_entropy"
    reference = ("nnlib.losses.categorical_cross_entropy",)

    def cases(self, rng, hidden):
        if not hidden:
            A = np.array([[0.2, 0.6, 0.2], [0.7, 0.2, 0.1], [0.0, 0.0, 1.0]])
            Y = np.array([[0.0, 1.0, 0.0], [1.0, 0.0, 0.0], [0.0, 0.0, 1.0]])
            return [Case({"A": A, "Y": Y}, label="3 examples, 3 classes, one row certain")]
        cases = []
        for _ in range(self.hidden_trials):
            m, k = int(rng.integers(2, 9)), int(rng.integers(2, 6))
            Y = random_one_hot(rng, m, k)
            A = softmax(rng.normal(0, 2, (m, k)))
            A[0] = Y[0]  # a certain, correct row: its zeros break a bare log()
            cases.append(Case({"A": A, "Y": Y}, label=f"m={m}, k={k}"))
        return cases

    def judge(self, case, outputs):
        A, Y = case.inputs.values()
        m, k = A.shape
        expected = categorical_cross_entropy(A, Y)[0]
        mistakes = {
            f"{LOG_ZERO}: a probability of exactly 0 makes 0 · log(0) = nan. Clip A into "
            "[ε, 1 − ε] before the log (see the docstring for ε)": naive(
                lambda: -np.sum(Y * np.log(A)) / m
            ),
            "averaged over all m·k entries: sum over the classes, then average over "
            "the m examples only": expected / k,
            "this is the binary cross-entropy: with softmax the classes exclude each other, "
            "so only −Σ y·log(a) (the true class) counts": binary_cross_entropy(A, Y)[0],
        }
        mistakes |= known.batch_scale("J", expected, m)
        compare("J", expect_scalar("J", outputs, batch=m), expected, mistakes=mistakes)
