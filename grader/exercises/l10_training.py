"""Lesson 10's training pieces, graded on what their steps compute: one penalised gradient step
of the digit network, and the mini-batch loop with early stopping that restores the best
parameters.

The conventions the exercises state and the checks hold: J = cross-entropy (mean over the
batch) + λ Σ w² over the weights only, whose gradient adds 2λW to dW; each epoch visits the
examples in the order ``rng.permutation(m)``, in batches of ``batch_size`` (the last one
smaller); after each epoch the costs of the whole training and validation sets, without the
penalty; an epoch improves when its validation cost is strictly below the best so far, and
training stops when ``patience`` epochs in a row have not improved.
"""

from __future__ import annotations

import numpy as np

from grader.checks import compare
from grader.exercise import Case, Exercise, register
from grader.exercises.l05_network import distinct_sizes, expect_pairs, random_network
from grader.exercises.l10_network import one_hot_rows
from grader.failures import every_part
from grader.kit import expect_dict, expect_scalar, expect_tuple
from nnlib import classifier
from nnlib.losses import softmax_cross_entropy

HISTORY_KEYS = ("train_cost", "val_cost", "val_accuracy", "best_epoch")


def _penalty(params, lam: float, biases: bool = False, factor: float = 1.0) -> float:
    """factor · λ Σ w² over the weights (and the biases too, when ``biases``)."""
    return factor * lam * sum(np.sum(W**2) + (np.sum(b**2) if biases else 0) for W, b in params)


@register
class NetworkStep(Exercise):
    """network_step(params, X, Y, lr, lam) -> (J, new_params), one step on CE + λ Σ w²."""

    name = "network_step"
    reference = ("nnlib.classifier.train_step", "nnlib.mlp.train_step", "nnlib.training.fit")

    def cases(self, rng, hidden):
        plans = (
            [([3, 4, 3], 5, 0.5, 0.1)]
            if not hidden
            else [
                (distinct_sizes(rng, depth + 1), int(rng.integers(5, 10)), lr, lam)
                for depth, lr, lam in zip(
                    (1, 2, 3), rng.uniform(0.1, 1.0, 3), rng.uniform(0.02, 0.3, 3), strict=True
                )
            ]
        )
        cases = []
        for sizes, m, lr, lam in plans:
            params, X = random_network(rng, sizes, m)
            inputs = {"params": params, "X": X, "Y": one_hot_rows(rng, m, sizes[-1])}
            inputs |= {"lr": float(lr), "lam": float(lam)}
            cases.append(
                Case(inputs, label=f"layer sizes {sizes}, m={m}, lr={lr:.3g}, λ={lam:.3g}")
            )
        return cases

    def judge(self, case, outputs):
        J, new_params = expect_tuple("network_step", outputs, ("J", "new_params"), numbers=("J",))
        params, X, Y, lr, lam = case.inputs.values()
        expected_J, expected = classifier.train_step(params, X, Y, lr, lam)
        Z, caches = classifier.network_forward(X, params)
        cross_entropy, dZ = softmax_cross_entropy(Z, Y)
        grads = classifier.network_backward(dZ, caches)
        J_checks = {
            "J lacks the penalty: J = cross-entropy + λ Σ w²": cross_entropy,
            "the penalty counted the biases too: λ Σ w² runs over the weights only": (
                cross_entropy + _penalty(params, lam, biases=True)
            ),
            "the penalty is ½λ Σ w² (another course's convention); this course uses λ Σ w²": (
                cross_entropy + _penalty(params, lam, factor=0.5)
            ),
            "J was computed after the update: report the cost of the parameters you were "
            "given (the one the gradient belongs to)": classifier.train_step(
                expected, X, Y, lr, lam
            )[0],
        }
        steps = []
        for (W, b), (dW, db) in zip(params, grads, strict=True):
            slips = {
                "W": {
                    "the penalty's gradient 2λW is missing from the weights' step": W - lr * dW,
                    "the penalty's gradient is λW: the derivative of λ w² is 2λw": (
                        W - lr * (dW + lam * W)
                    ),
                    "the step went uphill: θ ← θ − lr ∂J/∂θ": W + lr * (dW + 2 * lam * W),
                    "the learning rate is missing: θ ← θ − lr ∂J/∂θ": W - (dW + 2 * lam * W),
                    "the weights were not updated": W,
                },
                "b": {
                    "the biases were penalised: the penalty and its gradient are for the "
                    "weights only": b - lr * (db + 2 * lam * b),
                    "the step went uphill: θ ← θ − lr ∂J/∂θ": b + lr * db,
                    "the learning rate is missing: θ ← θ − lr ∂J/∂θ": b - db,
                    "the biases were not updated": b,
                },
            }
            steps.append(slips)
        new = expect_pairs("network_step", new_params, len(params), ("W", "b"))

        def parameters_right():
            for layer, slips in enumerate(steps):
                for index, name in enumerate(("W", "b")):
                    compare(
                        f"layer {layer + 1}'s {name}, after the step",
                        new[layer][index],
                        expected[layer][index],
                        mistakes=slips[name],
                    )

        every_part(
            lambda: compare("J", expect_scalar("J", J), expected_J, mistakes=J_checks),
            parameters_right,
        )


def fit_variant(settings, rng, mistake: str):
    """What ``fit`` returns with a known mistake: (params, history) as nnlib.classifier.fit.

    settings: its arguments but the last, (params, X, Y, X_val, Y_val, lr, lam, epochs,
    batch_size, patience).  rng: the Generator it is given.
    mistake: "last" (the last epoch's parameters returned, not the best), "in order" (no
    shuffle: the examples in their order every epoch), "drop last" (the last, smaller batch
    of each epoch skipped), or "late" (stopped when the wait exceeds patience, one epoch late).
    """
    params, X, Y, X_val, Y_val, lr, lam, epochs, batch_size, patience = settings
    history = {key: [] for key in HISTORY_KEYS[:3]} | {"best_epoch": 0}
    best, best_cost, waited, m = params, np.inf, 0, X.shape[0]
    for epoch in range(epochs):
        order = np.arange(m) if mistake == "in order" else rng.permutation(m)
        end = m - m % batch_size if mistake == "drop last" else m
        for start in range(0, end, batch_size):
            batch = order[start : start + batch_size]
            params = classifier.train_step(params, X[batch], Y[batch], lr, lam)[1]
        for key, (data, targets) in (("train_cost", (X, Y)), ("val_cost", (X_val, Y_val))):
            history[key].append(
                softmax_cross_entropy(classifier.network_forward(data, params)[0], targets)[0]
            )
        Z_val = classifier.network_forward(X_val, params)[0]
        history["val_accuracy"].append(float(np.mean(Z_val.argmax(1) == Y_val.argmax(1))))
        if history["val_cost"][-1] < best_cost:
            best, best_cost, waited, history["best_epoch"] = (
                params,
                history["val_cost"][-1],
                0,
                epoch,
            )
        else:
            waited += 1
            if waited > patience if mistake == "late" else waited >= patience:
                break
    return (params if mistake == "last" else best), history


FIT_SLIPS = {
    "last": "the parameters of the last epoch were returned: return those of the epoch with "
    "the lowest validation cost (keep them when it improves)",
    "in order": "the examples were visited in the same order every epoch: shuffle each epoch "
    "with order = rng.permutation(m)",
    "drop last": "the last, smaller batch of each epoch was skipped: when batch_size does not "
    "divide m, the rest of the examples form one more batch",
    "late": "training stopped one epoch late: stop as soon as `patience` epochs in a row have "
    "not improved",
}

NEVER_KEPT = (
    "best_params are the parameters you started from: when an epoch improves, keep the "
    "parameters it reached as the best ones"
)


@register
class FitNetwork(Exercise):
    """fit_network(params, X, Y, X_val, Y_val, lr, lam, epochs, batch_size, patience, rng)
    -> (best_params, history)."""

    name = "fit_network"
    reference = ("nnlib.classifier.fit", "nnlib.training.fit", "nnlib.training.train_epoch")

    def cases(self, rng, hidden):
        if not hidden:
            # A fixed draw whose validation cost falls, rises, falls to its best at epoch 3,
            # then rises for `patience` epochs: every rule of the loop shows in it.
            return [self._case(np.random.default_rng(4), [3, 5, 3], 10, 4, "consistent")]
        # Validation labels that follow the training rule, then labels one class off, drawn
        # until the validation cost turns up and training stops early, after its best epoch;
        # batch sizes that divide m, and not.
        return [
            self._case(rng, distinct_sizes(rng, 3), 12, 4, "consistent"),
            self._stopping_case(rng, 14, 4, 3),
            self._stopping_case(rng, 11, 3, 2),
        ]

    def _stopping_case(self, rng, m, batch_size, depth):
        """A case with shifted validation labels in which early stopping ends the run, at
        least one epoch after the best one."""
        while True:
            case = self._case(rng, distinct_sizes(rng, depth), m, batch_size, "shifted")
            *settings, seed = case.inputs.values()
            history = classifier.fit(*settings, np.random.default_rng(seed))[1]
            if len(history["val_cost"]) < case.inputs["epochs"]:
                return case

    @staticmethod
    def _case(rng, sizes, m, batch_size, validation):
        """A small problem whose labels come from a random linear rule of the inputs."""
        params, X = random_network(rng, sizes, m, scale=0.5)
        rule = rng.normal(size=(sizes[0], sizes[-1]))
        X_val = rng.normal(size=(7, sizes[0]))
        labels_val = np.argmax(X_val @ rule, axis=1)
        if validation != "consistent":
            labels_val = (labels_val + 1) % sizes[-1]
        inputs = {
            "params": params,
            "X": X,
            "Y": np.eye(sizes[-1])[np.argmax(X @ rule, axis=1)],
            "X_val": X_val,
            "Y_val": np.eye(sizes[-1])[labels_val],
            "lr": 0.5,
            "lam": 0.01,
            "epochs": 8,
            "batch_size": batch_size,
            "patience": 2,
            "seed": int(rng.integers(2**31)),
        }
        label = f"layer sizes {sizes}, m={m}, batch_size {batch_size}, {validation} validation"
        return Case(inputs, label=label)

    def call(self, fn, inputs):
        *settings, seed = inputs.values()
        return fn(*settings, np.random.default_rng(seed))

    def judge(self, case, outputs):
        best, history = expect_tuple("fit_network", outputs, ("best_params", "history"))
        history = expect_dict("fit_network", history, HISTORY_KEYS, item="history")
        *settings, seed = case.inputs.values()
        expected_best, expected = classifier.fit(*settings, np.random.default_rng(seed))
        variants = {
            slip: fit_variant(settings, np.random.default_rng(seed), slip) for slip in FIT_SLIPS
        }
        for key in HISTORY_KEYS:
            compare(
                f"history[{key!r}]",
                history[key],
                expected[key],
                mistakes={FIT_SLIPS[slip]: variants[slip][1][key] for slip in FIT_SLIPS},
            )
        got = expect_pairs("fit_network", best, len(expected_best), ("W", "b"))
        for layer, pair in enumerate(expected_best):
            for index, name in enumerate(("W", "b")):
                compare(
                    f"best_params: layer {layer + 1}'s {name}",
                    got[layer][index],
                    pair[index],
                    mistakes={
                        FIT_SLIPS[slip]: variants[slip][0][layer][index] for slip in FIT_SLIPS
                    }
                    | {NEVER_KEPT: case.inputs["params"][layer][index]},
                )
