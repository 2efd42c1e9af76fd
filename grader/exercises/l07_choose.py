"""Lesson 07, choosing the learning rate and the batch size by validation cost.

The student writes ``choose_by_validation(candidates, train_network, data, loss)``: train one
network per (lr, batch_size) candidate with the given ``train_network``, measure each on the
validation set, keep the lowest, and only then measure that one network on the test set,
once. It is graded on what it computes: the validation costs, the chosen pair and the test
cost, against the same trainings here. Every case is built so that the training, validation
and test costs each point to a different candidate, so choosing by the wrong set always
shows; the networks handed to the student count how often they are evaluated on the test
inputs, so that measuring every candidate on the test set shows too.
"""

from __future__ import annotations

import numpy as np

from grader.checks import compare, failure
from grader.exercise import Case, Exercise, register
from grader.kit import expect_scalar, expect_tuple
from nnlib.activations import Sigmoid, Tanh
from nnlib.layers import Dense
from nnlib.losses import binary_cross_entropy
from nnlib.model import Sequential

RATES = (0.03, 0.1, 0.3, 1.0, 3.0)


class WatchedNetwork(Sequential):
    """A Sequential that counts its evaluations on one set of inputs (the test set)."""

    def __init__(self, layers, watched: np.ndarray):
        super().__init__(layers)
        self.watched, self.evaluations = watched, 0

    def forward(self, X, training=False, logits=False):
        if not training and np.shape(X) == self.watched.shape:
            self.evaluations += bool(np.array_equal(X, self.watched))
        return super().forward(X, training, logits)


def train(spec: dict, X, Y, lr: float, batch_size: int, watched) -> WatchedNetwork:
    """A 2-layer network trained from spec's seeded start: spec["epochs"] epochs of
    mini-batch gradient descent on binary cross-entropy, shuffled from spec["seed"] + 1.

    X: (m, n_in).  Y: (m, 1).  watched: the test inputs, whose evaluations are counted.
    """
    rng = np.random.default_rng(spec["seed"])
    n_in, hidden = X.shape[1], spec["hidden"]
    layers = [Dense(n_in, hidden, rng=rng), Tanh(), Dense(hidden, 1, rng=rng), Sigmoid()]
    model = WatchedNetwork(layers, np.asarray(watched))
    order_rng = np.random.default_rng(spec["seed"] + 1)
    for _ in range(spec["epochs"]):
        order = order_rng.permutation(len(X))
        for start in range(0, len(X), batch_size):
            idx = order[start : start + batch_size]
            model.backward(binary_cross_entropy(model.forward(X[idx], True), Y[idx])[1])
            for _, value, grad in model.parameters():
                value -= lr * grad
    return model


def cost(model, X, Y) -> float:
    return binary_cross_entropy(model.predict(X), Y)[0]


def _distinct_choices(train_costs, val_costs, test_costs) -> bool:
    """True when the three sets' costs each have one clear lowest, at three different
    candidates, the highest validation cost is at the fourth, and the validation set's choice
    is not the last candidate (so that the test cost of the last network trained differs
    from the chosen one's). Every way of choosing wrongly then picks its own candidate."""
    picks = []
    for costs in (train_costs, val_costs, test_costs, -np.asarray(val_costs)):
        low, second = np.sort(costs)[:2]
        if second - low < 1e-4 * (1 + abs(low)):
            return False
        picks.append(int(np.argmin(costs)))
    return len(set(picks)) == 4 and picks[1] != len(val_costs) - 1


def selection_case(rng, label: str) -> Case:
    """Noisy two-class data and four (lr, batch_size) candidates, with validation and test
    sets drawn from a held-out pool until the three sets' choices differ."""
    while True:
        m, pool = int(rng.integers(10, 20)), 60
        X = rng.normal(size=(m + pool, 2))
        Y = (X[:, :1] + rng.normal(0, 0.8, size=(m + pool, 1)) > 0).astype(np.float64)
        spec = {"hidden": int(rng.integers(3, 9)), "epochs": 5, "seed": int(rng.integers(2**31))}
        sizes = [1, int(rng.integers(2, m)), m, int(rng.integers(1, m + 1))]
        rates = rng.choice(RATES, 4)
        candidates = [(float(lr), size) for lr, size in zip(rates, sizes, strict=True)]
        if len(set(candidates)) < 4:
            continue
        models = [train(spec, X[:m], Y[:m], lr, size, X[:0]) for lr, size in candidates]
        train_costs = [cost(net, X[:m], Y[:m]) for net in models]
        # Each network's loss on each held-out example, so that a draw of the validation and
        # test sets costs two means, not two evaluations of every network.
        A = np.clip(np.hstack([net.predict(X[m:]) for net in models]), 1e-12, 1 - 1e-12)
        losses = -(Y[m:] * np.log(A) + (1 - Y[m:]) * np.log1p(-A))
        for _ in range(200):
            val_idx, test_idx = np.split(rng.permutation(pool)[:30], 2)
            means = (losses[val_idx].mean(axis=0), losses[test_idx].mean(axis=0))
            if _distinct_choices(train_costs, *means):
                val, test = ((X[m + idx], Y[m + idx]) for idx in (val_idx, test_idx))
                secret = {
                    "train": train_costs,
                    "val": [cost(net, *val) for net in models],
                    "test": [cost(net, *test) for net in models],
                }
                data = {"train": (X[:m], Y[:m]), "val": val, "test": test}
                inputs = {"candidates": candidates, "spec": spec, "data": data}
                return Case(inputs, secret=secret, label=label)


DIAGNOSES = {
    "train": "the pair was chosen by the training cost: it rewards the network that fits "
    "its own training points best, over-fitting included; choose by the validation cost",
    "test": "the pair was chosen by the test cost: once the test set has chosen anything, its "
    "cost is no longer an honest estimate; choose by the validation cost, and keep the test "
    "set for one final measurement",
    "highest": "this is the candidate with the highest validation cost: keep the lowest",
    "every test": "the test set was measured for more than one network: measure only the "
    "chosen network on it, once, after the choice is made",
}


@register
class ChooseByValidation(Exercise):
    """choose_by_validation(candidates, train_network, data, loss) -> (best, val_costs,
    test_cost), the chosen (lr, batch_size) by validation cost and its test cost, once."""

    name = "choose_by_validation"
    reference = ("nnlib.validation.choose_by_validation",)
    hidden_trials = 3

    def cases(self, rng, hidden):
        if not hidden:
            return [selection_case(rng, "4 candidates")]
        return [selection_case(rng, f"4 candidates, case {n + 1}") for n in range(3)]

    def call(self, fn, inputs):
        spec, data = inputs["spec"], {key: tuple(pair) for key, pair in inputs["data"].items()}
        candidates = [(float(lr), int(size)) for lr, size in inputs["candidates"]]
        networks = []

        def train_network(lr, batch_size):
            networks.append(train(spec, *data["train"], lr, int(batch_size), data["test"][0]))
            return networks[-1]

        result = fn(candidates, train_network, data, binary_cross_entropy)
        if isinstance(result, (tuple, list)) and len(result) == 3:
            best, val_costs, test_cost = result
            if isinstance(val_costs, dict):  # keyed by candidate: put them in its order
                val_costs = [val_costs.get(pair) for pair in candidates]
            best = list(best) if isinstance(best, (tuple, list, np.ndarray)) else best
            result = (best, val_costs, test_cost)
        return {"result": result, "test_evaluations": sum(n.evaluations for n in networks)}

    def judge(self, case, outputs):
        __tracebackhide__ = True
        best, val_costs, test_cost = expect_tuple(
            self.name, outputs["result"], ("best", "val_costs", "test_cost")
        )
        costs = {key: np.array(value) for key, value in case.secret.items()}
        pairs = [list(pair) for pair in case.inputs["candidates"]]
        chosen = int(np.argmin(costs["val"]))
        if np.shape(test_cost) == (len(pairs),):
            raise failure(
                "test_cost should be one number, the chosen network's; got one per candidate.",
                DIAGNOSES["every test"],
            )
        compare(
            "val_costs",
            val_costs,
            costs["val"],
            mistakes={
                "these are the training costs: measure each network on data['val']": costs["train"],
                "these are the test costs: measure each network on data['val']": costs["test"],
            },
        )
        compare(
            "best",
            best,
            pairs[chosen],
            mistakes={
                DIAGNOSES["train"]: pairs[int(np.argmin(costs["train"]))],
                DIAGNOSES["test"]: pairs[int(np.argmin(costs["test"]))],
                DIAGNOSES["highest"]: pairs[int(np.argmax(costs["val"]))],
                "best should be the (lr, batch_size) pair itself, not its position in "
                "candidates": lambda got: got.shape == () and got == chosen,
            },
        )
        evaluations = outputs["test_evaluations"]
        if evaluations != 1:
            raise failure(
                f"the networks were evaluated on data['test'] {evaluations} times; the test "
                "set is measured once, on the chosen network.",
                DIAGNOSES["every test"] if evaluations > 1 else None,
            )
        compare(
            "test_cost",
            expect_scalar("test_cost", test_cost),
            costs["test"][chosen],
            mistakes={
                "this is the last network's test cost: measure the chosen one": costs["test"][-1],
                "this is the chosen network's validation cost: measure it on data['test']": (
                    costs["val"][chosen]
                ),
            },
        )
