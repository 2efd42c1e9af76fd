"""Lesson 09's graded exercises: inverted dropout forward (training and evaluation) and backward.

The mask convention is fixed so that a check can be exact: ``p`` is the probability of
dropping a unit, ``keep = rng.random(X.shape) >= p`` is drawn once, and the kept units are
scaled by ``1 / (1 - p)``. Each exercise names the usual mistakes: no rescaling, keep and
drop swapped, ``1 / p`` for ``1 / (1 - p)``, one mask for the whole batch, a mask drawn some
other way, a new mask in the backward pass. The backward pass is linear, so central differences
taken at a small point are exact to rounding; a hidden case with a large upstream gradient fails
them when they are taken at dA, and nnlib's numerical helpers are cut out while grading.
"""

from __future__ import annotations

import numpy as np

from grader import mistakes
from grader.checks import check_gradient, compare
from grader.exercise import Case, Exercise, register
from grader.exercises.l05_backprop import NUMERICAL_HELPERS
from grader.kit import expect_tuple
from nnlib.dropout import dropout_backward, dropout_forward

# An upstream gradient near 10⁷: central differences of the forward pass taken at dA lose more
# than 1e-6 of relative accuracy to rounding there (median 7e-5 over 100 seeds; an ulp of 10⁷ is
# 1.9e-9, against 2h = 2e-5), ten times the threshold or more.
LARGE = 1e7

_VISIBLE_X = np.array(
    [
        [1.0, 2.0, 3.0, 4.0, 5.0],
        [-1.0, 0.5, 2.5, -3.0, 1.5],
        [2.0, -2.0, 1.0, -1.0, 3.0],
        [0.5, 1.0, -0.5, 2.0, -4.0],
    ]
)


def inverted_dropout_of(A, X, p: float):
    """What ``A`` would be if it were inverted dropout of ``X`` with the student's own mask.

    A, X: arrays of the same shape. Returns X * (A != 0) / (1 - p), or None when the shapes
    differ; it equals A exactly when every entry of A is either 0 or X / (1 - p), i.e. when
    only the mask differs from the expected one.
    """
    try:
        A = np.asarray(A, dtype=np.float64)
    except (TypeError, ValueError):
        return None
    if A.shape != X.shape:
        return None
    return X * (A != 0) / (1 - p)


@register
class DropoutForward(Exercise):
    """dropout_forward(X, p, rng, training=True) -> (A, keep)."""

    name = "dropout_forward"
    reference = ("nnlib.dropout.dropout_forward", "nnlib.dropout.Dropout")

    def cases(self, rng, hidden):
        if not hidden:
            return [
                Case({"X": _VISIBLE_X, "p": 0.2, "seed": 0, "training": True}, label="training"),
                Case(
                    {"X": _VISIBLE_X, "p": 0.2, "seed": 0, "training": False},
                    label="evaluation",
                ),
            ]
        cases = []
        for label, p, training in [
            ("training", rng.uniform(0.3, 0.7), True),
            ("training, p = 0", 0.0, True),
            ("evaluation", rng.uniform(0.1, 0.8), False),
        ]:
            # Enough rows and columns that two rows' masks, or a mask and a shifted one,
            # never coincide by chance.
            m, n = rng.integers(4, 9), rng.integers(6, 11)
            inputs = {
                "X": rng.normal(size=(m, n)),
                "p": float(p),
                "seed": int(rng.integers(2**31)),
                "training": training,
            }
            cases.append(Case(inputs, label=label))
        return cases

    def call(self, fn, inputs):
        rng = np.random.default_rng(inputs["seed"])
        return fn(inputs["X"], inputs["p"], rng, training=inputs["training"])

    def judge(self, case, outputs):
        __tracebackhide__ = True
        X, p, seed = case.inputs["X"], case.inputs["p"], case.inputs["seed"]
        A, keep = expect_tuple(self.name, outputs, ("A", "keep"))
        expected_A, expected_keep = dropout_forward(X, p, np.random.default_rng(seed))
        if not case.inputs["training"]:
            compare(
                "A",
                A,
                X,
                mistakes={
                    "in evaluation mode dropout is the identity, but units were dropped: "
                    "only draw a mask when training is True": expected_A,
                    "A was multiplied by (1 - p) in evaluation mode: that is the other "
                    "convention (scale at test time); with inverted dropout the scaling "
                    "already happened during training, so evaluation returns X": X * (1 - p),
                    "A was divided by (1 - p) in evaluation mode: return X unchanged": X / (1 - p),
                },
            )
            return

        row = np.random.default_rng(seed).random(X.shape[1])
        # With p = 0 most variants below equal the right answer, and compare passes them over.
        found = mistakes.dropout_forward("A", X, expected_keep, p) | {
            "the kept units were divided by p: p is the probability of DROPPING, so "
            "the kept units are divided by (1 - p)": X * expected_keep / p,
            "the kept units were multiplied by (1 - p) instead of divided by it": X
            * expected_keep
            * (1 - p),
            "one mask row was shared by the whole batch: draw one number per entry of X "
            "with rng.random(X.shape), so that each example drops its own units": X
            * (row >= p)
            / (1 - p),
            "the scaling is right but the mask is not the expected one: draw it exactly "
            "once as `keep = rng.random(X.shape) >= p`, with the rng you were given and "
            "nothing else drawn from it first": inverted_dropout_of(A, X, p),
        }
        compare("A", A, expected_A, mistakes=found)
        compare(
            "keep",
            keep,
            expected_keep,
            mistakes={
                "keep marks the dropped units: it should be True (1) where a unit is KEPT, "
                "i.e. `rng.random(X.shape) >= p`": ~expected_keep,
                "keep was scaled: return the 0/1 mask itself and do the 1/(1 - p) "
                "scaling in A only": expected_keep / (1 - p),
            },
        )


@register
class DropoutBackward(Exercise):
    """dropout_backward(dA, keep, p) -> dX."""

    name = "dropout_backward"
    reference = ("nnlib.dropout.dropout_backward", "nnlib.dropout.Dropout", *NUMERICAL_HELPERS)

    def cases(self, rng, hidden):
        if not hidden:
            keep = np.random.default_rng(0).random(_VISIBLE_X.shape) >= 0.2
            return [Case({"dA": _VISIBLE_X[::-1].copy(), "keep": keep, "p": 0.2})]
        cases = []
        for scale in (1.0, 1.0, LARGE):
            p = rng.uniform(0.1, 0.8)
            m = int(rng.integers(2, 9))
            shape = (m, int(rng.choice([n for n in range(2, 11) if n != m])))  # not square
            keep = rng.random(shape) >= p
            dA = scale * rng.normal(size=shape)
            cases.append(Case({"dA": dA, "keep": keep, "p": float(p)}, label=f"|dA| ~ {scale:g}"))
        return cases

    def judge(self, case, outputs):
        __tracebackhide__ = True
        dA, keep, p = case.inputs.values()
        specific = {
            "keep and drop are swapped: the gradient flows through the units where keep is True": dA
            * ~keep
            / (1 - p),
            "dX was divided by p: p is the probability of DROPPING, divide by (1 - p)": dA
            * keep
            / p,
            "the mask is missing: a dropped unit did not affect the output, so its "
            "gradient is 0; multiply by keep": dA / (1 - p),
            "dX equals dA: the gradient must pass through the same mask and scale as the "
            "forward pass": dA,
        }
        check_gradient(
            "dX",
            outputs,
            lambda X: X * keep / (1 - p),  # the forward pass with this mask
            np.zeros_like(dA),  # it is linear in X, so any X will do
            dA,
            expected=dropout_backward(dA, keep, p),
            mistakes=specific | mistakes.dropout_backward("dX", dA, keep, p),
        )
