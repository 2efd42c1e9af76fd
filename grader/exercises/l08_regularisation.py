"""Lesson 08, regularisation: the L1 and L2 penalties with their gradients. (Early stopping is
in l08_early_stopping.)

The course's convention: L2 adds λ Σ w² to the cost, with gradient 2λw; L1 adds
λ Σ |w|, with gradient λ·sign(w) and sign(0) = 0. Only weights are penalised, never biases.
In these exercises the parameters are a dict: names that start with "W" are weight matrices,
names that start with "b" are bias vectors.
"""

from __future__ import annotations

import numpy as np

from grader import mistakes
from grader.checks import check_gradient, compare
from grader.exercise import Case, Exercise, register
from grader.failures import every_part
from grader.kit import expect_dict, expect_scalar, expect_tuple
from nnlib.regularizers import l1_gradient, l1_penalty, l2_gradient, l2_penalty


def _visible_params() -> dict[str, np.ndarray]:
    """A two-layer network small enough to check by hand; W1 has an exact zero for sign(0)."""
    return {
        "W1": np.array([[0.5, -1.0, 0.0], [2.0, 0.25, -0.5]]),
        "b1": np.array([0.1, -0.2, 0.3]),
        "W2": np.array([[1.0], [-2.0], [0.5]]),
        "b2": np.array([0.7]),
    }


# One weight this large in the last hidden case: central differences (h = 1e-5) of a penalty
# this size are off by far more than the threshold (rounding of about 1e-16 of the penalty,
# divided by h), so only an analytic gradient passes. The other cases keep every term of the
# penalty large enough to see.
# (nnlib's own central differences are stubbed while grading: see ``reference``.)
LARGE_WEIGHT = 1e5


def _random_params(rng: np.random.Generator, large: bool) -> dict[str, np.ndarray]:
    """1 to 3 dense layers of random sizes; about one weight in six is exactly zero, and with
    ``large`` the first weight of W1 is ±LARGE_WEIGHT."""
    sizes = rng.integers(1, 6, size=rng.integers(2, 5))
    params = {}
    for layer, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:], strict=False), start=1):
        W = rng.normal(size=(n_in, n_out))
        W[rng.random(W.shape) < 1 / 6] = 0.0
        params[f"W{layer}"] = W
        params[f"b{layer}"] = rng.normal(size=n_out)
    if large:
        params["W1"][0, 0] = LARGE_WEIGHT * rng.choice([-1.0, 1.0])
    return params


def _is_weight(name: str) -> bool:
    return name.startswith("W")


def _penalty_cases(rng: np.random.Generator, hidden: bool) -> list[Case]:
    if not hidden:
        return [Case({"params": _visible_params(), "lam": 0.1}, label="2 layers, lam=0.1")]
    cases = []
    for trial in range(5):
        params = _random_params(rng, large=trial == 4)
        lam = float(rng.uniform(0.01, 2.0))
        cases.append(Case({"params": params, "lam": lam}, label=f"{len(params) // 2} layers"))
    return cases


def _unpack(name: str, outputs, params: dict) -> tuple[float, dict]:
    """The student's (penalty, grads): a number and a dict with a gradient for every key of
    params. Raises CheckFailed saying what was returned instead."""
    __tracebackhide__ = True
    penalty, grads = expect_tuple(name, outputs, ("penalty", "grads"), numbers=("penalty",))
    penalty = expect_scalar("penalty", penalty)
    return penalty, expect_dict(name, grads, params, item="grads")


def _judge_grads(grads: dict, params: dict, penalty, gradient, weight_mistakes, bias_mistakes):
    """Check each gradient; the biases' gradients must be zeros.

    penalty(weights) -> float: nnlib's penalty of a list of weight matrices, λ fixed.
    gradient(W): nnlib's gradient of the penalty for a weight matrix W.
    weight_mistakes(name, W), bias_mistakes(name, b): {diagnosis: result} for compare.
    """
    __tracebackhide__ = True
    for key, value in params.items():
        name = f"grads[{key!r}]"
        if _is_weight(key):
            expected, known = gradient(value), weight_mistakes(name, value)
        else:
            expected, known = np.zeros_like(value), bias_mistakes(name, value)

        def total(v, key=key):
            """The penalty of all the parameters as a function of params[key] alone."""
            given = {**params, key: v}
            return penalty([W for k, W in given.items() if _is_weight(k)])

        check_gradient(name, grads[key], total, value, 1.0, expected=expected, mistakes=known)


@register
class L2Regularisation(Exercise):
    """l2_regularisation(params, lam) -> (λ Σ w² over the weights, {name: 2λW or zeros})."""

    name = "l2_regularisation"
    reference = (
        "nnlib.regularizers.l2_penalty",
        "nnlib.regularizers.l2_gradient",
        "nnlib.gradcheck.numerical_gradient",
        "nnlib.gradcheck.numerical_gradient_array",
    )

    def cases(self, rng, hidden):
        return _penalty_cases(rng, hidden)

    def judge(self, case, outputs):
        params, lam = case.inputs.values()
        penalty, grads = _unpack(self.name, outputs, params)
        weights = [value for key, value in params.items() if _is_weight(key)]
        squares = sum(float(np.sum(W**2)) for W in weights)
        every_part(
            lambda: compare(
                "penalty",
                penalty,
                l2_penalty(weights, lam),
                mistakes={
                    "the biases were penalised too; sum w² over the weight matrices only": lam
                    * sum(float(np.sum(value**2)) for value in params.values()),
                    "this is λ/2 Σ w² (the convention of CS231n's second assignment); this "
                    "course uses λ Σ w²": lam * squares / 2,
                    "λ is missing: multiply the sum of squares by lam": squares,
                    "this is λ times the mean of w², not the sum": lam
                    * sum(float(np.mean(W**2)) for W in weights),
                    "this is λ times the L2 norm; the penalty uses the squared norm Σ w²": lam
                    * np.sqrt(squares),
                    "this is the L1 penalty λ Σ |w|; L2 squares the weights": l1_penalty(
                        weights, lam
                    ),
                },
            ),
            lambda: _judge_grads(
                grads,
                params,
                lambda weights: l2_penalty(weights, lam),
                lambda W: l2_gradient(W, lam),
                lambda name, W: {
                    **mistakes.l2_gradient(name, np.zeros_like(W), W, lam),
                    "this is the L1 gradient λ·sign(w); L2's is 2λw": l1_gradient(W, lam),
                    "λ is missing: the derivative of λ w² is 2λw": 2 * W,
                },
                lambda name, b: mistakes.l2_on_bias(name, np.zeros_like(b), b, lam),
            ),
        )


@register
class L1Regularisation(Exercise):
    """l1_regularisation(params, lam) -> (λ Σ |w| over the weights, {name: λ sign(W) or zeros})."""

    name = "l1_regularisation"
    reference = (
        "nnlib.regularizers.l1_penalty",
        "nnlib.regularizers.l1_gradient",
        "nnlib.gradcheck.numerical_gradient",
        "nnlib.gradcheck.numerical_gradient_array",
    )

    def cases(self, rng, hidden):
        return _penalty_cases(rng, hidden)

    def judge(self, case, outputs):
        params, lam = case.inputs.values()
        penalty, grads = _unpack(self.name, outputs, params)
        weights = [value for key, value in params.items() if _is_weight(key)]
        every_part(
            lambda: compare(
                "penalty",
                penalty,
                l1_penalty(weights, lam),
                mistakes={
                    "the biases were penalised too; sum |w| over the weight matrices only": lam
                    * sum(float(np.sum(np.abs(value))) for value in params.values()),
                    "the absolute value is missing: λ Σ |w|, so negative weights add, "
                    "not cancel": lam * sum(float(np.sum(W)) for W in weights),
                    "λ is missing: multiply the sum of |w| by lam": sum(
                        float(np.sum(np.abs(W))) for W in weights
                    ),
                    "this is the L2 penalty λ Σ w²; L1 takes absolute values": l2_penalty(
                        weights, lam
                    ),
                    "this is λ times the mean of |w|, not the sum": lam
                    * sum(float(np.mean(np.abs(W))) for W in weights),
                },
            ),
            lambda: _judge_grads(
                grads,
                params,
                lambda weights: l1_penalty(weights, lam),
                lambda W: l1_gradient(W, lam),
                lambda name, W: {
                    "w/|w| is 0/0 where w = 0; use np.sign, whose sign(0) is 0": np.where(
                        W == 0, np.nan, lam * np.sign(W)
                    ),
                    "where w = 0 the gradient must be 0 (sign(0) = 0), not ±λ": lam
                    * np.where(W >= 0, 1.0, -1.0),
                    "a factor 2 crept in: the derivative of λ|w| is λ·sign(w), not 2λ·sign(w)": 2
                    * l1_gradient(W, lam),
                    "this is the L2 gradient 2λw; L1's is λ·sign(w)": l2_gradient(W, lam),
                    "the sign is missing: λ·sign(w) points away from zero on both sides": lam
                    * np.ones_like(W),
                },
                lambda name, b: {
                    f"{name} includes an L1 term, but the penalty applies to the weights only, "
                    "never the biases": l1_gradient(b, lam),
                },
            ),
        )
