"""Lesson 07, training: one epoch of mini-batch gradient descent, checked on what its steps do.

The convention the exercise states, and the check holds the student to: for each batch, in
the order given, forward (with training=True), loss, backward, then ``value -= lr * grad`` for
every parameter; return the batch costs in order. The check's networks have a dropout layer,
so that a forward pass without training=True shows, and the batches come as a generator, as
``minibatch_indices`` gives them. (The mini-batch iterator is in l07_training.)
"""

from __future__ import annotations

import numpy as np

from grader.checks import compare
from grader.exercise import Case, Exercise, register
from grader.exercises.l07_training import batch_size_for
from nnlib.activations import Identity, Sigmoid, Tanh
from nnlib.dropout import Dropout
from nnlib.layers import Dense
from nnlib.losses import LOSSES
from nnlib.model import Sequential
from nnlib.training import minibatches, train_epoch

ACTIVATIONS = {"tanh": Tanh, "sigmoid": Sigmoid, "identity": Identity}


def build_model(spec: dict) -> Sequential:
    """A dense network from plain data: spec["params"] [W1, b1, W2, b2], spec["activations"],
    and a dropout layer after the hidden activation, spec["dropout"] = [p, seed], so that a
    forward pass without training=True shows in the parameters."""
    W1, b1, W2, b2 = (np.array(value, dtype=np.float64) for value in spec["params"])
    hidden, output = (ACTIVATIONS[name]() for name in spec["activations"])
    p, seed = spec["dropout"]
    model = Sequential([Dense(*W1.shape), hidden, Dropout(p, seed=seed), Dense(*W2.shape), output])
    for (_, value, _), given in zip(model.parameters(), (W1, b1, W2, b2), strict=True):
        np.copyto(value, given)
    return model


def _values(model: Sequential) -> list[np.ndarray]:
    return [value.copy() for _, value, _ in model.parameters()]


def _mistaken_epoch(spec: dict, X, Y, batches, lr, loss: str, mistake: str):
    """The parameters and batch costs one epoch gives with a known mistake.

    mistake: "ascent" (value += lr * grad), "last batch only" (the update after the loop),
             "whole set" (every step on all of X instead of the batch), or "not training"
             (forward without training=True, so dropout is off).
    Returns (list of parameter arrays, array of batch costs).
    """
    model = build_model(spec)
    costs = []
    for idx in batches:
        Xb, Yb = (X, Y) if mistake == "whole set" else (X[idx], Y[idx])
        J, dA = LOSSES[loss](model.forward(Xb, training=mistake != "not training"), Yb)
        model.backward(dA)
        costs.append(J)
        if mistake != "last batch only":
            for _, value, grad in model.parameters():
                value -= (-lr if mistake == "ascent" else lr) * grad
    if mistake == "last batch only":
        for _, value, grad in model.parameters():
            value -= lr * grad
    return _values(model), np.array(costs)


def _correct_costs(spec: dict, X, Y, batches, lr, loss: str) -> np.ndarray:
    """The batch costs of a correct epoch, each computed before its batch's update."""
    model = build_model(spec)
    costs = []
    for idx in batches:
        J, dA = LOSSES[loss](model.forward(X[idx], training=True), Y[idx])
        model.backward(dA)
        costs.append(J)
        for _, value, grad in model.parameters():
            value -= lr * grad
    return np.array(costs)


PARAMETER_NAMES = ("W1", "b1", "W2", "b2")


@register
class TrainEpoch(Exercise):
    """train_epoch(model, X, Y, batches, lr, loss) -> the batch costs; updates model in place."""

    name = "train_epoch"
    reference = ("nnlib.training.train_epoch", "nnlib.training.train_batches")

    def cases(self, rng, hidden):
        if not hidden:
            X = np.array([[0.0, 1.0], [1.0, 0.0], [1.0, 1.0], [0.5, -0.5], [-1.0, 0.5], [0.0, 0.0]])
            Y = np.array([[1.0], [0.5], [1.5], [0.0], [-0.5], [0.0]])
            return [self._case(X, Y, 3, 4, 0.1, "mse", seed=7, label="6 examples, batch_size 4")]
        cases = []
        for trial in range(5):
            m, n_in, n_hidden = (int(k) for k in rng.integers([4, 1, 2], [40, 5, 6]))
            X = rng.normal(size=(m, n_in))
            loss = "bce" if trial % 2 else "mse"
            Y = (
                (rng.random((m, 1)) < 0.5).astype(float)
                if loss == "bce"
                else rng.normal(size=(m, 1))
            )
            batch_size = batch_size_for(rng, m, trial)
            lr = float(rng.uniform(0.05, 0.5))
            seed = int(rng.integers(2**31))
            label = f"{m} examples, batch_size {batch_size}, loss {loss}"
            cases.append(self._case(X, Y, n_hidden, batch_size, lr, loss, seed, label))
        return cases

    @staticmethod
    def _case(X, Y, n_hidden, batch_size, lr, loss, seed, label):
        """A case: a fresh 2-layer network, tanh then identity (mse) or sigmoid (bce)."""
        rng = np.random.default_rng(seed)
        model = Sequential(
            [Dense(X.shape[1], n_hidden, rng=rng), Tanh(), Dense(n_hidden, 1, rng=rng)]
        )
        params = [value.copy() for _, value, _ in model.parameters()]
        params[1] = rng.normal(0, 0.1, size=n_hidden)  # non-zero biases, so a bias slip shows
        spec = {
            "params": params,
            "activations": ["tanh", "identity" if loss == "mse" else "sigmoid"],
            "dropout": [0.25, seed],
        }
        batches = list(minibatches(X.shape[0], batch_size, np.random.default_rng(seed)))
        inputs = {"spec": spec, "X": X, "Y": Y, "batches": batches, "lr": lr, "loss": loss}
        return Case(inputs, secret={"seed": seed, "batch_size": batch_size}, label=label)

    def call(self, fn, inputs):
        model = build_model(inputs["spec"])
        X, Y, batches, lr = inputs["X"], inputs["Y"], inputs["batches"], inputs["lr"]
        # A generator, as minibatch_indices gives: it can be looped over once, not indexed.
        batches = (np.array(idx) for idx in batches)
        costs = fn(model, X, Y, batches, lr, LOSSES[inputs["loss"]])
        return {"costs": costs, "params": _values(model)}

    def judge(self, case, outputs):
        __tracebackhide__ = True
        spec, X, Y, batches, lr, loss = (
            case.inputs[key] for key in ("spec", "X", "Y", "batches", "lr", "loss")
        )
        model = build_model(spec)
        rng = np.random.default_rng(case.secret["seed"])
        train_epoch(model, X, Y, loss=loss, lr=lr, batch_size=case.secret["batch_size"], rng=rng)
        variants = {
            mistake: _mistaken_epoch(spec, X, Y, batches, lr, loss, mistake)
            for mistake in ("ascent", "last batch only", "whole set", "not training")
        }
        diagnoses = {
            "ascent": "the update has the wrong sign: step against the gradient, "
            "value -= lr * grad",
            "last batch only": "only one update was made, after the loop: update once per "
            "batch, inside the loop",
            "whole set": "every step used all of X: take X[idx], Y[idx] for each batch",
            "not training": "the forward pass ran in evaluation mode, so dropout was off: "
            "call model.forward(X[idx], training=True) while training",
        }
        for number, (name, expected) in enumerate(
            zip(PARAMETER_NAMES, _values(model), strict=True)
        ):
            initial = np.asarray(spec["params"][number])
            compare(
                f"{name} after the epoch",
                outputs["params"][number],
                expected,
                mistakes={
                    "the parameters did not change: call model.backward(dA) before the "
                    "update, and update each array in place (value -= lr * grad); "
                    "`value = value - lr * grad` only rebinds a local name and the model "
                    "never sees it": initial,
                    **{diagnoses[key]: params[number] for key, (params, _) in variants.items()},
                },
            )
        compare(
            "costs",
            outputs["costs"],
            _correct_costs(spec, X, Y, batches, lr, loss),
            mistakes={
                diagnoses["whole set"]: variants["whole set"][1],
                diagnoses["not training"]: variants["not training"][1],
            },
        )
