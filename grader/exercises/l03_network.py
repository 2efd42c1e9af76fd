"""Graded exercises of lesson 03's network part: the forward pass of an MLP of any depth,
which also returns the caches lesson 05's backward pass reads, and counting parameters.

Layers are lists of (W, b) pairs in the course's row form: X (m, n_0), W (n_{l-1}, n_l).
"""

from __future__ import annotations

import numpy as np

from grader.checks import CheckFailed, compare
from grader.exercise import Case, Exercise, register
from grader.exercises.l03_forward_pass import HIDDEN_NAMES
from grader.kit import expect_scalar, expect_tuple
from nnlib import mlp


def _forward(X, params, names):
    """The reference MLP's last activation, with the activations ``names`` (one per layer)."""
    return mlp.mlp_forward(X, params, names)[0]


@register
class MlpForward(Exercise):
    """mlp_forward(X, params, activations) -> (A, caches): the last layer's output (m, n_L),
    and one cache (A_prev, W, Z) per layer for lesson 05's backward pass."""

    name = "mlp_forward"
    reference = ("nnlib.model.Sequential", "nnlib.mlp.mlp_forward")
    hidden_trials = 4

    def cases(self, rng, hidden):
        if not hidden:
            X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
            W1 = np.array([[1.0, -1.0, 0.5], [1.0, 1.0, -0.5]])
            b1 = np.array([-0.5, 0.0, 0.25])
            W2 = np.array([[2.0], [-1.0], [1.0]])
            b2 = np.array([-0.5])
            inputs = {"X": X, "params": [(W1, b1), (W2, b2)], "activations": ["tanh", "sigmoid"]}
            return [Case(inputs, label="a 2-3-1 network, tanh then sigmoid, on 4 examples")]
        cases = []
        for _ in range(self.hidden_trials):
            depth = int(rng.integers(2, 5))
            # Sizes that all differ (and differ from m), so that a transpose cannot fit.
            sizes = [int(k) for k in rng.permutation(np.arange(1, 8))[: depth + 1]]
            params = [
                (rng.normal(size=(n_in, n_out)), rng.normal(size=n_out))
                for n_in, n_out in zip(sizes[:-1], sizes[1:], strict=True)
            ]
            # Distinct activations, so that swapping their order shows.
            names = [str(name) for name in rng.permutation(HIDDEN_NAMES)[:depth]]
            m = 8 + int(rng.integers(0, 3))
            inputs = {"X": rng.normal(size=(m, sizes[0])), "params": params, "activations": names}
            cases.append(Case(inputs, label=f"layer sizes {sizes}, activations {names}"))
        return cases

    def judge(self, case, outputs):
        X, params, names = case.inputs.values()
        A, caches = expect_tuple("mlp_forward", outputs, ("A", "caches"))
        last_linear = _forward(X, params, names[:-1] + ["identity"])
        compare(
            "A",
            A,
            _forward(X, params, names),
            mistakes={
                "no activation was applied: a stack of linear layers is one linear layer": (
                    _forward(X, params, ["identity"] * len(names))
                ),
                "the last layer's activation was not applied: this is its Z": last_linear,
                "the activations were used in reverse order": _forward(X, params, names[::-1]),
                "every layer used the first activation in the list": (
                    _forward(X, params, [names[0]] * len(names))
                ),
            },
        )
        _judge_caches(caches, *mlp.mlp_forward(X, params, names)[::-1])


def _judge_caches(caches, expected, A_last):
    """Raise CheckFailed unless ``caches`` holds, per layer, (A_prev, W, Z) as ``expected``.

    caches: the student's; expected: the reference list of (A_prev, W, Z); A_last: the
    network's output, which a cache holding A instead of Z would hold for the last layer.
    """
    outputs = [A_prev for A_prev, _, _ in expected[1:]] + [A_last]
    if not isinstance(caches, (list, tuple)) or len(caches) != len(expected):
        raise CheckFailed(
            f"caches should be a list with one entry per layer ({len(expected)}); "
            f"got {type(caches).__name__}"
            + (f" of length {len(caches)}" if isinstance(caches, (list, tuple)) else "")
            + ". Append one cache per layer inside the loop."
        )
    for layer, cache in enumerate(caches, 1):
        A_prev, W, Z = expected[layer - 1]
        A_in, W_in, Z_in = expect_tuple(f"the cache of layer {layer}", cache, ("A_prev", "W", "Z"))
        compare(
            f"layer {layer}'s cached A_prev",
            A_in,
            A_prev,
            mistakes={
                "the cache holds the layer's output A; it needs its input A_prev": (
                    outputs[layer - 1]
                )
            },
        )
        compare(f"layer {layer}'s cached W", W_in, W)
        compare(
            f"layer {layer}'s cached Z",
            Z_in,
            Z,
            mistakes={
                "the cache holds A = f(Z); lesson 05 needs the pre-activation Z": (
                    outputs[layer - 1]
                )
            },
        )


@register
class CountParameters(Exercise):
    """count_parameters(sizes) -> the number of weights and biases of a dense network."""

    name = "count_parameters"

    def cases(self, rng, hidden):
        if not hidden:
            return [
                Case({"sizes": [2, 3, 1]}, label="sizes [2, 3, 1]"),
                Case({"sizes": [784, 16, 16, 10]}, label="sizes [784, 16, 16, 10]"),
            ]
        return [
            Case({"sizes": [int(k) for k in rng.integers(1, 50, size=int(rng.integers(2, 6)))]})
            for _ in range(self.hidden_trials)
        ]

    def judge(self, case, outputs):
        sizes = case.inputs["sizes"]
        weights = sum(n_in * n_out for n_in, n_out in zip(sizes[:-1], sizes[1:], strict=True))
        biases = sum(sizes[1:])
        compare(
            "the count",
            expect_scalar("the count", outputs),
            weights + biases,
            mistakes={
                "only the weights were counted; each unit after the input layer has a bias too": (
                    weights
                ),
                "the input layer was given biases too; inputs have none": weights + sum(sizes),
                "this counts units, not parameters": sum(sizes),
                "only the biases were counted": biases,
            },
        )
