"""Exercises of lesson 05, backprop in matrix form: the dense and activation backward passes,
a full backward pass through a two-layer network, and one training step that uses them.

Every gradient is compared with nnlib's backward pass; when it is wrong, the message also says
how far it is from central differences of nnlib's forward pass, and names the mistake when the
student's result is what a known mistake would produce.
"""

from __future__ import annotations

import numpy as np

from grader import mistakes as known
from grader.checks import CheckFailed, compare, relative_error
from grader.exercise import Case, Exercise, register
from nnlib import activations
from nnlib.gradcheck import numerical_gradient_array
from nnlib.layers import dense_backward, dense_forward
from nnlib.losses import sigmoid_binary_cross_entropy

HIDDEN_ACTIVATIONS = ("sigmoid", "tanh", "relu")
ACTIVATION_FUNCTIONS = {name: getattr(activations, name) for name in HIDDEN_ACTIVATIONS}
ACTIVATION_DERIVATIVES = {
    name: getattr(activations, f"{name}_derivative") for name in HIDDEN_ACTIVATIONS
}
PARAMETER_NAMES = ("W1", "b1", "W2", "b2")


def compare_gradient(name, actual, expected, numeric, mistakes=None):
    """compare() for a gradient, adding how a wrong answer sits against central differences.

    name:     the gradient's name, e.g. "dW".
    actual:   the student's gradient (array-like).
    expected: nnlib's analytic gradient, same shape as numeric.
    numeric:  central differences of nnlib's forward pass, same shape as expected.
    mistakes: {diagnosis: the gradient that mistake would produce}.
    """
    __tracebackhide__ = True
    try:
        compare(name, actual, expected, mistakes=mistakes)
    except CheckFailed as failure:
        note = (
            f"\n  Central differences of the forward pass agree with the expected {name} "
            f"(relative error {relative_error(expected, numeric):.1e})"
        )
        actual = np.asarray(actual, dtype=np.float64)
        if actual.shape == numeric.shape and np.all(np.isfinite(actual)):
            note += f", not with yours (relative error {relative_error(actual, numeric):.1e})."
        else:
            note += "."
        raise CheckFailed(f"{failure}{note}") from None


def unpack(name, outputs, count):
    """The student's tuple of ``count`` results, or a CheckFailed that says what came back."""
    __tracebackhide__ = True
    if not isinstance(outputs, (tuple, list)) or len(outputs) != count:
        got = f"a {type(outputs).__name__}"
        if isinstance(outputs, (tuple, list)):
            got += f" of {len(outputs)} items"
        raise CheckFailed(f"{name} should return a tuple of {count} items, got {got}.")
    return outputs


def gradient_dict(name, outputs):
    """The student's {"W1", "b1", "W2", "b2"} dict, or a CheckFailed that says what is missing."""
    __tracebackhide__ = True
    if not isinstance(outputs, dict):
        raise CheckFailed(
            f"{name} should return a dict with keys {PARAMETER_NAMES}, "
            f"got a {type(outputs).__name__}."
        )
    missing = [key for key in PARAMETER_NAMES if key not in outputs]
    if missing:
        raise CheckFailed(f"{name}: the returned dict has no key {', '.join(missing)}.")
    return outputs


def random_parameters(rng, n_in, n_hidden, n_out):
    """Small random weights and biases of a two-layer network, as a dict of float64 arrays."""
    return {
        "W1": rng.normal(0, 0.8, (n_in, n_hidden)),
        "b1": rng.normal(0, 0.5, n_hidden),
        "W2": rng.normal(0, 0.8, (n_hidden, n_out)),
        "b2": rng.normal(0, 0.5, n_out),
    }


def mlp_forward(X, params, activation):
    """Forward pass of dense → activation → dense, as the lesson gives it to the student.

    Inputs:  X (m, n_in); params {"W1" (n_in, h), "b1" (h,), "W2" (h, n_out), "b2" (n_out,)};
             activation, a name in HIDDEN_ACTIVATIONS.
    Returns: Z2 (m, n_out), and the cache {"X", "Z1", "A1"} the backward pass needs.
    """
    Z1 = dense_forward(X, params["W1"], params["b1"])
    A1 = ACTIVATION_FUNCTIONS[activation](Z1)
    Z2 = dense_forward(A1, params["W2"], params["b2"])
    return Z2, {"X": X, "Z1": Z1, "A1": A1}


def mlp_gradients(dZ2, params, cache, activation, skip_activation=False, derivative_at_A1=False):
    """Backward pass of mlp_forward, optionally with one of two known mistakes.

    Inputs:  dZ2 (m, n_out); params and cache as mlp_forward; activation, its name;
             skip_activation: pass dA1 on as dZ1 (the activation backward forgotten);
             derivative_at_A1: take f' at A1 = f(Z1) rather than at Z1.
    Returns: {"W1", "b1", "W2", "b2"}: the gradients, each the shape of its parameter.
    """
    dA1, dW2, db2 = dense_backward(dZ2, cache["A1"], params["W2"])
    if skip_activation:
        dZ1 = dA1
    else:
        at = cache["A1"] if derivative_at_A1 else cache["Z1"]
        dZ1 = dA1 * ACTIVATION_DERIVATIVES[activation](at)
    _, dW1, db1 = dense_backward(dZ1, cache["X"], params["W1"])
    return {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}


def numerical_mlp_gradients(dZ2, params, X, activation):
    """Central differences of sum(mlp_forward(X) * dZ2) with respect to each parameter.

    Returns: {"W1", "b1", "W2", "b2"}, each the shape of its parameter.
    """
    numeric = {}
    for key in PARAMETER_NAMES:
        trial = {name: value.copy() for name, value in params.items()}

        def forward(value, key=key, trial=trial):
            trial[key] = value
            return mlp_forward(X, trial, activation)[0]

        numeric[key] = numerical_gradient_array(forward, trial[key].copy(), dZ2)
    return numeric


@register
class DenseBackward(Exercise):
    """dense_backward(dZ, X, W) -> (dX, dW, db) for Z = X W + b."""

    name = "dense_backward"
    reference = ("nnlib.layers.dense_backward",)

    def cases(self, rng, hidden):
        if not hidden:
            X = np.array([[1.0, 2.0], [3.0, -1.0], [0.5, 0.0], [-2.0, 1.0]])
            W = np.array([[0.5, -1.0, 2.0], [1.5, 0.0, -0.5]])
            dZ = np.array([[1.0, 0.0, -1.0], [0.5, 2.0, 0.0], [0.0, -1.0, 1.0], [2.0, 1.0, 0.5]])
            return [Case({"dZ": dZ, "X": X, "W": W}, label="m=4, n_in=2, n_out=3")]
        cases = []
        for _ in range(self.hidden_trials):
            m, n_in, n_out = (int(k) for k in rng.integers(2, 9, size=3))
            cases.append(
                Case(
                    {
                        "dZ": rng.normal(size=(m, n_out)),
                        "X": rng.normal(size=(m, n_in)),
                        "W": rng.normal(size=(n_in, n_out)),
                    },
                    label=f"m={m}, n_in={n_in}, n_out={n_out}",
                )
            )
        return cases

    def call(self, fn, inputs):
        return fn(inputs["dZ"], inputs["X"], inputs["W"])

    def judge(self, case, outputs):
        dX, dW, db = unpack("dense_backward", outputs, 3)
        dZ, X, W = case.inputs["dZ"], case.inputs["X"], case.inputs["W"]
        m = X.shape[0]
        b = np.zeros(W.shape[1])
        expected_dX, expected_dW, expected_db = dense_backward(dZ, X, W)
        numeric_dX = numerical_gradient_array(lambda x: dense_forward(x, W, b), X.copy(), dZ)
        numeric_dW = numerical_gradient_array(lambda w: dense_forward(X, w, b), W.copy(), dZ)
        numeric_db = numerical_gradient_array(lambda v: dense_forward(X, W, v), b.copy(), dZ)
        compare_gradient(
            "dX",
            dX,
            expected_dX,
            numeric_dX,
            mistakes={
                "dX was computed without the upstream gradient dZ: dX = dZ Wᵀ, "
                "not a sum of W's rows": np.tile(W.sum(axis=1), (m, 1)),
            }
            | known.batch_scale("dX", expected_dX, m),
        )
        compare_gradient(
            "dW",
            dW,
            expected_dW,
            numeric_dW,
            mistakes={
                "dW looks transposed: dW = Xᵀ dZ has W's shape (n_in, n_out); "
                "dZᵀ X has (n_out, n_in)": expected_dW.T,
                "dW was computed without the upstream gradient dZ: "
                "dW = Xᵀ dZ, not a sum of X's rows": np.tile(X.sum(axis=0)[:, None], W.shape[1]),
            }
            | known.batch_scale("dW", expected_dW, m),
        )
        compare_gradient(
            "db",
            db,
            expected_db,
            numeric_db,
            mistakes=known.bias_not_summed("db", dZ)
            | known.batch_scale("db", expected_db, m)
            | {
                "db kept the summed axis: sum without keepdims, so that db is a vector "
                "(n_out,) like b": expected_db[None, :],
            },
        )


@register
class ActivationBackward(Exercise):
    """activation_backward(dA, Z, activation) -> dZ = dA ∘ f'(Z)."""

    name = "activation_backward"
    reference = (
        "nnlib.activations.sigmoid_derivative",
        "nnlib.activations.tanh_derivative",
        "nnlib.activations.relu_derivative",
        "nnlib.activations.Sigmoid.backward",
        "nnlib.activations.Tanh.backward",
        "nnlib.activations.ReLU.backward",
    )

    def cases(self, rng, hidden):
        if not hidden:
            Z = np.array([[-2.0, -0.5, 0.25], [1.0, 3.0, -1.5]])
            dA = np.array([[0.5, -1.0, 2.0], [1.5, -0.5, 1.0]])
            return [
                Case({"dA": dA, "Z": Z, "activation": name}, label=name)
                for name in HIDDEN_ACTIVATIONS
            ]
        cases = []
        for name in HIDDEN_ACTIVATIONS:
            m, n = (int(k) for k in rng.integers(2, 8, size=2))
            Z = rng.normal(0, 2, size=(m, n))
            Z[Z == 0] = 0.5  # ReLU's derivative at exactly 0 is a convention, not a test
            cases.append(
                Case(
                    {"dA": rng.normal(size=(m, n)), "Z": Z, "activation": name},
                    label=f"{name}, shape ({m}, {n})",
                )
            )
        return cases

    def call(self, fn, inputs):
        return fn(inputs["dA"], inputs["Z"], inputs["activation"])

    def judge(self, case, outputs):
        dA, Z, name = case.inputs["dA"], case.inputs["Z"], case.inputs["activation"]
        f, derivative = ACTIVATION_FUNCTIONS[name], ACTIVATION_DERIVATIVES[name]
        expected = dA * derivative(Z)
        numeric = numerical_gradient_array(f, Z.copy(), dA)
        mistakes = {
            "sigmoid": known.sigmoid_derivative("dZ", Z, dA),
            "relu": known.relu_derivative("dZ", Z, dA),
            "tanh": known.missing_upstream("dZ", derivative(Z)),
        }[name]
        mistakes["dZ = dA ∘ f(Z) uses the activation itself; you need its derivative f'(Z)"] = (
            dA * f(Z)
        )
        if name == "tanh":
            mistakes["f' was taken at A = tanh(Z) instead of at Z"] = dA * derivative(f(Z))
            mistakes["tanh' is 1 − tanh²(Z); this looks like 1 − tanh(Z)"] = dA * (1 - np.tanh(Z))
            mistakes["tanh' was computed from Z itself: it is 1 − tanh(Z)², not 1 − Z²"] = dA * (
                1 - Z**2
            )
        if name == "relu":
            mistakes["ReLU's derivative was read from dA's sign: it depends on Z > 0"] = dA * (
                dA > 0
            )
        compare_gradient("dZ", outputs, expected, numeric, mistakes=mistakes)


@register
class MLPBackward(Exercise):
    """mlp_backward(dZ2, params, cache, activation) -> {"W1", "b1", "W2", "b2"} gradients."""

    name = "mlp_backward"
    reference = ("nnlib.model.Sequential.backward",)

    def cases(self, rng, hidden):
        if not hidden:
            sizes = [(4, 2, 3, 1, "tanh")]
        else:
            sizes = [
                (*(int(k) for k in rng.integers(2, 7, size=4)), name) for name in HIDDEN_ACTIVATIONS
            ]
        cases = []
        for m, n_in, n_hidden, n_out, name in sizes:
            params = random_parameters(rng, n_in, n_hidden, n_out)
            X = rng.normal(size=(m, n_in))
            _, cache = mlp_forward(X, params, name)
            dZ2 = rng.normal(size=(m, n_out)) / m
            cases.append(
                Case(
                    {"dZ2": dZ2, "params": params, "cache": cache, "activation": name},
                    label=f"{n_in}-{n_hidden}-{n_out} network, {name}, m={m}",
                )
            )
        return cases

    def call(self, fn, inputs):
        return fn(inputs["dZ2"], inputs["params"], inputs["cache"], inputs["activation"])

    def judge(self, case, outputs):
        grads = gradient_dict("mlp_backward", outputs)
        dZ2, params, cache, name = (
            case.inputs[k] for k in ("dZ2", "params", "cache", "activation")
        )
        expected = mlp_gradients(dZ2, params, cache, name)
        numeric = numerical_mlp_gradients(dZ2, params, cache["X"], name)
        skipped = mlp_gradients(dZ2, params, cache, name, skip_activation=True)
        at_A1 = mlp_gradients(dZ2, params, cache, name, derivative_at_A1=True)
        dZ1 = dZ2 @ params["W2"].T * ACTIVATION_DERIVATIVES[name](cache["Z1"])
        wrong_input = {
            "W2": {"layer 2's input is A1, not X: dW2 = A1ᵀ dZ2": cache["X"].T @ dZ2},
            "W1": {"layer 1's input is X, not A1: dW1 = Xᵀ dZ1": cache["A1"].T @ dZ1},
        }
        # Layer 2 first: a mistake there explains the layer-1 errors that follow from it.
        for key in ("W2", "b2", "W1", "b1"):
            compare_gradient(
                f"grads['{key}']",
                grads[key],
                expected[key],
                numeric[key],
                mistakes={
                    "the hidden activation's backward was skipped: dZ1 = dA1 ∘ f'(Z1), "
                    "not dA1": skipped[key],
                    f"f' was taken at A1 = {name}(Z1) instead of at Z1": at_A1[key],
                    **wrong_input.get(key, {}),
                },
            )


@register
class MLPTrainStep(Exercise):
    """mlp_train_step(params, X, Y, lr, activation) -> (J, new_params), one gradient step."""

    name = "mlp_train_step"
    reference = ("nnlib.training.train_epoch", "nnlib.training.fit")

    def cases(self, rng, hidden):
        if not hidden:
            sizes, rates = [(6, 2, 3, "tanh")], [0.5]
        else:
            sizes = [
                (*(int(k) for k in rng.integers(2, 9, size=3)), name) for name in HIDDEN_ACTIVATIONS
            ]
            rates = [float(rate) for rate in rng.uniform(0.05, 2.0, size=len(sizes))]
        cases = []
        for (m, n_in, n_hidden, name), lr in zip(sizes, rates, strict=True):
            params = random_parameters(rng, n_in, n_hidden, 1)
            X = rng.normal(size=(m, n_in))
            Y = (rng.random((m, 1)) < 0.5).astype(np.float64)
            cases.append(
                Case(
                    {"params": params, "X": X, "Y": Y, "lr": lr, "activation": name},
                    label=f"{n_in}-{n_hidden}-1 network, {name}, m={m}, lr={lr:.3g}",
                )
            )
        return cases

    def call(self, fn, inputs):
        keys = ("params", "X", "Y", "lr", "activation")
        return fn(*(inputs[key] for key in keys))

    def judge(self, case, outputs):
        J, new_params = unpack("mlp_train_step", outputs, 2)
        new_params = gradient_dict("mlp_train_step's new params", new_params)
        params, X, Y, lr, name = (case.inputs[k] for k in ("params", "X", "Y", "lr", "activation"))
        Z2, cache = mlp_forward(X, params, name)
        expected_J, dZ2 = sigmoid_binary_cross_entropy(Z2, Y)
        grads = mlp_gradients(dZ2, params, cache, name)
        expected = {key: params[key] - lr * grads[key] for key in PARAMETER_NAMES}
        after = {key: params[key] + lr * grads[key] for key in PARAMETER_NAMES}
        J_after = sigmoid_binary_cross_entropy(mlp_forward(X, expected, name)[0], Y)[0]
        compare(
            "J",
            J,
            expected_J,
            mistakes={
                "J was computed after the update: report the cost of the parameters "
                "you were given (the one the gradient belongs to)": J_after,
            },
        )
        for key in PARAMETER_NAMES:
            compare(
                f"new_params['{key}']",
                new_params[key],
                expected[key],
                mistakes={
                    f"{key} was not updated": params[key],
                    "the step went uphill: subtract lr × gradient, W ← W − lr ∂J/∂W": after[key],
                    "the learning rate is missing: W ← W − lr ∂J/∂W": params[key] - grads[key],
                },
            )
