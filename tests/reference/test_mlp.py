"""nnlib.mlp, the functional MLP of lessons 03 and 05, against nnlib's Sequential and against
central differences, and its messages for bad input."""

import numpy as np
import pytest

import nnlib
from nnlib import mlp
from nnlib.gradcheck import numerical_gradient_array, rel_error
from nnlib.losses import sigmoid_binary_cross_entropy

NAMES = ["relu", "tanh", "sigmoid", "identity"]
CLASSES = {
    "identity": nnlib.Identity,
    "sigmoid": nnlib.Sigmoid,
    "tanh": nnlib.Tanh,
    "relu": nnlib.ReLU,
}


def network(seed, sizes=(3, 5, 4, 2, 1)):
    rng = np.random.default_rng(seed)
    params = [
        (rng.normal(size=(n_in, n_out)), rng.normal(size=n_out))
        for n_in, n_out in zip(sizes[:-1], sizes[1:], strict=True)
    ]
    return params, rng.normal(size=(7, sizes[0])), rng.normal(size=(7, sizes[-1])) / 7


def sequential(params, names):
    layers = []
    for (W, b), name in zip(params, names, strict=True):
        dense = nnlib.Dense(*W.shape)
        dense.W, dense.b = W.copy(), b.copy()
        layers += [dense, CLASSES[name]()]
    return nnlib.Sequential(layers)


@pytest.mark.parametrize("seed", range(5))
def test_forward_and_backward_agree_with_sequential(seed):
    params, X, dA = network(seed)
    A, caches = mlp.mlp_forward(X, params, NAMES)
    model = sequential(params, NAMES)
    np.testing.assert_allclose(A, model.forward(X), rtol=1e-12)
    assert [cache[0].shape for cache in caches] == [(7, 3), (7, 5), (7, 4), (7, 2)]
    np.testing.assert_allclose(caches[1][0], np.maximum(caches[0][2], 0), rtol=1e-15)
    grads = mlp.mlp_backward(dA, caches, NAMES)
    model.backward(dA)
    for (dW, db), dense in zip(grads, model.layers[::2], strict=True):
        np.testing.assert_allclose(dW, dense.dW, rtol=1e-10, atol=1e-14)
        np.testing.assert_allclose(db, dense.db, rtol=1e-10, atol=1e-14)


def test_backward_agrees_with_central_differences():
    params, X, dA = network(7)
    names = ["tanh", "sigmoid", "tanh", "identity"]  # smooth, so no kink to straddle
    _, caches = mlp.mlp_forward(X, params, names)
    grads = mlp.mlp_backward(dA, caches, names)
    for layer in range(len(params)):
        for index in range(2):

            def forward(value, layer=layer, index=index):
                trial = [list(pair) for pair in params]
                trial[layer][index] = value
                return mlp.mlp_forward(X, trial, names)[0]

            numeric = numerical_gradient_array(forward, params[layer][index].copy(), dA)
            assert rel_error(grads[layer][index], numeric) < 1e-6


def test_train_step_moves_against_the_gradient_and_leaves_params_alone():
    params, X, _ = network(3)
    Y = (np.arange(7) % 2).reshape(-1, 1).astype(float)
    before = [(W.copy(), b.copy()) for W, b in params]
    names = ["tanh", "relu", "tanh", "identity"]
    J, new = mlp.train_step(params, X, Y, 0.1, names)
    Z, caches = mlp.mlp_forward(X, before, names)
    expected_J, dZ = sigmoid_binary_cross_entropy(Z, Y)
    assert J == expected_J
    for (W, b), (W_new, b_new), (dW, db) in zip(
        before, new, mlp.mlp_backward(dZ, caches, names), strict=True
    ):
        np.testing.assert_array_equal(W_new, W - 0.1 * dW)
        np.testing.assert_array_equal(b_new, b - 0.1 * db)
    for (W, b), (W_old, b_old) in zip(params, before, strict=True):
        np.testing.assert_array_equal(W, W_old)
        np.testing.assert_array_equal(b, b_old)


def test_glorot_params_have_glorot_bounds_and_zero_biases():
    params = mlp.glorot_params([2, 8, 1], np.random.default_rng(0))
    assert [W.shape for W, _ in params] == [(2, 8), (8, 1)]
    assert np.abs(params[0][0]).max() <= np.sqrt(6 / 10)
    assert all(not b.any() for _, b in params)


def test_bad_input_says_what_to_fix():
    params, X, _ = network(0)
    with pytest.raises(ValueError, match=r"params has 4 layers but activations names 2"):
        mlp.mlp_forward(X, params, ["tanh", "identity"])
    with pytest.raises(ValueError, match=r"unknown activation 'softmax'; use one of 'identity'"):
        mlp.mlp_forward(X, params, ["tanh", "tanh", "tanh", "softmax"])
    with np.errstate(all="ignore"), pytest.raises(nnlib.TrainingDiverged, match="lower the"):
        huge = [(W * 1e308, b) for W, b in params]
        mlp.train_step(huge, X * 1e10, np.ones((7, 1)), 0.1, ["identity"] * 4)
