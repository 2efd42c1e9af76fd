"""Every backward pass in nnlib against central differences of its own forward pass.

Inputs are float64 and kept away from kinks (ReLU and |w| at 0) and from the clipping of the
cross-entropies, where a numerical derivative is not meaningful. Threshold: relative error
below 1e-7, the issue's bar for a correct backward pass.
"""

import numpy as np
import pytest

import nnlib.activations as act
from nnlib import losses, regularizers
from nnlib.dropout import Dropout, dropout_backward, dropout_forward
from nnlib.gradcheck import numerical_gradient, numerical_gradient_array, rel_error
from nnlib.layers import Dense, dense_backward, dense_forward
from nnlib.model import Sequential

TOL = 1e-7
SEEDS = [0, 1, 2]


def away_from_zero(rng, shape, gap=0.05):
    """Normal numbers with |x| ≥ gap, so that kinks at 0 are never straddled."""
    x = rng.normal(size=shape)
    return np.where(np.abs(x) < gap, np.sign(x + 1e-12) * gap, x)


def one_hot_rows(rng, m, k):
    Y = np.zeros((m, k))
    Y[np.arange(m), rng.integers(0, k, m)] = 1.0
    return Y


@pytest.mark.parametrize("seed", SEEDS)
def test_dense_backward_matches_numerical(seed):
    rng = np.random.default_rng(seed)
    m, n_in, n_out = rng.integers(2, 6, size=3)
    X, W, b = rng.normal(size=(m, n_in)), rng.normal(size=(n_in, n_out)), rng.normal(size=n_out)
    dZ = rng.normal(size=(m, n_out))
    dX, dW, db = dense_backward(dZ, X, W)
    assert rel_error(dX, numerical_gradient_array(lambda x: dense_forward(x, W, b), X, dZ)) < TOL
    assert rel_error(dW, numerical_gradient_array(lambda w: dense_forward(X, w, b), W, dZ)) < TOL
    assert rel_error(db, numerical_gradient_array(lambda c: dense_forward(X, W, c), b, dZ)) < TOL


@pytest.mark.parametrize("seed", SEEDS)
def test_dense_layer_stores_the_same_gradients(seed):
    rng = np.random.default_rng(seed)
    layer = Dense(4, 3, rng=rng)
    X, dZ = rng.normal(size=(5, 4)), rng.normal(size=(5, 3))
    layer.forward(X)
    dX = layer.backward(dZ)
    expected = dense_backward(dZ, X, layer.W)
    for got, want in zip((dX, layer.dW, layer.db), expected, strict=True):
        np.testing.assert_array_equal(got, want)
    assert layer.backward(dZ, input_grad=False) is None


@pytest.mark.parametrize("name", ["identity", "sigmoid", "tanh", "relu", "softmax"])
@pytest.mark.parametrize("seed", SEEDS)
def test_activation_layer_backward_matches_numerical(name, seed):
    rng = np.random.default_rng(seed)
    Z = away_from_zero(rng, (4, 5)) * 2
    dA = rng.normal(size=Z.shape)
    layer = act.ACTIVATIONS[name]()
    layer.forward(Z)
    dZ = layer.backward(dA)
    numeric = numerical_gradient_array(lambda z: act.ACTIVATIONS[name]().forward(z), Z.copy(), dA)
    assert rel_error(dZ, numeric) < TOL


@pytest.mark.parametrize("name", ["identity", "sigmoid", "tanh", "relu"])
def test_derivative_functions_match_numerical(name):
    # moderate z: where tanh saturates, f' ~ 1e-6 drowns in the difference quotient's rounding
    z = away_from_zero(np.random.default_rng(3), (6,)) * 1.5
    f, df = getattr(act, name), getattr(act, f"{name}_derivative")
    numeric = numerical_gradient_array(f, z.copy(), np.ones_like(z))
    assert rel_error(df(z), numeric) < TOL


def test_softmax_jacobian_matches_numerical():
    z = np.random.default_rng(4).normal(size=(2, 4))
    J = act.softmax_derivative(z)
    for a in range(4):
        upstream = np.zeros((2, 4))
        upstream[:, a] = 1.0
        numeric = numerical_gradient_array(act.softmax, z.copy(), upstream)
        assert rel_error(J[:, a, :], numeric) < TOL


def _targets(name, rng, m, k):
    if name in ("categorical_cross_entropy", "softmax_cross_entropy"):
        return one_hot_rows(rng, m, k)
    if name == "mse":
        return rng.normal(size=(m, k))
    return rng.integers(0, 2, size=(m, k)).astype(np.float64)


def _outputs(name, rng, m, k):
    if name == "binary_cross_entropy":
        return rng.uniform(0.05, 0.95, size=(m, k))
    if name == "categorical_cross_entropy":
        return act.softmax(rng.normal(size=(m, k)))
    return rng.normal(size=(m, k)) * 2


LOSS_NAMES = [
    "mse",
    "binary_cross_entropy",
    "categorical_cross_entropy",
    "sigmoid_binary_cross_entropy",
    "softmax_cross_entropy",
]


@pytest.mark.parametrize("name", LOSS_NAMES)
@pytest.mark.parametrize("seed", SEEDS)
def test_loss_gradient_matches_numerical(name, seed):
    rng = np.random.default_rng(seed)
    m, k = rng.integers(2, 7), rng.integers(2, 5)
    loss = getattr(losses, name)
    A, Y = _outputs(name, rng, m, k), _targets(name, rng, m, k)
    _, grad = loss(A, Y)
    numeric = numerical_gradient(lambda a: loss(a, Y)[0], A.copy())
    assert rel_error(grad, numeric) < TOL


@pytest.mark.parametrize("kind", ["l1", "l2"])
def test_regularizer_gradient_matches_numerical(kind):
    W = away_from_zero(np.random.default_rng(5), (4, 3))
    penalty = getattr(regularizers, f"{kind}_penalty")
    gradient = getattr(regularizers, f"{kind}_gradient")
    numeric = numerical_gradient(lambda w: penalty(w, 0.3), W.copy())
    assert rel_error(gradient(W, 0.3), numeric) < TOL


@pytest.mark.parametrize("seed", SEEDS)
def test_dropout_backward_matches_numerical_with_a_fixed_mask(seed):
    rng = np.random.default_rng(seed)
    X, dA = rng.normal(size=(6, 5)), rng.normal(size=(6, 5))
    p = 0.4
    _, keep = dropout_forward(X, p, np.random.default_rng(seed))
    numeric = numerical_gradient_array(
        lambda x: dropout_forward(x, p, np.random.default_rng(seed))[0], X.copy(), dA
    )
    assert rel_error(dropout_backward(dA, keep, p), numeric) < TOL


def test_dropout_layer_backward_reuses_its_mask():
    layer = Dropout(0.5, seed=7)
    X = np.ones((3, 4))
    A = layer.forward(X, training=True)
    np.testing.assert_array_equal(layer.backward(np.ones_like(X)), A)


@pytest.mark.parametrize(
    "output, loss",
    [("softmax", "softmax_cross_entropy"), ("sigmoid", "sigmoid_binary_cross_entropy")],
)
def test_whole_network_gradients_match_numerical(output, loss):
    rng = np.random.default_rng(8)
    k = 3 if output == "softmax" else 1
    net = Sequential(
        [Dense(4, 5, rng=rng), act.Tanh(), Dense(5, k, rng=rng), act.ACTIVATIONS[output]()]
    )
    X = rng.normal(size=(6, 4))
    Y = one_hot_rows(rng, 6, 3) if k == 3 else rng.integers(0, 2, (6, 1)).astype(float)
    loss_fn = getattr(losses, loss)
    _, dZ = loss_fn(net.forward(X, logits=True), Y)
    net.backward(dZ, logits=True)
    for name, value, grad in net.parameters():
        numeric = numerical_gradient(lambda _: loss_fn(net.forward(X, logits=True), Y)[0], value)
        assert rel_error(grad, numeric) < TOL, name


@pytest.mark.parametrize(
    "output, fused, plain, k",
    [
        ("softmax", "softmax_cross_entropy", "categorical_cross_entropy", 4),
        ("sigmoid", "sigmoid_binary_cross_entropy", "binary_cross_entropy", 1),
    ],
)
def test_fused_losses_equal_the_loss_through_the_activation(output, fused, plain, k):
    rng = np.random.default_rng(11)
    Z = rng.normal(size=(7, k))
    Y = one_hot_rows(rng, 7, k) if k > 1 else rng.integers(0, 2, (7, 1)).astype(float)
    layer = act.ACTIVATIONS[output]()
    J_plain, dA = getattr(losses, plain)(layer.forward(Z), Y)
    J_fused, dZ = getattr(losses, fused)(Z, Y)
    assert rel_error(J_fused, J_plain) < 1e-12
    assert rel_error(dZ, layer.backward(dA)) < 1e-10
    np.testing.assert_allclose(dZ, (layer.forward(Z) - Y) / 7, rtol=1e-12)
