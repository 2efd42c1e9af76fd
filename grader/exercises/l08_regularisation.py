"""Lesson 08, regularisation: the L1 and L2 penalties with their gradients, and early stopping.

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
from grader.kit import expect_dict, expect_scalar, expect_tuple
from nnlib.regularizers import l1_gradient, l1_penalty, l2_gradient, l2_penalty
from nnlib.training import early_stopping_point


def _visible_params() -> dict[str, np.ndarray]:
    """A two-layer network small enough to check by hand; W1 has an exact zero for sign(0)."""
    return {
        "W1": np.array([[0.5, -1.0, 0.0], [2.0, 0.25, -0.5]]),
        "b1": np.array([0.1, -0.2, 0.3]),
        "W2": np.array([[1.0], [-2.0], [0.5]]),
        "b2": np.array([0.7]),
    }


def _random_params(rng: np.random.Generator) -> dict[str, np.ndarray]:
    """1 to 3 dense layers of random sizes; about one weight in six is exactly zero."""
    sizes = rng.integers(1, 6, size=rng.integers(2, 5))
    params = {}
    for layer, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:], strict=False), start=1):
        W = rng.normal(size=(n_in, n_out))
        W[rng.random(W.shape) < 1 / 6] = 0.0
        params[f"W{layer}"] = W
        params[f"b{layer}"] = rng.normal(size=n_out)
    return params


def _is_weight(name: str) -> bool:
    return name.startswith("W")


def _penalty_cases(rng: np.random.Generator, hidden: bool) -> list[Case]:
    if not hidden:
        return [Case({"params": _visible_params(), "lam": 0.1}, label="2 layers, lam=0.1")]
    cases = []
    for _ in range(5):
        params = _random_params(rng)
        lam = float(rng.uniform(0.01, 2.0))
        cases.append(Case({"params": params, "lam": lam}, label=f"{len(params) // 2} layers"))
    return cases


def _unpack(name: str, outputs, params: dict) -> tuple[float, dict]:
    """The student's (penalty, grads): a number and a dict with a gradient for every key of
    params. Raises CheckFailed saying what was returned instead."""
    __tracebackhide__ = True
    penalty, grads = expect_tuple(name, outputs, ("penalty", "grads"))
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
    reference = ("nnlib.regularizers.l2_penalty", "nnlib.regularizers.l2_gradient")

    def cases(self, rng, hidden):
        return _penalty_cases(rng, hidden)

    def judge(self, case, outputs):
        params, lam = case.inputs.values()
        penalty, grads = _unpack(self.name, outputs, params)
        weights = [value for key, value in params.items() if _is_weight(key)]
        squares = sum(float(np.sum(W**2)) for W in weights)
        compare(
            "penalty",
            penalty,
            l2_penalty(weights, lam),
            mistakes={
                "the biases were penalised too; sum w² over the weight matrices only": lam
                * sum(float(np.sum(value**2)) for value in params.values()),
                "this is λ/2 Σ w² (CS231n's convention); this course uses λ Σ w²": lam
                * squares
                / 2,
                "λ is missing: multiply the sum of squares by lam": squares,
                "this is λ times the mean of w², not the sum": lam
                * sum(float(np.mean(W**2)) for W in weights),
                "this is λ times the L2 norm; the penalty uses the squared norm Σ w²": lam
                * np.sqrt(squares),
                "this is the L1 penalty λ Σ |w|; L2 squares the weights": l1_penalty(weights, lam),
            },
        )
        _judge_grads(
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
        )


@register
class L1Regularisation(Exercise):
    """l1_regularisation(params, lam) -> (λ Σ |w| over the weights, {name: λ sign(W) or zeros})."""

    name = "l1_regularisation"
    reference = ("nnlib.regularizers.l1_penalty", "nnlib.regularizers.l1_gradient")

    def cases(self, rng, hidden):
        return _penalty_cases(rng, hidden)

    def judge(self, case, outputs):
        params, lam = case.inputs.values()
        penalty, grads = _unpack(self.name, outputs, params)
        weights = [value for key, value in params.items() if _is_weight(key)]
        compare(
            "penalty",
            penalty,
            l1_penalty(weights, lam),
            mistakes={
                "the biases were penalised too; sum |w| over the weight matrices only": lam
                * sum(float(np.sum(np.abs(value))) for value in params.values()),
                "the absolute value is missing: λ Σ |w|, so negative weights add, not cancel": lam
                * sum(float(np.sum(W)) for W in weights),
                "λ is missing: multiply the sum of |w| by lam": sum(
                    float(np.sum(np.abs(W))) for W in weights
                ),
                "this is the L2 penalty λ Σ w²; L1 takes absolute values": l2_penalty(weights, lam),
                "this is λ times the mean of |w|, not the sum": lam
                * sum(float(np.mean(np.abs(W))) for W in weights),
            },
        )
        _judge_grads(
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
        )


def _visible_curves() -> tuple[np.ndarray, np.ndarray]:
    """Validation loss reaches 0.70 at epoch 3, wobbles (a tie at epoch 5), dips lower too late."""
    train = np.array([1.00, 0.80, 0.66, 0.58, 0.52, 0.47, 0.43, 0.40, 0.37, 0.35, 0.33])
    val = np.array([1.05, 0.86, 0.76, 0.70, 0.72, 0.70, 0.74, 0.73, 0.75, 0.68, 0.71])
    return train, val


def _random_curves(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """A falling training curve and a noisy U-shaped validation curve of 8 to 40 epochs."""
    n = int(rng.integers(8, 41))
    t = np.arange(n)
    train = 0.2 + np.exp(-t / rng.uniform(3, 10)) + rng.normal(0, 0.01, n)
    turn = rng.uniform(0.2, 0.9) * n
    val = 0.4 + 0.3 * ((t - turn) / n) ** 2 + 0.5 * np.exp(-t / 4) + rng.normal(0, 0.02, n)
    # Rounded like a printed log, so that ties happen.
    return np.round(train, 2), np.round(val, 2)


def stop_point_counting_ties(val_loss, patience: int) -> tuple[int, int]:
    """The mistaken rule that counts a loss equal to the best as an improvement.

    Same inputs and outputs as ``nnlib.training.early_stopping_point``, which is the answer key.
    """
    best_epoch, waited = 0, 0
    for epoch in range(1, len(val_loss)):
        if val_loss[epoch] <= val_loss[best_epoch]:
            best_epoch, waited = epoch, 0
        else:
            waited += 1
            if waited == patience:
                return best_epoch, epoch
    return best_epoch, len(val_loss) - 1


@register
class EarlyStopping(Exercise):
    """early_stopping(train_loss, val_loss, patience) -> (best_epoch, stop_epoch)."""

    name = "early_stopping"
    reference = ("nnlib.training.early_stopping_point",)

    def cases(self, rng, hidden):
        if not hidden:
            train, val = _visible_curves()
            return [Case({"train_loss": train, "val_loss": val, "patience": 3}, label="patience 3")]
        cases = []
        for _ in range(6):
            train, val = _random_curves(rng)
            patience = int(rng.integers(1, 6))
            cases.append(
                Case(
                    {"train_loss": train, "val_loss": val, "patience": patience},
                    label=f"{len(val)} epochs, patience {patience}",
                )
            )
        return cases

    def judge(self, case, outputs):
        __tracebackhide__ = True
        train, val, patience = case.inputs.values()
        best_epoch, stop_epoch = expect_tuple(self.name, outputs, ("best_epoch", "stop_epoch"))
        best, stop = early_stopping_point(val, patience)
        on_train = early_stopping_point(train, patience)
        ties = stop_point_counting_ties(val, patience)
        watched_train = "you watched the training loss; early stopping watches the validation loss"
        compare(
            "best_epoch",
            best_epoch,
            best,
            mistakes={
                "this is the lowest loss of the whole curve; early stopping cannot see the "
                "epochs after it stops": int(np.argmin(val)),
                watched_train: on_train[0],
                "a loss equal to the best is not an improvement; keep the first epoch that "
                "reached it": ties[0],
                "epochs are counted from 0 here, as Python indexes": best + 1,
            },
        )
        compare(
            "stop_epoch",
            stop_epoch,
            stop,
            mistakes={
                watched_train: on_train[1],
                "a loss equal to the best is not an improvement; it counts as a wait": ties[1],
                "one epoch too late: stop_epoch is the index (from 0) of the epoch whose wait "
                "reaches patience, not the number of epochs run": stop + 1,
                "one epoch too early: stop when `patience` epochs in a row have not improved, "
                "not patience - 1": early_stopping_point(val, max(patience - 1, 1))[1]
                if patience > 1
                else None,
            },
        )
