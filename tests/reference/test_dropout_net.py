"""nnlib.dropout_net, lesson 09's network with dropout on its hidden layer: its gradients agree
with central differences in both modes, evaluation draws no mask, and training is repeatable."""

import numpy as np
import pytest

from nnlib.dropout_net import dropout_net_backward, dropout_net_forward, train_dropout_net
from nnlib.gradcheck import numerical_gradient_array, rel_error


def small_network(seed=0):
    rng = np.random.default_rng(seed)
    params = [
        (rng.normal(size=(3, 5)), rng.normal(size=5)),
        (rng.normal(size=(5, 2)), rng.normal(size=2)),
    ]
    return rng.normal(size=(4, 3)), params, rng.normal(size=(4, 2))


@pytest.mark.parametrize("training", [False, True])
def test_gradients_match_central_differences_with_the_mask_fixed(training):
    X, params, dZ2 = small_network()
    p = 0.4
    _, cache = dropout_net_forward(X, params, p, np.random.default_rng(7), training)
    grads = dropout_net_backward(dZ2, cache, params, p)
    for layer in range(2):
        for index in range(2):

            def logits(value, layer=layer, index=index):
                trial = [list(pair) for pair in params]
                trial[layer][index] = value
                # The same seed draws the same mask: the thinned network of one step.
                return dropout_net_forward(X, trial, p, np.random.default_rng(7), training)[0]

            numeric = numerical_gradient_array(logits, params[layer][index].copy(), dZ2)
            assert rel_error(grads[layer][index], numeric) < 1e-8


def test_evaluation_is_the_plain_network_and_training_drops_units():
    X, params, _ = small_network()
    (W1, b1), (W2, b2) = params
    Z2, (X_c, Z1, keep, D) = dropout_net_forward(X, params, 0.5, None, training=False)
    assert keep is None and X_c is X
    assert np.array_equal(D, np.maximum(X @ W1 + b1, 0.0))
    assert np.allclose(Z2, D @ W2 + b2, rtol=1e-15)
    _, (_, _, keep, D) = dropout_net_forward(X, params, 0.5, np.random.default_rng(1))
    assert keep.shape == D.shape == (4, 5)
    assert np.array_equal(D, np.maximum(Z1, 0.0) * keep / 0.5)


def test_training_is_repeatable_and_records_every_epoch():
    rng = np.random.default_rng(3)
    X, X_val = rng.normal(size=(20, 4)), rng.normal(size=(30, 4))
    Y, Y_val = (X[:, :1] > 0).astype(float), (X_val[:, :1] > 0).astype(float)
    data = (X, Y, X_val, Y_val)
    runs = [
        train_dropout_net(
            dropout_net_forward,
            dropout_net_backward,
            data,
            0.3,
            hidden=8,
            lr=0.5,
            epochs=40,
            seed=2,
        )
        for _ in range(2)
    ]
    assert np.array_equal(runs[0].val_cost, runs[1].val_cost)
    assert runs[0].train_cost.shape == runs[0].val_cost.shape == (40,)
    assert runs[0].best_val_cost == runs[0].val_cost.min()
    assert runs[0].train_cost[-1] < runs[0].train_cost[0]  # it learns
