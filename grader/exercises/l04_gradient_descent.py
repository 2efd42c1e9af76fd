"""Graded exercises of lesson 04, the chain rule and gradient descent: the sigmoid's
derivative, the gradient of one neuron's cost, gradient descent on a given function, and a
central-difference derivative.

Functions handed to the student (a gradient to descend, a function to differentiate) are
built inside ``call`` from plain numbers, so that only plain data crosses to the student's
side.
"""

from __future__ import annotations

import numpy as np

from grader import mistakes
from grader.checks import check_gradient, compare
from grader.exercise import Case, Exercise, register
from grader.kit import expect_tuple
from nnlib import activations, gradcheck
from nnlib.descent import gradient_descent_path

# Stubbed while an analytic gradient is graded, so that nnlib cannot estimate it instead.
NUMERICAL_GRADIENTS = (
    "nnlib.gradcheck.numerical_gradient",
    "nnlib.gradcheck.numerical_gradient_array",
)


def _saturated(rng, size):
    """z drawn from [17, 19]: σ'(z) is below 1e-7 there. Central differences of σ, rounded near
    1, miss it by more than the checks' threshold 1e-7 on more than 85 % of elements, for any
    step h (measured for h from 1e-6 to 1e-2), while σ(z)(1 - σ(z)) stays within 2e-8 of the
    truth. So an estimate fails a case of several such z, where a formula passes.
    """
    return rng.uniform(17.0, 19.0, size=size)


@register
class SigmoidDerivative(Exercise):
    """sigmoid_derivative(z) -> sigmoid(z) (1 - sigmoid(z)), elementwise."""

    name = "sigmoid_derivative"
    reference = ("nnlib.activations.sigmoid_derivative", *NUMERICAL_GRADIENTS)
    hidden_trials = 3

    def cases(self, rng, hidden):
        if not hidden:
            z = np.array([-4.0, -1.0, 0.0, 0.5, 2.0])
            return [Case({"z": z}, label="z = [-4, -1, 0, 0.5, 2]")]
        cases = [
            Case({"z": 3 * rng.normal(size=(int(rng.integers(1, 5)), int(rng.integers(1, 6))))})
            for _ in range(self.hidden_trials)
        ]
        return [*cases, Case({"z": _saturated(rng, 8)}, label="saturated: z between 17 and 19")]

    def judge(self, case, outputs):
        z = case.inputs["z"]
        s = activations.sigmoid(z)
        check_gradient(
            "sigmoid'(z)",
            outputs,
            activations.sigmoid,
            z,
            np.ones_like(z),
            expected=activations.sigmoid_derivative(z),
            mistakes=mistakes.sigmoid_derivative("sigmoid'(z)", z)
            | {
                "this is sigmoid(z) itself, not its slope": s,
                "this is 1 - sigmoid(z)^2, the pattern of tanh'; sigmoid' is s (1 - s)": 1 - s**2,
            },
        )


def _neuron_cost(a_prev, w, b, y):
    """The lesson's cost of one sigmoid neuron on one example: (sigmoid(w . a_prev + b) - y)^2.

    a_prev, w: (n,); b, y: numbers. Returns a float.
    """
    return float((activations.sigmoid(w @ a_prev + b) - y) ** 2)


@register
class NeuronGradient(Exercise):
    """neuron_gradient(a_prev, w, b, y) -> (dC/dw (n,), dC/db), C = (a - y)^2, no 1/2."""

    name = "neuron_gradient"
    reference = NUMERICAL_GRADIENTS

    def cases(self, rng, hidden):
        if not hidden:
            inputs = {
                "a_prev": np.array([0.5, 0.8]),
                "w": np.array([1.0, -2.0]),
                "b": 0.5,
                "y": 1.0,
            }
            return [Case(inputs, label="a_prev = [0.5, 0.8], w = [1, -2], b = 0.5, y = 1")]
        cases = []
        for _ in range(self.hidden_trials):
            n = int(rng.integers(1, 6))
            # Previous activations in (0.1, 0.9), as after a sigmoid, and y in {0, 1} keep every
            # gradient component clear of zero, where a relative error means little.
            cases.append(
                Case(
                    {
                        "a_prev": rng.uniform(0.1, 0.9, size=n),
                        "w": rng.normal(size=n),
                        "b": float(rng.normal()),
                        "y": float(rng.integers(0, 2)),
                    }
                )
            )
        # A saturated neuron whose output is far from its target: see ``_saturated``.
        a_prev = rng.uniform(0.5, 1.5, size=5)
        z = float(_saturated(rng, 1)[0])
        w = rng.normal(size=5)
        w = w + a_prev * (z - 0.5 - w @ a_prev) / (a_prev @ a_prev)  # so that w . a_prev + 0.5 = z
        saturated = {"a_prev": a_prev, "w": w, "b": 0.5, "y": 0.0}
        return [*cases, Case(saturated, label="a saturated neuron, z between 17 and 19")]

    def judge(self, case, outputs):
        a_prev, w, b, y = case.inputs.values()
        dC_dw, dC_db = expect_tuple("neuron_gradient", outputs, ("dC_dw", "dC_db"))
        z = w @ a_prev + b
        a = activations.sigmoid(z)
        slope = activations.sigmoid_derivative(z)
        delta = slope * 2 * (a - y)  # dC/dz, shared by both routes
        for name, actual, cost, at, exact, local in (
            ("dC_dw", dC_dw, lambda v: _neuron_cost(a_prev, v, b, y), w, delta * a_prev, a_prev),
            ("dC_db", dC_db, lambda v: _neuron_cost(a_prev, w, float(v), y), b, delta, 1.0),
        ):
            known = {
                "half of the right value: the cost here is (a - y)^2, whose slope is 2(a - y), "
                "not the 1/2 (a - y)^2 of other notes": exact / 2,
                "the factor sigmoid'(z) is missing": local * 2 * (a - y),
                "sigmoid' was taken at a instead of at z": (
                    local * activations.sigmoid_derivative(a) * 2 * (a - y)
                ),
                "the bias gradient was multiplied by a_prev; dz/db = 1": (
                    delta * a_prev if name == "dC_db" else None
                ),
            }
            # Against the chain rule to full precision; a wrong answer's message also quotes
            # central differences of the cost itself, so that it never rests on the formula alone.
            check_gradient(name, actual, cost, at, 1.0, expected=exact, mistakes=known)


def _quadratic_gradient(A, center):
    """The gradient w -> A (w - center) of f(w) = 1/2 (w - center)^T A (w - center)."""
    return lambda w: A @ (np.asarray(w, dtype=np.float64) - center)


@register
class GradientDescent(Exercise):
    """gradient_descent(grad, w0, lr, steps) -> the path of points visited, (steps + 1, d)."""

    name = "gradient_descent"
    reference = ("nnlib.descent.gradient_descent_path",)

    def cases(self, rng, hidden):
        if not hidden:
            inputs = {
                "A": np.array([[2.0, 0.0], [0.0, 4.0]]),
                "center": np.array([3.0, -1.0]),
                "w0": np.array([0.0, 0.0]),
                "lr": 0.1,
                "steps": 4,
            }
            label = "f(w) = (w1 - 3)^2 + 2 (w2 + 1)^2 from w0 = [0, 0], lr = 0.1, 4 steps"
            return [Case(inputs, label=label)]
        cases = []
        for _ in range(self.hidden_trials):
            d = int(rng.integers(1, 5))
            Q = rng.normal(size=(d, d))
            A = Q @ Q.T + 0.5 * np.eye(d)  # symmetric positive definite: one minimum
            largest = float(np.linalg.eigvalsh(A)[-1])
            inputs = {
                "A": A,
                "center": rng.normal(size=d),
                "w0": rng.normal(size=d),
                "lr": float(rng.uniform(0.1, 1.5) / largest),
                "steps": int(rng.integers(3, 12)),
            }
            cases.append(Case(inputs, label=f"{d}-D quadratic, {inputs['steps']} steps"))
        return cases

    def call(self, fn, inputs):
        grad = _quadratic_gradient(inputs["A"], inputs["center"])
        return fn(grad, inputs["w0"], inputs["lr"], inputs["steps"])

    def judge(self, case, outputs):
        inputs = case.inputs
        grad = _quadratic_gradient(inputs["A"], inputs["center"])
        w0, lr, steps = inputs["w0"], inputs["lr"], inputs["steps"]
        path = gradient_descent_path(grad, w0, lr, steps)
        compare(
            "path",
            outputs,
            path,
            mistakes={
                "the steps go uphill: subtract lr * grad(w), do not add it": (
                    gradient_descent_path(grad, w0, -lr, steps)
                ),
                "the starting point w0 is missing: the path starts with w0, "
                "then has one row per step": (path[1:]),
                "every row is the last point: the same array was updated in place and appended "
                "each time; append a copy (w = w - lr * g makes a new array)": (
                    np.repeat(path[-1:], steps + 1, axis=0)
                ),
                "only the final point was returned; return every point visited": path[-1],
                "the learning rate was not used: the step is lr * grad(w)": (
                    gradient_descent_path(grad, w0, 1.0, steps)
                ),
                "one step too few": path[:-1],
                "one step too many": gradient_descent_path(grad, w0, lr, steps + 1),
            },
        )


def _exp_of_linear(u):
    """The function w -> exp(u . w), whose gradient u exp(u . w) is never zero."""
    return lambda w: float(np.exp(u @ np.asarray(w, dtype=np.float64)))


def _difference(f, w, h, kind):
    """A mistaken finite difference of f at w, for diagnosis: see the names in ``mistakes``."""
    w = np.array(w, dtype=np.float64)
    grad = np.zeros_like(w)
    for i in range(w.size):
        step = np.zeros_like(w)
        step[i] = h
        if kind == "forward":
            grad[i] = (f(w + step) - f(w)) / h
        elif kind == "backward":
            grad[i] = (f(w) - f(w - step)) / h
        elif kind == "over h":
            grad[i] = (f(w + step) - f(w - step)) / h
        elif kind == "all at once":
            grad[i] = (f(w + h) - f(w - h)) / (2 * h)
        elif kind == "not restored":
            # w[i] += h; f; w[i] -= 2h; f; and w[i] is left at w[i] - h.
            w[i] += h
            plus = f(w)
            w[i] -= 2 * h
            grad[i] = (plus - f(w)) / (2 * h)
    return grad


@register
class CentralDifference(Exercise):
    """central_difference(f, w, h) -> the gradient of f at w estimated one coordinate at a time."""

    name = "central_difference"
    reference = NUMERICAL_GRADIENTS

    def cases(self, rng, hidden):
        if not hidden:
            inputs = {"u": np.array([1.0, -0.5, 2.0]), "w": np.array([0.5, 1.0, -0.25]), "h": 1e-3}
            return [
                Case(inputs, label="f(w) = exp(w1 - 0.5 w2 + 2 w3) at [0.5, 1, -0.25], h = 1e-3")
            ]
        cases = []
        for _ in range(self.hidden_trials):
            d = int(rng.integers(1, 6))
            # |u_i| >= 0.5 keeps every component of the gradient u exp(u . w) clear of zero.
            u = rng.choice([-1.0, 1.0], size=d) * rng.uniform(0.5, 1.5, size=d)
            inputs = {
                "u": u,
                "w": rng.normal(scale=0.5, size=d),
                "h": float(10 ** rng.uniform(-4, -3)),
            }
            cases.append(Case(inputs, label=f"f(w) = exp(u . w) in {d}-D"))
        return cases

    def call(self, fn, inputs):
        return fn(_exp_of_linear(inputs["u"]), inputs["w"], inputs["h"])

    def judge(self, case, outputs):
        f = _exp_of_linear(case.inputs["u"])
        w, h = case.inputs["w"], case.inputs["h"]
        known = {
            "this is the forward difference (f(w + h) - f(w)) / h; "
            "use (f(w + h) - f(w - h)) / (2h)": _difference(f, w, h, "forward"),
            "this is the backward difference (f(w) - f(w - h)) / h; "
            "use (f(w + h) - f(w - h)) / (2h)": _difference(f, w, h, "backward"),
            "twice the right value: the central difference divides by 2h, not h": (
                _difference(f, w, h, "over h")
            ),
            "every coordinate was nudged at once; nudge one coordinate at a time": (
                _difference(f, w, h, "all at once")
            ),
            "w[i] was not put back after nudging it, so later coordinates are measured at a "
            "shifted point": _difference(f, w, h, "not restored"),
        }
        expected = gradcheck.numerical_gradient(f, np.array(w, dtype=np.float64), h=h)
        compare("gradient", outputs, expected, mistakes=known)
