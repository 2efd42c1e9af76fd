"""Lesson 05's catalogue: backpropagation in matrix form.

Mistakes students make on the dense and activation backward passes, the backward pass of a
network of any depth, their own central differences, the repair of the lesson's buggy
dense-tanh backward pass and one training step; and right answers written other ways.
"""

import numpy as np
from entries import Correct, Mistake


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


ACT = {
    "identity": lambda z: z,
    "sigmoid": sigmoid,
    "tanh": np.tanh,
    "relu": lambda z: np.maximum(0, z),
}
SLOPE = {
    "identity": np.ones_like,
    "sigmoid": lambda z: sigmoid(z) * (1 - sigmoid(z)),
    "tanh": lambda z: 1 - np.tanh(z) ** 2,
    "relu": lambda z: (z > 0).astype(float),
}


def bce_from_logits(Z, Y):
    """The binary cross-entropy of sigmoid(Z) and its gradient (A - Y) / m, as nnlib's."""
    m = len(Y)
    J = float(np.mean(np.logaddexp(0, Z) - Y * Z)) * Z.shape[1]
    return J, (sigmoid(Z) - Y) / m


# --- dense_backward ---------------------------------------------------------------------------


def dense_dW_transposed(dZ, X, W):
    return dZ @ W.T, dZ.T @ X, dZ.sum(axis=0)


def dense_db_not_summed(dZ, X, W):
    return dZ @ W.T, X.T @ dZ, dZ


def dense_db_averaged(dZ, X, W):
    return dZ @ W.T, X.T @ dZ, dZ.mean(axis=0)


def dense_db_keepdims(dZ, X, W):
    return dZ @ W.T, X.T @ dZ, dZ.sum(axis=0, keepdims=True)


def dense_dW_over_m(dZ, X, W):
    return dZ @ W.T, X.T @ dZ / len(X), dZ.sum(axis=0)


def dense_dX_without_dZ(dZ, X, W):
    return np.ones_like(dZ) @ W.T, X.T @ dZ, dZ.sum(axis=0)


def dense_einsum(dZ, X, W):
    return np.einsum("mo,io->mi", dZ, W), np.einsum("mi,mo->io", X, dZ), np.einsum("mo->o", dZ)


def dense_loops(dZ, X, W):
    dX, dW, db = np.zeros_like(X), np.zeros_like(W), np.zeros(W.shape[1])
    for i in range(X.shape[0]):
        dX[i] = W @ dZ[i]
        dW += np.outer(X[i], dZ[i])
        db += dZ[i]
    return dX, dW, db


# --- activation_backward -------------------------------------------------------------------------


def activation_local_only(dA, Z, activation):
    return SLOPE[activation](Z)


def activation_at_output(dA, Z, activation):
    return dA * SLOPE[activation](ACT[activation](Z))


def activation_sigmoid_from_z(dA, Z, activation):
    if activation == "sigmoid":
        return dA * Z * (1 - Z)
    return dA * SLOPE[activation](Z)


def activation_relu_wrong_side(dA, Z, activation):
    if activation == "relu":
        return dA * (Z < 0)
    return dA * SLOPE[activation](Z)


def activation_relu_at_zero(dA, Z, activation):
    if activation == "relu":
        return dA * (Z >= 0)
    return dA * SLOPE[activation](Z)


def activation_tanh_not_squared(dA, Z, activation):
    if activation == "tanh":
        return dA * (1 - np.tanh(Z))
    return dA * SLOPE[activation](Z)


def activation_identity_zero(dA, Z, activation):
    if activation == "identity":
        return np.zeros_like(dA)
    return dA * SLOPE[activation](Z)


def activation_where(dA, Z, activation):
    if activation == "relu":
        return np.where(Z > 0, dA, 0.0)
    if activation == "identity":
        return dA + 0
    if activation == "tanh":
        return dA / np.cosh(Z) ** 2
    E = np.exp(-Z)
    return dA * E / (1 + E) ** 2


# --- mlp_backward ------------------------------------------------------------------------------


def backward(at_output=False, skip=False, reverse=True, over_m=False):
    def mlp_backward(dA, caches, activations):
        grads = []
        for (A_prev, W, Z), name in zip(reversed(caches), reversed(activations), strict=True):
            at = ACT[name](Z) if at_output else Z
            dZ = dA if skip else dA * SLOPE[name](at)
            scale = 1 / len(dA) if over_m else 1.0
            grads.append((A_prev.T @ dZ * scale, dZ.sum(axis=0) * scale))
            dA = dZ @ W.T
        return grads[::-1] if reverse else grads

    return mlp_backward


def backward_one_layer_short(dA, caches, activations):
    return backward()(dA, caches, activations)[1:]


def backward_by_index(dA, caches, activations):
    grads = [None] * len(caches)
    for layer in range(len(caches) - 1, -1, -1):
        A_prev, W, Z = caches[layer]
        dZ = dA * SLOPE[activations[layer]](Z)
        grads[layer] = [A_prev.T.dot(dZ), dZ.sum(0)]
        dA = dZ.dot(W.T)
    return grads


# --- numerical_gradient_array ---------------------------------------------------------------------


def numerical(one_sided=False, weighted=True, denominator=2.0):
    def numerical_gradient_array(f, x, dout, h=1e-5):
        grad = np.zeros_like(x)
        for i in np.ndindex(x.shape):
            old = x[i]
            x[i] = old + h
            plus = f(x)
            x[i] = old if one_sided else old - h
            minus = f(x)
            x[i] = old
            grad[i] = np.sum((plus - minus) * (dout if weighted else 1.0)) / (denominator * h)
        return grad

    return numerical_gradient_array


def numerical_not_restored(f, x, dout, h=1e-5):
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        x[i] += h
        plus = f(x)
        x[i] -= 2 * h
        grad[i] = np.sum((plus - f(x)) * dout) / (2 * h)
    return grad


def numerical_on_copies(f, x, dout, h=1e-5):
    grad = np.empty(x.shape)
    for i in np.ndindex(x.shape):
        up, down = x.copy(), x.copy()
        up[i] += h
        down[i] -= h
        grad[i] = (np.vdot(f(up), dout) - np.vdot(f(down), dout)) / (2 * h)
    return grad


# --- fixed_dense_tanh_backward ------------------------------------------------------------


def fixed(slope=lambda A: 1 - A**2, dW_from_dA=False):
    def fixed_dense_tanh_backward(dA, cache):
        X, W, A = cache
        dZ = dA * slope(A)
        return dZ @ W.T, X.T @ (dA if dW_from_dA else dZ), dZ.sum(axis=0)

    return fixed_dense_tanh_backward


def fixed_with_einsum(dA, cache):
    X, W, A = cache
    dZ = dA - dA * A * A
    return np.einsum("mo,io->mi", dZ, W), np.einsum("mi,mo->io", X, dZ), dZ.sum(0)


# --- train_step ---------------------------------------------------------------------------------


def forward(X, params, activations):
    A, caches = X, []
    for (W, b), name in zip(params, activations, strict=True):
        Z = A @ W + b
        caches.append((A, W, Z))
        A = ACT[name](Z)
    return A, caches


def step(sign=-1.0, use_lr=True, biases=True, cost_after=False, sigmoid_twice=False):
    def train_step(params, X, Y, lr, activations):
        A, caches = forward(X, params, activations)
        if sigmoid_twice:
            J, dP = bce_from_logits(sigmoid(A), Y)
            dA = dP * SLOPE["sigmoid"](A)
        else:
            J, dA = bce_from_logits(A, Y)
        grads = backward()(dA, caches, activations)
        rate = lr if use_lr else 1.0
        new = [
            (W + sign * rate * dW, b + sign * rate * db if biases else b)
            for (W, b), (dW, db) in zip(params, grads, strict=True)
        ]
        if cost_after:
            J = bce_from_logits(forward(X, new, activations)[0], Y)[0]
        return J, new

    return train_step


def step_printing_in_a_loop(params, X, Y, lr, activations):
    J, new = step()(params, X, Y, lr, activations)
    updated = []
    for W, b in new:
        updated.append([np.array(W), np.array(b)])
    print(f"J = {J:.4f}")
    return np.float64(J), updated


MISTAKES = [
    Mistake("dense_backward", dense_dW_transposed, "dW looks transposed"),
    Mistake("dense_backward", dense_db_not_summed, "db was not summed over the batch"),
    Mistake("dense_backward", dense_db_averaged, "times too small"),
    Mistake("dense_backward", dense_db_keepdims, "db kept the summed axis"),
    Mistake("dense_backward", dense_dW_over_m, "times too small"),
    Mistake("dense_backward", dense_dX_without_dZ, "dX was computed without the upstream"),
    Mistake("activation_backward", activation_local_only, "is the local derivative alone"),
    Mistake("activation_backward", activation_at_output, "instead of to z"),
    Mistake("activation_backward", activation_sigmoid_from_z, "computes z(1 − z)"),
    Mistake("activation_backward", activation_relu_wrong_side, "taken on the wrong side"),
    Mistake("activation_backward", activation_relu_at_zero, "relu'(0) is 0 in this course"),
    Mistake("activation_backward", activation_tanh_not_squared, "this looks like 1 − tanh(Z)"),
    Mistake("activation_backward", activation_identity_zero, "the identity's derivative is 1"),
    Mistake("mlp_backward", backward(at_output=True), "f' was taken at the layer's output"),
    Mistake("mlp_backward", backward(skip=True), "the activations' backward was skipped"),
    Mistake("mlp_backward", backward(reverse=False), "the list is in backward order"),
    Mistake("mlp_backward", backward(over_m=True), "times too small"),
    Mistake("mlp_backward", backward_one_layer_short, "must visit every one of them"),
    Mistake("numerical_gradient_array", numerical(one_sided=True, denominator=1.0), "one-sided"),
    Mistake("numerical_gradient_array", numerical(weighted=False), "dout is missing"),
    Mistake("numerical_gradient_array", numerical(denominator=1.0), "divided by h, not by 2h"),
    Mistake("numerical_gradient_array", numerical_not_restored, "was changed in place"),
    Mistake("fixed_dense_tanh_backward", fixed(dW_from_dA=True), "dW still skips the activation"),
    Mistake("fixed_dense_tanh_backward", fixed(slope=lambda A: 1 - A), "not 1 − A"),
    Mistake(
        "fixed_dense_tanh_backward",
        fixed(slope=lambda A: 1 - np.tanh(A) ** 2),
        "tanh' was taken as 1 − tanh(A)²",
    ),
    Mistake("train_step", step(sign=1.0), "the step went uphill"),
    Mistake("train_step", step(use_lr=False), "the learning rate is missing"),
    Mistake("train_step", step(biases=False), "b was not updated"),
    Mistake("train_step", step(cost_after=True), "J was computed after the update"),
    Mistake("train_step", step(sigmoid_twice=True), "the sigmoid was applied twice"),
]

CORRECT = [
    Correct("dense_backward", dense_einsum),
    Correct("dense_backward", dense_loops),
    Correct("activation_backward", activation_where),
    Correct("mlp_backward", backward_by_index),
    Correct("numerical_gradient_array", numerical_on_copies),
    Correct("fixed_dense_tanh_backward", fixed_with_einsum),
    Correct("train_step", step()),
    Correct("train_step", step_printing_in_a_loop),
]
