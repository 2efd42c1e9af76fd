"""Lesson 02's catalogue: gate weights by hand, XOR composed of gates, and the descent that
trains the 2-2-1 network on XOR.

Gate weights follow lesson 01's convention, w = [w1, w2, w0] with the bias last and
h = 1 if w·x' >= 0. train_xor steps with the gradients that nnlib.xor_net.xor_gradients gives.
"""

import numpy as np
from entries import Correct, Mistake

from nnlib.perceptron import perceptron_predict
from nnlib.xor_net import xor_gradients

# --- gate weights -------------------------------------------------------------------------


def and_weights_is_or():
    return np.array([1.0, 1.0, -0.5])


def and_weights_bias_first():
    return np.array([-1.5, 1.0, 1.0])


def and_weights_tie_on_the_wrong_side():
    return np.array([1.0, 1.0, -1.0])  # z = 0 on (0, 1) and (1, 0) counts as 1: that is OR


def or_weights_is_and():
    return np.array([1.0, 1.0, -1.5])


def or_weights_no_bias():
    return np.array([1.0, 1.0, 0.0])  # z = 0 on (0, 0) counts as 1


def nand_weights_signs_of_and_with_a_tie():
    return -np.array([1.0, 1.0, -2.0])  # AND with a tie at (1, 1), negated: the tie stays 1


def nand_weights_is_and():
    return np.array([1.0, 1.0, -1.5])


def and_weights_as_list():
    return [2, 2, -3]


def or_weights_scaled():
    return np.array([0.1, 0.1, -0.05])


def nand_weights_from_inequalities():
    w1 = w2 = -2.0
    return np.array([w1, w2, -(w1 + w2) - 1.0])


# --- xor_network --------------------------------------------------------------------------


def _hidden(X, w_a, w_b):
    return np.column_stack([perceptron_predict(w_a, X), perceptron_predict(w_b, X)])


def xor_network_units_swapped(X, w_or, w_nand, w_and):
    return perceptron_predict(w_nand, _hidden(X, w_or, w_and))


def xor_network_output_is_or(X, w_or, w_nand, w_and):
    return perceptron_predict(w_or, _hidden(X, w_nand, w_and))


def xor_network_hidden_sums(X, w_or, w_nand, w_and):
    Xb = np.hstack([X, np.ones((len(X), 1))])
    return perceptron_predict(w_and, np.column_stack([Xb @ w_or, Xb @ w_nand]))


def xor_network_and_of_inputs(X, w_or, w_nand, w_and):
    return perceptron_predict(w_and, X)


def xor_network_with_matrix(X, w_or, w_nand, w_and):
    Xb = np.hstack([X, np.ones((len(X), 1))])
    H = (Xb @ np.column_stack([w_or, w_nand]) >= 0).astype(float)
    Hb = np.hstack([H, np.ones((len(H), 1))])
    return (Hb @ w_and >= 0).astype(float)


def xor_network_loop(X, w_or, w_nand, w_and):
    def unit(w, a, b):
        return 1.0 if w[0] * a + w[1] * b + w[2] >= 0 else 0.0

    return np.array([unit(w_and, unit(w_or, a, b), unit(w_nand, a, b)) for a, b in X])


# --- train_xor ----------------------------------------------------------------------------


def _descent(X, Y, params, lr, epochs):
    params = tuple(params)
    for _ in range(epochs):
        grads = xor_gradients(X, Y, *params)
        params = tuple(p - lr * g for p, g in zip(params, grads, strict=True))
    return params


def train_xor_uphill(X, Y, W1, b1, W2, b2, lr=4.0, epochs=1000):
    return _descent(X, Y, (W1, b1, W2, b2), -lr, epochs)


def train_xor_no_lr(X, Y, W1, b1, W2, b2, lr=4.0, epochs=1000):
    return _descent(X, Y, (W1, b1, W2, b2), 1.0, epochs)


def train_xor_off_by_one(X, Y, W1, b1, W2, b2, lr=4.0, epochs=1000):
    return _descent(X, Y, (W1, b1, W2, b2), lr, epochs - 1)


def train_xor_gradients_once(X, Y, W1, b1, W2, b2, lr=4.0, epochs=1000):
    dW1, db1, dW2, db2 = xor_gradients(X, Y, W1, b1, W2, b2)
    for _ in range(epochs):
        W1, b1, W2, b2 = W1 - lr * dW1, b1 - lr * db1, W2 - lr * dW2, b2 - lr * db2
    return W1, b1, W2, b2


def train_xor_not_assigned(X, Y, W1, b1, W2, b2, lr=4.0, epochs=1000):
    for _ in range(epochs):
        dW1, db1, dW2, db2 = xor_gradients(X, Y, W1, b1, W2, b2)
        W1 - lr * dW1, b1 - lr * db1, W2 - lr * dW2, b2 - lr * db2  # noqa: B018
    return W1, b1, W2, b2


def train_xor_unpacked(X, Y, W1, b1, W2, b2, lr=4.0, epochs=1000):
    for _ in range(epochs):
        dW1, db1, dW2, db2 = xor_gradients(X, Y, W1, b1, W2, b2)
        W1 = W1 - lr * dW1
        b1 = b1 - lr * db1
        W2 = W2 - lr * dW2
        b2 = b2 - lr * db2
    return W1, b1, W2, b2


def train_xor_dict(X, Y, W1, b1, W2, b2, lr=4.0, epochs=1000):
    theta = {"W1": W1.copy(), "b1": b1.copy(), "W2": W2.copy(), "b2": b2.copy()}
    for _ in range(epochs):
        grads = dict(zip(theta, xor_gradients(X, Y, *theta.values()), strict=True))
        for key in theta:
            theta[key] -= lr * grads[key]
    return tuple(theta.values())


MISTAKES = [
    Mistake("and_weights", and_weights_is_or, "the unit computes OR"),
    Mistake("and_weights", and_weights_bias_first, "would work with the bias first"),
    Mistake("and_weights", and_weights_tie_on_the_wrong_side, "the unit computes OR"),
    Mistake("or_weights", or_weights_is_and, "the unit computes AND"),
    Mistake("or_weights", or_weights_no_bias, "the constant 1"),
    Mistake("nand_weights", nand_weights_signs_of_and_with_a_tie, "with every sign flipped"),
    Mistake("nand_weights", nand_weights_is_and, "the unit computes AND"),
    Mistake("xor_network", xor_network_units_swapped, "the units are in the wrong places"),
    Mistake("xor_network", xor_network_output_is_or, "OR is a hidden unit"),
    Mistake("xor_network", xor_network_hidden_sums, "received the hidden weighted sums"),
    Mistake("xor_network", xor_network_and_of_inputs, "you returned AND(x1, x2)"),
    Mistake("train_xor", train_xor_uphill, "the steps went uphill"),
    Mistake("train_xor", train_xor_no_lr, "the learning rate is missing"),
    Mistake("train_xor", train_xor_off_by_one, "one step too few"),
    Mistake("train_xor", train_xor_gradients_once, "every step used the gradients of the start"),
    Mistake("train_xor", train_xor_not_assigned, "did not change"),
]

CORRECT = [
    Correct("and_weights", and_weights_as_list),
    Correct("or_weights", or_weights_scaled),
    Correct("nand_weights", nand_weights_from_inequalities),
    Correct("xor_network", xor_network_with_matrix),
    Correct("xor_network", xor_network_loop),
    Correct("train_xor", train_xor_unpacked),
    Correct("train_xor", train_xor_dict),
]
