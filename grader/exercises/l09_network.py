"""Lesson 09's exercises on a network with dropout inside: the forward pass that keeps its
cache, and the backward pass that reads it.

The network is nnlib.dropout_net's: Z1 = X W1 + b1, H = relu(Z1), D = dropout(H), Z2 = D W2 + b2,
with params [(W1, b1), (W2, b2)] and the cache (X, Z1, keep, D). The forward pass is compared
with nnlib's on the same seeded generator, so that the masks agree; the backward pass is
graded on caches the grader builds, in training mode and in evaluation mode (keep is None),
against nnlib's gradients. A hidden case puts the logits near 10⁷, where central differences
of the forward pass are measurably off, so that a numerical answer fails it.
"""

from __future__ import annotations

import numpy as np

from grader import mistakes as known
from grader.checks import check_gradient, compare, failure
from grader.exercise import Case, Exercise, register
from grader.exercises.l05_backprop import NUMERICAL_HELPERS
from grader.exercises.l05_network import distinct_sizes, expect_pairs
from grader.kit import expect_tuple
from nnlib.activations import relu
from nnlib.dropout_net import dropout_net_backward, dropout_net_forward

REFERENCE = (
    "nnlib.dropout_net.dropout_net_forward",
    "nnlib.dropout_net.dropout_net_backward",
    "nnlib.dropout.dropout_forward",
    "nnlib.dropout.dropout_backward",
    "nnlib.dropout.Dropout",
)
CACHE = ("X", "Z1", "keep", "D")
# Logits near 10⁷: their rounding (an ulp of 10⁷ is 1.9e-9) over central differences' 2h = 2e-5
# puts a numerical gradient of every parameter off by more than 2e-6 (median 3e-5 over 100 seeds),
# more than 20 times the threshold.
LARGE = 1e7


def network_case(rng, m, sizes, p, training, *, offset=0.0, seed=None):
    """The inputs of one case: X, params, p and the seed of the mask's generator.

    sizes: (n_in, n_hidden, n_out), all different; m: the batch, another size.
    offset: added to b2, so that the logits sit near it (10⁷ defeats central differences).
    Z1[0, 0] is exactly 0 (X's first row and b1[0] are 0), so that relu's kink is met.
    """
    n_in, n_hidden, n_out = sizes
    X = rng.normal(size=(m, n_in))
    X[0] = 0.0
    params = [
        (rng.normal(0, 0.8, (n_in, n_hidden)), rng.normal(0, 0.5, n_hidden)),
        (rng.normal(0, 0.8, (n_hidden, n_out)), rng.normal(0, 0.5, n_out) + offset),
    ]
    params[0][1][0] = 0.0
    seed = int(rng.integers(2**31)) if seed is None else seed
    return {"X": X, "params": params, "p": float(p), "seed": seed, "training": training}


def plans(rng, hidden, *, large=False):
    """(m, sizes, p, training, offset) of each case: two fixed small ones (training, then
    evaluation), or two random ones in training and one in evaluation, all sizes different;
    with ``large``, one more in training with the logits near LARGE (for a backward pass: a
    forward pass's values near 10⁷ would hide its mistakes below the threshold)."""
    if not hidden:
        return [(5, (3, 4, 2), 0.5, True, 0.0), (5, (3, 4, 2), 0.5, False, 0.0)]
    drawn = [distinct_sizes(rng, 4) for _ in range(3)]
    modes = [(True, 0.2, 0.7), (True, 0.2, 0.7), (False, 0.1, 0.8)]
    plans = [
        (m, (n_in, n_h, n_out), float(rng.uniform(low, high)), training, 0.0)
        for (m, n_in, n_h, n_out), (training, low, high) in zip(drawn, modes, strict=True)
    ]
    if large:
        plans.append((7, (4, 6, 3), float(rng.uniform(0.2, 0.7)), True, LARGE))
    return plans


def label(inputs) -> str:
    """'training, p = 0.5, X (5, 3), 4 hidden units, 2 outputs'."""
    mode = "training" if inputs["training"] else "evaluation"
    (W1, _), (W2, _) = inputs["params"]
    return (
        f"{mode}, p = {inputs['p']:.3g}, X {inputs['X'].shape}, {W1.shape[1]} hidden units, "
        f"{W2.shape[1]} outputs"
    )


@register
class DropoutNetForward(Exercise):
    """dropout_net_forward(X, params, p, rng, training=True) -> (Z2, (X, Z1, keep, D))."""

    name = "dropout_net_forward"
    reference = REFERENCE

    def cases(self, rng, hidden):
        cases = []
        for m, sizes, p, training, offset in plans(rng, hidden):
            seed = 0 if not hidden else None
            inputs = network_case(rng, m, sizes, p, training, offset=offset, seed=seed)
            cases.append(Case(inputs, label=label(inputs)))
        return cases

    def call(self, fn, inputs):
        rng = np.random.default_rng(inputs["seed"])
        return fn(inputs["X"], inputs["params"], inputs["p"], rng, training=inputs["training"])

    def judge(self, case, outputs):
        __tracebackhide__ = True
        X, params, p, seed, training = case.inputs.values()
        Z2, cache = expect_tuple(self.name, outputs, ("Z2", "cache"))
        expected_Z2, expected_cache = dropout_net_forward(
            X, params, p, np.random.default_rng(seed), training
        )
        _, Z1, keep, D = expected_cache
        (_, _), (W2, b2) = params
        H = relu(Z1)
        compare(
            "Z2",
            Z2,
            expected_Z2,
            mistakes={
                "units were dropped in evaluation mode: only draw a mask when training is "
                "True; at evaluation D = H": None
                if training
                else dropout_net_forward(X, params, p, np.random.default_rng(seed))[0],
                "dropout was left out: while training, D = H ∘ K / (1 − p) goes into the "
                "second layer, not H": H @ W2 + b2 if training else None,
                "the kept units were not rescaled by 1 / (1 − p)": (
                    (H * keep) @ W2 + b2 if training else None
                ),
                "the relu is missing: H = relu(Z1) comes before dropout": (
                    (Z1 * keep / (1 - p) if training else Z1) @ W2 + b2
                ),
            },
        )
        parts = expect_tuple("dropout_net_forward's cache", cache, CACHE)
        for name, actual, expected in zip(CACHE[1:], parts[1:], expected_cache[1:], strict=True):
            if expected is None:
                if actual is not None:
                    raise failure(
                        "the cache's keep should be None in evaluation mode; got "
                        f"{type(actual).__name__}.",
                        "a mask was drawn in evaluation mode: no unit is dropped then, so "
                        "there is no mask, and keep is None",
                    )
                continue
            compare(
                f"the cache's {name}",
                actual,
                expected,
                mistakes={
                    "the cache holds H = relu(Z1) where D, the output of dropout, belongs: "
                    "the second layer's input is what dW2 is built from": H,
                }
                if name == "D"
                else {},
            )
        compare("the cache's X", parts[0], X)


@register
class DropoutNetBackward(Exercise):
    """dropout_net_backward(dZ2, cache, params, p) -> [(dW1, db1), (dW2, db2)]."""

    name = "dropout_net_backward"
    reference = (*REFERENCE, *NUMERICAL_HELPERS)

    def cases(self, rng, hidden):
        cases = []
        for m, sizes, p, training, offset in plans(rng, hidden, large=True):
            inputs = network_case(rng, m, sizes, p, training, offset=offset)
            _, cache = dropout_net_forward(
                inputs["X"], inputs["params"], p, np.random.default_rng(inputs["seed"]), training
            )
            dZ2 = rng.normal(size=(m, sizes[2])) / m
            cases.append(
                Case(
                    {"dZ2": dZ2, "cache": cache, "params": inputs["params"], "p": p},
                    label=label(inputs),
                )
            )
        return cases

    def judge(self, case, outputs):
        __tracebackhide__ = True
        dZ2, cache, params, p = case.inputs.values()
        X, Z1, keep, D = cache
        m = X.shape[0]
        expected = dropout_net_backward(dZ2, cache, params, p)
        grads = expect_pairs(self.name, outputs, 2, ("dW", "db"))
        H = relu(Z1)
        mask = 1.0 if keep is None else keep / (1 - p)
        dD = dZ2 @ params[1][0].T
        # dZ1 as each mistake makes it; the right one is dD ∘ mask ∘ relu'(Z1).
        variants = {
            "the gradient skipped dropout's backward: the units dropped in the forward pass "
            "get no gradient, and the kept ones are scaled by 1 / (1 − p) again": dD * (Z1 > 0),
            "dropout's backward was not rescaled: divide by 1 − p there too": dD
            * (1.0 if keep is None else keep)
            * (Z1 > 0),
            "relu's derivative was skipped: dZ1 = dH ∘ relu'(Z1)": dD * mask,
            "relu's derivative was taken as Z1 >= 0: relu'(0) is 0 in this course": dD
            * mask
            * (Z1 >= 0),
        }
        for layer in (1, 0):
            for index, part in enumerate(("dW", "db")):
                name = f"{part}{layer + 1}"
                right = expected[layer][index]
                mistakes = known.batch_scale(name, right, m)
                if layer == 1 and part == "dW":
                    mistakes |= {
                        "dW2 was built from H, the units before dropout: the second layer's "
                        "input was D, the output of dropout, from the cache": H.T @ dZ2,
                    }
                if layer == 0:
                    for diagnosis, dZ1 in variants.items():
                        mistakes[diagnosis] = X.T @ dZ1 if part == "dW" else dZ1.sum(axis=0)
                check_gradient(
                    f"layer {layer + 1}'s {part}",
                    grads[layer][index],
                    forward_in(case.inputs, layer, index),
                    params[layer][index],
                    dZ2,
                    expected=right,
                    mistakes=mistakes,
                )


def forward_in(inputs, layer, index):
    """The network's logits as a function of one parameter, with the case's mask held fixed.

    layer: 0 or 1; index: 0 for W, 1 for b. Returns forward(value) -> Z2 (m, n_out).
    """
    X, Z1, keep, _ = inputs["cache"]
    p = inputs["p"]
    scale = 1.0 if keep is None else keep / (1 - p)

    def forward(value):
        trial = [list(pair) for pair in inputs["params"]]
        trial[layer][index] = value
        (W1, b1), (W2, b2) = trial
        return (relu(X @ W1 + b1) * scale) @ W2 + b2

    return forward
