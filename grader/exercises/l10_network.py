"""Lesson 10's pieces of a digit classifier: the forward pass of a ReLU network of any depth
with its caches, the softmax cross-entropy of its logits, and the backward pass.

The network is nnlib.classifier's: a list of (W, b) pairs; every layer but the last applies
ReLU, the last gives the logits Z. Each cache is (A_prev, W, Z) of its layer. Every result is
compared with nnlib's; a gradient's message also says how far it is from central differences.
"""

from __future__ import annotations

import numpy as np

from grader.checks import compare
from grader.exercise import Case, Exercise, register
from grader.exercises.l05_backprop import LARGE, NUMERICAL_HELPERS
from grader.exercises.l05_network import (
    check_layer_gradients,
    distinct_sizes,
    random_network,
)
from grader.exercises.l06_fused import SoftmaxCrossEntropy
from grader.kit import expect_tuple
from nnlib import classifier
from nnlib.activations import relu, relu_derivative, softmax
from nnlib.layers import dense_backward

RELU_ON_LOGITS = (
    "ReLU was applied to the last layer too: the last layer gives the logits Z, which may be "
    "negative; only the hidden layers apply ReLU"
)


def network_plans(rng, hidden: bool) -> list[tuple[list[int], int]]:
    """(layer sizes, m) of the visible network, or of the hidden ones: 1, 2 and 3 layers, with
    sizes that all differ so that a transpose never fits."""
    if not hidden:
        return [([3, 4, 2, 3], 5)]
    return [(distinct_sizes(rng, depth + 1), int(rng.integers(5, 10))) for depth in (1, 2, 3)]


@register
class NetworkForward(Exercise):
    """network_forward(X, params) -> (Z, caches): ReLU hidden layers, logits out."""

    name = "network_forward"
    reference = ("nnlib.classifier.network_forward", "nnlib.mlp.mlp_forward")

    def cases(self, rng, hidden):
        cases = []
        for sizes, m in network_plans(rng, hidden):
            params, X = random_network(rng, sizes, m)
            cases.append(Case({"X": X, "params": params}, label=f"layer sizes {sizes}, m={m}"))
        return cases

    def judge(self, case, outputs):
        Z, caches = expect_tuple("network_forward", outputs, ("Z", "caches"))
        X, params = case.inputs.values()
        expected_Z, expected_caches = classifier.network_forward(X, params)
        probabilities = softmax(expected_Z)
        compare(
            "Z",
            Z,
            expected_Z,
            mistakes={
                RELU_ON_LOGITS: relu(expected_Z),
                "Z holds probabilities: return the logits, before softmax (the cost "
                "applies softmax itself)": probabilities,
            },
        )
        got = expect_pairs_of_three(caches, len(params))
        for layer, (cache, right) in enumerate(zip(got, expected_caches, strict=True), 1):
            for name, value, expected in zip(("A_prev", "W", "Z"), cache, right, strict=True):
                compare(
                    f"layer {layer}'s cache {name}",
                    value,
                    expected,
                    mistakes={
                        "the cache holds the layer's output where its input A_prev belongs": (
                            layer_output(right[2], layer == len(params))
                            if name == "A_prev"
                            else None
                        ),
                    },
                )


def layer_output(Z, last: bool):
    """What a layer hands on: its logits Z if it is the last layer, else ReLU(Z)."""
    return Z if last else relu(Z)


def expect_pairs_of_three(caches, count: int) -> list[tuple]:
    """The student's caches: a list of ``count`` tuples (A_prev, W, Z), taken apart."""
    __tracebackhide__ = True
    names = [f"cache{k}" for k in range(1, count + 1)]
    entries = expect_tuple("network_forward's caches", caches, names)
    return [
        expect_tuple(f"cache of layer {k}", entry, ("A_prev", "W", "Z"))
        for k, entry in enumerate(entries, 1)
    ]


def one_hot_rows(rng, m: int, k: int) -> np.ndarray:
    """(m, k) one-hot targets with every class present when m allows."""
    labels = np.concatenate([np.arange(k), rng.integers(0, k, size=max(m - k, 0))])[:m]
    return np.eye(k)[rng.permutation(labels)]


@register
class NetworkCost(SoftmaxCrossEntropy):
    """network_cost(Z, Y) -> (J, dZ): softmax cross-entropy averaged over the batch, judged
    as lesson 06's ``softmax_cross_entropy`` is, on cases of the digits' shape."""

    name = "network_cost"
    reference = ("nnlib.losses.softmax_cross_entropy", *NUMERICAL_HELPERS)

    def cases(self, rng, hidden):
        if not hidden:
            Z = np.array([[2.0, 1.0, -1.0], [0.5, 0.5, 3.0], [-2.0, 4.0, 0.0], [1.0, 0.0, 0.0]])
            Y = np.eye(3)[[0, 2, 1, 1]]
            return [Case({"Z": Z, "Y": Y}, label="m=4, K=3")]
        cases = []
        for trial, k in enumerate((2, int(rng.integers(3, 11)), int(rng.integers(3, 11)))):
            m = int(rng.integers(4, 12))
            Z = rng.normal(0, 3, size=(m, k))
            if trial == 2:
                Z[0] += 800.0  # a row whose exp overflows unless its maximum is taken out
                Z[1, 0] -= 800.0  # and a probability that rounds to exactly 0
                Z[2] += LARGE  # where central differences are measurably off
            cases.append(Case({"Z": Z, "Y": one_hot_rows(rng, m, k)}, label=f"m={m}, K={k}"))
        return cases


def backward_variant(dZ, caches, relu_on_logits=False, kink_open=False):
    """The backward pass with a known mistake, as a list of (dW, db), first layer first.

    relu_on_logits: ReLU' also applied to the last layer, whose activation is the identity.
    kink_open:      ReLU'(0) taken as 1 (z >= 0) instead of 0.
    """
    grads, dA = [], dZ
    for number, (A_prev, W, Z) in enumerate(reversed(caches)):
        if number > 0 or relu_on_logits:
            dA = dA * ((Z >= 0) if kink_open else relu_derivative(Z))
        dA, dW, db = dense_backward(dA, A_prev, W)
        grads.append((dW, db))
    return grads[::-1]


@register
class NetworkBackward(Exercise):
    """network_backward(dZ, caches) -> [(dW, db) per layer], first layer first."""

    name = "network_backward"
    reference = (
        "nnlib.classifier.network_backward",
        "nnlib.mlp.mlp_backward",
        *NUMERICAL_HELPERS,
    )

    def cases(self, rng, hidden):
        cases = []
        for number, (sizes, m) in enumerate(network_plans(rng, hidden)):
            params, X = random_network(rng, sizes, m)
            for W, b in params[:-1]:
                # Hidden unit 0 gets z = 0 exactly for every example: ReLU's kink, where the
                # gradient from above must stop.
                W[:, 0] = 0.0
                b[0] = 0.0
            if hidden and number == 2:
                params[-1][1][:] += LARGE  # logits far from 0: central differences are off
            caches = classifier.network_forward(X, params)[1]
            dZ = rng.normal(size=(m, sizes[-1])) / m
            large = ", large logits" if hidden and number == 2 else ""
            label = f"layer sizes {sizes}, m={m}{large}"
            cases.append(Case({"dZ": dZ, "caches": caches}, secret={"params": params}, label=label))
        return cases

    def judge(self, case, outputs):
        dZ, caches = case.inputs.values()
        params, X = case.secret["params"], caches[0][0]
        expected = classifier.network_backward(dZ, caches)
        check_layer_gradients(
            "network_backward",
            outputs,
            expected,
            (params, X, classifier.layer_activations(len(params)), dZ),
            {
                "ReLU's derivative was applied to the last layer too: the last layer gives the "
                "logits Z, and its activation is the identity": (
                    backward_variant(dZ, caches, relu_on_logits=True)
                ),
                "ReLU'(0) was taken as 1: the course takes ReLU'(z) = 1 only where z > 0, so a "
                "unit with z exactly 0 passes no gradient": (
                    backward_variant(dZ, caches, kink_open=True)
                ),
            },
        )
