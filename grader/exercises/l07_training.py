"""Lesson 07, training: the mini-batch iterator and one epoch of mini-batch gradient descent.

The conventions the exercises state, and the checks hold the student to:
- mini-batches: one ``order = rng.permutation(m)`` per epoch, then consecutive slices
  ``order[0:B], order[B:2B], ...``; the last batch is smaller when B does not divide m;
- one epoch: for each batch, forward, loss, backward, then ``value -= lr * grad`` for every
  parameter; return the batch costs in order.

Lesson 07's other exercises, learning-rate decay and scaling, are in l07_schedule_and_scaling.
"""

from __future__ import annotations

import numpy as np

from grader.checks import CheckFailed, compare
from grader.exercise import Case, Exercise, register
from nnlib.activations import Identity, Sigmoid, Tanh
from nnlib.layers import Dense
from nnlib.losses import LOSSES
from nnlib.model import Sequential
from nnlib.training import minibatches, train_epoch

# ---------------------------------------------------------------- the mini-batch iterator


def _epochs_of(fn, m, batch_size, seed, n_epochs=2):
    """The batches the student's iterator yields in ``n_epochs`` calls sharing one generator.

    Returns a list (one per epoch) of lists of int arrays.
    """
    rng = np.random.default_rng(seed)
    return [[np.asarray(batch) for batch in fn(m, batch_size, rng)] for _ in range(n_epochs)]


def _same(batches, others) -> bool:
    """True when two lists of index batches are equal, batch by batch."""
    return len(batches) == len(others) and all(
        np.array_equal(a, b) for a, b in zip(batches, others, strict=True)
    )


def _describe(batches) -> str:
    """'[3 1 2] [0 4]': the batches as a student would print them."""
    return " ".join(np.array2string(np.asarray(batch)) for batch in batches)


def _judge_epoch(epoch: int, got: list, expected: list, m: int, batch_size: int) -> None:
    """Say what is wrong with one epoch's batches, most telling problem first."""
    __tracebackhide__ = True
    where = f"epoch {epoch + 1}"
    sizes = [int(np.size(batch)) for batch in got]
    expected_sizes = [len(batch) for batch in expected]
    flat = np.concatenate([np.ravel(batch) for batch in got]) if got else np.array([], int)
    if flat.size and not np.all(np.equal(np.mod(flat, 1), 0)):
        raise CheckFailed(f"{where}: the batches should hold integer indices, got {flat[:5]}.")
    flat = flat.astype(np.int64)
    counts = np.bincount(flat[(flat >= 0) & (flat < m)], minlength=m)
    missing = np.flatnonzero(counts == 0)
    repeated = np.flatnonzero(counts > 1)
    if np.any((flat < 0) | (flat >= m)):
        raise CheckFailed(f"{where}: indices must lie in 0..{m - 1}; got {_describe(got)}.")
    if repeated.size:
        raise CheckFailed(
            f"{where}: index {repeated[0]} appears {counts[repeated[0]]} times; every example "
            "must appear exactly once per epoch. Draw one permutation (rng.permutation(m)), "
            "not random indices with replacement (rng.integers, rng.choice)."
        )
    if missing.size:
        hint = ""
        if sizes == expected_sizes[:-1]:
            hint = " The last, smaller batch was dropped: keep it, even if it has fewer examples."
        raise CheckFailed(
            f"{where}: example(s) {missing.tolist()} never appear; every example must appear "
            f"once per epoch.{hint}\n  Your batches: {_describe(got)}"
        )
    if sizes != expected_sizes:
        if len(sizes) == batch_size != len(expected_sizes):
            raise CheckFailed(
                f"{where}: {len(sizes)} batches of sizes {sizes}: batch_size is the number of "
                f"examples per batch, not the number of batches; expected sizes {expected_sizes}."
            )
        raise CheckFailed(
            f"{where}: batch sizes {sizes}, expected {expected_sizes} for m={m} and "
            f"batch_size={batch_size}: consecutive slices of batch_size, the last one smaller "
            "if batch_size does not divide m."
        )
    expected_flat = np.concatenate(expected)
    if np.array_equal(flat, np.arange(m)) and not np.array_equal(expected_flat, flat):
        raise CheckFailed(
            f"{where}: the batches are in the original order 0, 1, 2, ...: shuffle first, "
            "with order = rng.permutation(m)."
        )
    for number, (mine, theirs) in enumerate(zip(got, expected, strict=True), start=1):
        if not np.array_equal(mine, theirs):
            raise CheckFailed(
                f"{where}, batch {number}: every example appears once, but the order is not "
                "the one rng.permutation(m) gives. Call order = rng.permutation(m) once per "
                "epoch, on the rng you are given (not np.random, not a new generator), then "
                "slice order[0:B], order[B:2B], ...\n"
                f"  expected: {_describe(expected)}\n  got:      {_describe(got)}"
            )


@register
class MinibatchIndices(Exercise):
    """minibatch_indices(m, batch_size, rng): yields one epoch's shuffled index batches."""

    name = "minibatch_indices"
    reference = ("nnlib.training.minibatches",)

    def cases(self, rng, hidden):
        if not hidden:
            return [Case({"m": 10, "batch_size": 4, "seed": 0}, label="m=10, batch_size=4")]
        cases = []
        for _ in range(5):
            m = int(rng.integers(3, 60))
            batch_size = int(rng.integers(1, m + 3))
            seed = int(rng.integers(2**31))
            cases.append(
                Case(
                    {"m": m, "batch_size": batch_size, "seed": seed},
                    label=f"m={m}, batch_size={batch_size}",
                )
            )
        return cases

    def call(self, fn, inputs):
        return _epochs_of(fn, inputs["m"], inputs["batch_size"], inputs["seed"])

    def judge(self, case, outputs):
        __tracebackhide__ = True
        m, batch_size = case.inputs["m"], case.inputs["batch_size"]
        expected = _epochs_of(minibatches, m, batch_size, case.inputs["seed"])
        for epoch, (got, want) in enumerate(zip(outputs, expected, strict=True)):
            # With few examples two permutations can coincide, so compare with the answer key.
            if epoch == 1 and _same(got, outputs[0]) and not _same(want, expected[0]):
                raise CheckFailed(
                    "epoch 2 repeats the order of epoch 1: shuffle anew every epoch, with "
                    "the rng you are given (a new default_rng(seed) inside the function "
                    "restarts the same sequence each time)."
                )
            _judge_epoch(epoch, got, want, m, batch_size)


# ---------------------------------------------------------------- one epoch

ACTIVATIONS = {"tanh": Tanh, "sigmoid": Sigmoid, "identity": Identity}


def build_model(spec: dict) -> Sequential:
    """A dense network from plain data: spec["params"] [W1, b1, W2, b2], spec["activations"]."""
    W1, b1, W2, b2 = (np.array(value, dtype=np.float64) for value in spec["params"])
    hidden, output = (ACTIVATIONS[name]() for name in spec["activations"])
    model = Sequential([Dense(*W1.shape), hidden, Dense(*W2.shape), output])
    for (_, value, _), given in zip(model.parameters(), (W1, b1, W2, b2), strict=True):
        np.copyto(value, given)
    return model


def _values(model: Sequential) -> list[np.ndarray]:
    return [value.copy() for _, value, _ in model.parameters()]


def _mistaken_epoch(spec: dict, X, Y, batches, lr, loss: str, mistake: str):
    """The parameters and batch costs one epoch gives with a known mistake.

    mistake: "ascent" (value += lr * grad), "last batch only" (the update after the loop),
             or "whole set" (every step on all of X instead of the batch).
    Returns (list of parameter arrays, array of batch costs).
    """
    model = build_model(spec)
    costs = []
    for idx in batches:
        Xb, Yb = (X, Y) if mistake == "whole set" else (X[idx], Y[idx])
        J, dA = LOSSES[loss](model.forward(Xb, training=True), Yb)
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
    reference = ("nnlib.training.train_epoch",)

    def cases(self, rng, hidden):
        if not hidden:
            X = np.array([[0.0, 1.0], [1.0, 0.0], [1.0, 1.0], [0.5, -0.5], [-1.0, 0.5], [0.0, 0.0]])
            Y = np.array([[1.0], [0.5], [1.5], [0.0], [-0.5], [0.0]])
            return [self._case(X, Y, 3, 4, 0.1, "mse", seed=7, label="6 examples, batch_size 4")]
        cases = []
        for trial in range(5):
            m, n_in, n_hidden = (int(k) for k in rng.integers([4, 1, 1], [40, 5, 6]))
            X = rng.normal(size=(m, n_in))
            loss = "bce" if trial % 2 else "mse"
            Y = (
                (rng.random((m, 1)) < 0.5).astype(float)
                if loss == "bce"
                else rng.normal(size=(m, 1))
            )
            batch_size = int(rng.integers(1, m + 1))
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
        }
        batches = list(minibatches(X.shape[0], batch_size, np.random.default_rng(seed)))
        inputs = {"spec": spec, "X": X, "Y": Y, "batches": batches, "lr": lr, "loss": loss}
        return Case(inputs, secret={"seed": seed, "batch_size": batch_size}, label=label)

    def call(self, fn, inputs):
        model = build_model(inputs["spec"])
        X, Y, batches, lr = inputs["X"], inputs["Y"], inputs["batches"], inputs["lr"]
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
            for mistake in ("ascent", "last batch only", "whole set")
        }
        diagnoses = {
            "ascent": "the update has the wrong sign: step against the gradient, "
            "value -= lr * grad",
            "last batch only": "only one update was made, after the loop: update once per "
            "batch, inside the loop",
            "whole set": "every step used all of X: take X[idx], Y[idx] for each batch",
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
            mistakes={diagnoses["whole set"]: variants["whole set"][1]},
        )
