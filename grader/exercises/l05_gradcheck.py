"""Exercises of lesson 05 on checking gradients: the student's own central differences with an
upstream gradient, and the repair of a given backward pass that such a check finds wrong.

The functions whose gradients are taken cannot travel to the student's kernel, so a case
sends their parameters and ``call`` builds the function there, from plain numpy.
"""

from __future__ import annotations

import numpy as np

from grader.checks import GRADIENT_RTOL, check_gradient, compare
from grader.exercise import Case, Exercise, register
from grader.exercises.l05_backprop import NUMERICAL_HELPERS
from grader.kit import expect_tuple
from nnlib.gradcheck import numerical_gradient_array
from nnlib.layers import dense_backward


def function_of(inputs):
    """The array function a case differentiates, built from its parameters.

    inputs["kind"]: "tanh layer", f(x) = tanh(x W + b) with x (m, n_in);
                    "softplus", f(x) = c ∘ log(1 + exp(x)) elementwise, c of x's shape.
    Returns f.
    """
    if inputs["kind"] == "tanh layer":
        W, b = inputs["W"], inputs["b"]
        return lambda x: np.tanh(x @ W + b)
    c = inputs["c"]
    return lambda x: c * np.logaddexp(0.0, x)


@register
class NumericalGradientArray(Exercise):
    """numerical_gradient_array(f, x, dout) -> the gradient of Σ f(x) ∘ dout by central
    differences. (That x is left as it was, the framework checks for every argument.)"""

    name = "numerical_gradient_array"
    reference = NUMERICAL_HELPERS

    def cases(self, rng, hidden):
        if not hidden:
            x = np.array([[0.5, -1.0], [1.5, 0.25], [-0.5, 2.0]])
            W = np.array([[0.5, -0.25, 1.0, 0.0], [-1.0, 0.75, 0.5, 0.25]])
            inputs = {"kind": "tanh layer", "x": x, "W": W, "b": np.array([0.1, 0.0, -0.2, 0.3])}
            dout = np.array([[1.0, -0.5, 0.0, 2.0], [0.5, 1.0, -1.0, 0.0], [0.0, 2.0, 1.0, -1.0]])
            return [Case({**inputs, "dout": dout}, label="f(x) = tanh(x W + b), x (3, 2)")]
        cases = []
        for kind in ("tanh layer", "softplus", "tanh layer"):
            m, n_in, n_out = (int(k) for k in rng.choice(np.arange(2, 8), size=3, replace=False))
            x = rng.normal(size=(m, n_in))
            if kind == "tanh layer":
                inputs = {"W": rng.normal(0, 0.5, (n_in, n_out)), "b": rng.normal(0, 0.5, n_out)}
                shape = (m, n_out)
            else:
                inputs, shape = {"c": rng.normal(size=x.shape)}, x.shape
            inputs = {"kind": kind, "x": x, **inputs, "dout": rng.normal(size=shape)}
            cases.append(Case(inputs, label=f"{kind}, x {x.shape}"))
        return cases

    def call(self, fn, inputs):
        return fn(function_of(inputs), inputs["x"], inputs["dout"])

    def judge(self, case, outputs):
        f, x, dout = function_of(case.inputs), case.inputs["x"], case.inputs["dout"]
        expected = numerical_gradient_array(f, x.copy(), dout)
        h = 1e-5
        one_sided = np.zeros_like(x)
        unweighted = np.zeros_like(x)
        for i in np.ndindex(x.shape):
            step = np.zeros_like(x)
            step[i] = h
            one_sided[i] = np.sum((f(x + step) - f(x)) * dout) / h
            unweighted[i] = np.sum(f(x + step) - f(x - step)) / (2 * h)
        compare(
            "the gradient",
            outputs,
            expected,
            rtol=GRADIENT_RTOL,
            reference="central differences",
            mistakes={
                "this is a one-sided difference (f(x + h) − f(x)) / h, whose error shrinks "
                "only like h; the central one, (f(x + h) − f(x − h)) / 2h, errs like h²": (
                    one_sided
                ),
                "the differences were divided by h, not by 2h: x + h and x − h are 2h apart": (
                    2 * expected
                ),
                "the upstream gradient dout is missing: each nudge's change in f must be "
                "weighted by dout and summed, Σ (f(x + h) − f(x − h)) ∘ dout / 2h": unweighted,
            },
        )


@register
class FixedDenseTanhBackward(Exercise):
    """fixed_dense_tanh_backward(dA, cache) -> (dX, dW, db) for A = tanh(X W + b), cache
    (X, W, A): the repaired version of the lesson's given backward pass."""

    name = "fixed_dense_tanh_backward"
    reference = ("nnlib.layers.dense_backward", *NUMERICAL_HELPERS)

    def cases(self, rng, hidden):
        sizes = [(4, 2, 3)]
        if hidden:
            sizes = [
                tuple(int(k) for k in rng.choice(np.arange(2, 9), size=3, replace=False))
                for _ in range(self.hidden_trials)
            ]
        cases = []
        for m, n_in, n_out in sizes:
            X, W, b = (
                rng.normal(size=(m, n_in)),
                rng.normal(size=(n_in, n_out)),
                rng.normal(size=n_out),
            )
            A = np.tanh(X @ W + b)
            cases.append(
                Case(
                    {"dA": rng.normal(size=(m, n_out)) / m, "cache": (X, W, A)},
                    secret={"b": b},
                    label=f"m={m}, n_in={n_in}, n_out={n_out}",
                )
            )
        return cases

    def judge(self, case, outputs):
        dX, dW, db = expect_tuple("fixed_dense_tanh_backward", outputs, ("dX", "dW", "db"))
        dA, (X, W, A) = case.inputs.values()
        b = case.secret["b"]
        dZ = dA * (1 - A**2)
        expected = dict(zip(("dX", "dW", "db"), dense_backward(dZ, X, W), strict=True))
        forwards = {
            "dX": (lambda x: np.tanh(x @ W + b), X),
            "dW": (lambda w: np.tanh(X @ w + b), W),
            "db": (lambda v: np.tanh(X @ W + v), b),
        }
        wrong_slope = dict(zip(expected, dense_backward(dA * (1 - A), X, W), strict=True))
        slope_of_A = dict(
            zip(expected, dense_backward(dA * (1 - np.tanh(A) ** 2), X, W), strict=True)
        )
        for label, value in zip(("dX", "dW", "db"), (dX, dW, db), strict=True):
            forward, at = forwards[label]
            check_gradient(
                label,
                value,
                forward,
                at,
                dA,
                expected=expected[label],
                mistakes={
                    "dW still skips the activation: it must be built from dZ = dA ∘ (1 − A²), "
                    "like db and dX": X.T @ dA if label == "dW" else None,
                    "tanh' is 1 − A², not 1 − A": wrong_slope[label],
                    "tanh' was taken as 1 − tanh(A)²: the cache holds A = tanh(Z) already, "
                    "so tanh'(Z) = 1 − A²": slope_of_A[label],
                },
            )
