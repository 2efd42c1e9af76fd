"""What lesson 05's text says its figures and widgets show, measured over their whole range.

- Section 6: a two-class network's first cost is ln 2 with zero weights, and within a factor
  of 2 of it from Glorot's start (0.42 to 1.38 over 200 seeds).
- Section 7: the sigmoid's factor σ'(Z) shrinks the gradient by at most 1/4 per layer, while the
  Wᵀ factor is not bounded by 1; over the figure's nine steps the first layer's ||dW|| is a few
  millionths of the last one's, near 4⁻⁹; tanh and ReLU stay level.
- Section 8, the playground's "things to try": spirals need more than 2 hidden units; on the
  circles, a learning rate of 0.01 is too slow, 1 works, 8 makes the cost jump up; with noise
  0.4 and 32 units, the held-out cost turns up while the training cost keeps falling.
"""

import numpy as np
import pytest

import nnlib
from nnlib import init, layers, mlp
from nnlib.losses import sigmoid_binary_cross_entropy


def test_zero_weights_cost_exactly_ln2_and_glorot_starts_within_a_factor_of_2():
    X, y = nnlib.make_moons(n=200, noise=0.15, seed=0)
    Y = y.reshape(-1, 1).astype(float)
    logit, _ = mlp.mlp_forward(X, [(np.zeros((2, 1)), np.zeros(1))], ["identity"])
    assert sigmoid_binary_cross_entropy(logit, Y)[0] == pytest.approx(np.log(2), abs=1e-12)
    first = []
    for seed in range(200):
        params = mlp.glorot_params([2, 8, 1], np.random.default_rng(seed))
        first.append(mlp.train_step(params, X, Y, 0.0, ["tanh", "identity"])[0])
    assert (round(min(first), 2), round(max(first), 2)) == (0.42, 1.38)  # as the text quotes
    assert np.log(2) / 2 < min(first) and max(first) < 2 * np.log(2)


def layer_factors(activation, seed, depth=10, width=32):
    """The figure's deep stack: per layer (||dZ|| / ||dA||, ||dA_prev|| / ||dZ||), last layer
    first, and ||dW|| of layer 1 over that of layer 10."""
    rng = np.random.default_rng(seed)
    A = rng.normal(size=(64, width))
    stack = []
    for _ in range(depth):
        W = init.glorot_uniform(width, width, rng)
        Z = layers.dense_forward(A, W, np.zeros(width))
        stack.append((A, W, Z))
        A = mlp.FUNCTIONS[activation](Z)
    dA = rng.normal(size=A.shape) / len(A)
    factors, norms = [], []
    for A_in, W, Z in reversed(stack):
        dZ = dA * mlp.DERIVATIVES[activation](Z)
        dA_prev, dW, _ = layers.dense_backward(dZ, A_in, W)
        factors.append(
            (np.linalg.norm(dZ) / np.linalg.norm(dA), np.linalg.norm(dA_prev) / np.linalg.norm(dZ))
        )
        norms.append(np.linalg.norm(dW))
        dA = dA_prev
    return factors, norms[-1] / norms[0]


def test_sigmoid_gradients_shrink_by_the_derivative_and_the_weights_are_not_bounded():
    transposes = []
    for seed in range(20):
        factors, ratio = layer_factors("sigmoid", seed)
        # at most 1/4, and "about that much" with Z near 0
        assert all(0.2 < derivative <= 0.25 for derivative, _ in factors), seed
        transposes += [weights for _, weights in factors]
        assert 1e-6 < ratio < 1e-5, (seed, ratio)  # "a few millionths", near 4**-9 = 3.8e-6
    assert max(transposes) > 1.0  # so 1/4 per layer bounds σ' alone, not the whole step
    assert 0.8 < min(transposes) and max(transposes) < 1.25  # "near 1 at the start"
    assert layer_factors("sigmoid", 0)[1] == pytest.approx(4.6e-6, rel=0.01)  # the printout


def test_the_sigmoid_weight_gradients_shrink_at_every_layer_going_down():
    for seed in range(20):
        rng = np.random.default_rng(seed)
        A = rng.normal(size=(64, 32))
        stack = []
        for _ in range(10):
            W = init.glorot_uniform(32, 32, rng)
            Z = layers.dense_forward(A, W, np.zeros(32))
            stack.append((A, W, Z))
            A = mlp.FUNCTIONS["sigmoid"](Z)
        grads = mlp.mlp_backward(rng.normal(size=A.shape) / 64, stack, ["sigmoid"] * 10)
        norms = [np.linalg.norm(dW) for dW, _ in grads]
        assert all(lower < upper for lower, upper in zip(norms[:-1], norms[1:], strict=True))


@pytest.mark.parametrize("activation", ["tanh", "relu"])
def test_tanh_and_relu_stay_level_at_initialisation(activation):
    for seed in range(20):
        assert 0.3 < layer_factors(activation, seed)[1] < 3.0


def playground(dataset, hidden, activation, lr, steps, noise=0.1):
    """The playground's run: costs on the 200 training and 100 held-out points, and the
    training accuracy, after ``steps`` full-batch steps from its fixed start."""
    X, y = {
        "moons": nnlib.make_moons,
        "circles": nnlib.make_circles,
        "spirals": nnlib.make_spirals,
    }[dataset](n=300, noise=noise, seed=0)
    Y = (y == 1).astype(float).reshape(-1, 1)
    params = mlp.glorot_params([2, hidden, 1], np.random.default_rng(0))
    names = [activation, "identity"]
    train, test = [], []
    for _ in range(steps):
        J, params = mlp.train_step(params, X[:200], Y[:200], lr, names)
        train.append(J)
        logit, _ = mlp.mlp_forward(X[200:], params, names)
        test.append(sigmoid_binary_cross_entropy(logit, Y[200:])[0])
    accuracy = np.mean((mlp.mlp_forward(X[:200], params, names)[0] > 0) == Y[:200])
    return np.array(train), np.array(test), accuracy


def test_spirals_need_more_than_two_hidden_units():
    _, _, narrow = playground("spirals", 2, "tanh", 0.5, 1000)
    _, _, wide = playground("spirals", 16, "tanh", 0.5, 1000)
    assert narrow < 0.65 < 0.8 < wide


def test_circles_learning_rates_slow_right_and_jumpy():
    slow, _, slow_accuracy = playground("circles", 8, "tanh", 0.01, 500)
    right, _, right_accuracy = playground("circles", 8, "tanh", 1.0, 500)
    jumpy, _, _ = playground("circles", 8, "tanh", 8.0, 500)
    assert slow[-1] > 0.65 and slow_accuracy < 0.7
    assert right[-1] < 0.1 and right_accuracy > 0.98 and np.all(np.diff(right) <= 1e-9)
    assert np.diff(jumpy).max() > 1.0


def test_with_noise_the_held_out_cost_turns_up_while_the_training_cost_falls():
    train, test, _ = playground("moons", 32, "tanh", 0.5, 3000, noise=0.4)
    lowest = int(np.argmin(test))
    assert lowest < 1000 and test[-1] > test[lowest] + 0.05
    assert train[-1] < train[lowest] - 0.03
