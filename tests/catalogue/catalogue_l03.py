"""Lesson 03's catalogue: the forward pass.

Mistakes students make on one neuron, a dense layer, the three activations, the forward pass
of an MLP of any depth (with its caches) and counting parameters; and right answers written
other ways.
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


# --- neuron -------------------------------------------------------------------------------


def neuron_no_bias(x, w, b):
    return sigmoid(w @ x)


def neuron_no_sigmoid(x, w, b):
    return w @ x + b


def neuron_sign_flipped(x, w, b):
    return 1 / (1 + np.exp(w @ x + b))


def neuron_not_summed(x, w, b):
    return sigmoid(w * x + b)


def neuron_loop(x, w, b):
    z = b
    for xi, wi in zip(x, w, strict=True):
        z += xi * wi
    return 1 / (1 + np.exp(-z))


def neuron_tanh_identity(x, w, b):
    return (np.tanh(np.dot(w, x) / 2 + b / 2) + 1) / 2


# --- dense_forward --------------------------------------------------------------------------


def dense_no_bias(X, W, b):
    return X @ W


def dense_with_sigmoid(X, W, b):
    return sigmoid(X @ W + b)


def dense_bias_subtracted(X, W, b):
    return X @ W - b


def dense_transposed(X, W, b):
    return (X @ W + b).T


def dense_einsum(X, W, b):
    return np.einsum("mi,io->mo", X, W) + b[np.newaxis, :]


def dense_row_by_row(X, W, b):
    print("computing", len(X), "rows")
    return np.array(
        [[sum(x[i] * W[i, j] for i in range(len(x))) + b[j] for j in range(len(b))] for x in X]
    )


# --- sigmoid, tanh, relu ----------------------------------------------------------------------


def sigmoid_sign_flipped(Z):
    return 1 / (1 + np.exp(Z))


def sigmoid_is_tanh(Z):
    return np.tanh(Z)


def tanh_without_2z(Z):
    return 2 * sigmoid(Z) - 1


def tanh_is_sigmoid_2z(Z):
    return sigmoid(2 * Z)


def relu_slope(Z):
    return (Z > 0).astype(float)


def relu_minimum(Z):
    return np.minimum(0, Z)


def relu_abs(Z):
    return np.abs(Z)


def relu_max_of_all(Z):
    return np.max(Z)


def sigmoid_with_exp_of_minus(Z):
    E = np.exp(-Z)
    return 1 / (E + 1)


def tanh_with_numpy(Z):
    return np.tanh(Z)


def relu_where(Z):
    return np.where(Z > 0, Z, 0.0)


# --- mlp_forward ------------------------------------------------------------------------------


def forward(choose=lambda names, layer: names[layer], cache=lambda A, W, Z, out: (A, W, Z)):
    def mlp_forward(X, params, activations):
        A, caches = X, []
        for layer, (W, b) in enumerate(params):
            Z = A @ W + b
            out = ACT[choose(activations, layer)](Z)
            caches.append(cache(A, W, Z, out))
            A = out
        return A, caches

    return mlp_forward


def mlp_forward_recursive(X, params, activations):
    if not params:
        return X, []
    (W, b), *rest = params
    Z = np.dot(X, W) + b
    A, caches = mlp_forward_recursive(ACT[activations[0]](Z), rest, activations[1:])
    return A, [[X, W, Z], *caches]


# --- count_parameters -------------------------------------------------------------------------


def count_weights_only(sizes):
    return sum(a * b for a, b in zip(sizes[:-1], sizes[1:], strict=True))


def count_input_biases(sizes):
    return count_weights_only(sizes) + sum(sizes)


def count_units(sizes):
    return sum(sizes)


def count_biases_only(sizes):
    return sum(sizes[1:])


def count_loop(sizes):
    total = 0
    for i in range(1, len(sizes)):
        total += (sizes[i - 1] + 1) * sizes[i]
    return np.int64(total)


MISTAKES = [
    Mistake("neuron", neuron_no_bias, "the bias b was left out"),
    Mistake("neuron", neuron_no_sigmoid, "the sigmoid was not applied"),
    Mistake("neuron", neuron_sign_flipped, "the sign in the exponent is flipped"),
    Mistake("neuron", neuron_not_summed, "w * x was not summed"),
    Mistake("dense_forward", dense_no_bias, "the bias b was not added"),
    Mistake("dense_forward", dense_with_sigmoid, "an activation was applied"),
    Mistake("dense_forward", dense_bias_subtracted, "the bias was subtracted"),
    Mistake("dense_forward", dense_transposed, "transposed"),
    Mistake("sigmoid", sigmoid_sign_flipped, "the sign in the exponent is flipped"),
    Mistake("sigmoid", sigmoid_is_tanh, "this is tanh(Z)"),
    Mistake("tanh", tanh_without_2z, "note the 2Z"),
    Mistake("tanh", tanh_is_sigmoid_2z, "this is sigmoid(2Z)"),
    Mistake("relu", relu_slope, "ReLU's slope"),
    Mistake("relu", relu_minimum, "this is min(0, Z)"),
    Mistake("relu", relu_abs, "this is |Z|"),
    Mistake("relu", relu_max_of_all, "the largest element"),
    Mistake("mlp_forward", forward(lambda names, layer: "identity"), "no activation was applied"),
    Mistake(
        "mlp_forward",
        forward(lambda names, layer: "identity" if layer == len(names) - 1 else names[layer]),
        "the last layer's activation was not applied",
    ),
    Mistake("mlp_forward", forward(lambda names, layer: names[::-1][layer]), "reverse order"),
    Mistake("mlp_forward", forward(lambda names, layer: names[0]), "the first activation"),
    Mistake(
        "mlp_forward",
        forward(cache=lambda A, W, Z, out: (A, W, out)),
        "the cache holds A = f(Z)",
    ),
    Mistake(
        "mlp_forward",
        forward(cache=lambda A, W, Z, out: (out, W, Z)),
        "it needs its input A_prev",
    ),
    Mistake("count_parameters", count_weights_only, "only the weights were counted"),
    Mistake("count_parameters", count_input_biases, "the input layer was given biases"),
    Mistake("count_parameters", count_units, "this counts units"),
    Mistake("count_parameters", count_biases_only, "only the biases were counted"),
]

CORRECT = [
    Correct("neuron", neuron_loop),
    Correct("neuron", neuron_tanh_identity),
    Correct("dense_forward", dense_einsum),
    Correct("dense_forward", dense_row_by_row),
    Correct("sigmoid", sigmoid_with_exp_of_minus),
    Correct("tanh", tanh_with_numpy),
    Correct("relu", relu_where),
    Correct("mlp_forward", mlp_forward_recursive),
    Correct("count_parameters", count_loop),
]
