"""nnlib.penalised and nnlib.best_epoch: the penalised step, soft-thresholding, and the
early-stopping loop that hands back copies of the best epoch."""

import numpy as np
import pytest

from nnlib import mlp
from nnlib.best_epoch import train_with_early_stopping
from nnlib.gradcheck import numerical_gradient, rel_error
from nnlib.losses import sigmoid_binary_cross_entropy
from nnlib.penalised import penalised_cost, penalised_step, proximal_l1, train_penalised
from nnlib.training import early_stopping_point

ACTIVATIONS = ["tanh", "sigmoid", "identity"]


def network(seed=0):
    """A 3-4-2-1 network with non-zero biases and 6 examples."""
    rng = np.random.default_rng(seed)
    params = [(W, rng.normal(size=b.shape)) for W, b in mlp.glorot_params([3, 4, 2, 1], rng)]
    X = rng.normal(size=(6, 3))
    Y = rng.integers(0, 2, size=(6, 1)).astype(float)
    return params, X, Y


def test_the_cost_is_the_cross_entropy_plus_both_penalties_on_the_weights_only():
    params, X, Y = network()
    logit, _ = mlp.mlp_forward(X, params, ACTIVATIONS)
    loss = sigmoid_binary_cross_entropy(logit, Y)[0]
    squares = sum(float(np.sum(W**2)) for W, _ in params)
    sizes = sum(float(np.sum(np.abs(W))) for W, _ in params)
    J = penalised_cost(params, X, Y, 0.1, 0.05, ACTIVATIONS)
    assert J == pytest.approx(loss + 0.1 * squares + 0.05 * sizes, rel=1e-14)
    assert penalised_step(params, X, Y, 0.3, 0.1, 0.05, ACTIVATIONS)[0] == J


def test_the_step_moves_every_parameter_by_lr_times_the_gradient_of_the_cost():
    params, X, Y = network()
    lr = 0.3
    _, moved = penalised_step(params, X, Y, lr, 0.1, 0.05, ACTIVATIONS)
    for layer, ((W, b), (W_new, b_new)) in enumerate(zip(params, moved, strict=True)):
        for index, (value, new) in enumerate(((W, W_new), (b, b_new))):

            def cost(v, layer=layer, index=index):
                changed = [list(pair) for pair in params]
                changed[layer][index] = v
                return penalised_cost(changed, X, Y, 0.1, 0.05, ACTIVATIONS)

            numeric = numerical_gradient(cost, value.copy())
            assert rel_error((value - new) / lr, numeric) < 1e-7


def test_the_step_leaves_its_parameters_alone():
    params, X, Y = network()
    before = [(W.copy(), b.copy()) for W, b in params]
    penalised_step(params, X, Y, 0.3, 0.1, 0.05, ACTIVATIONS)
    assert all(
        np.array_equal(W, W0) and np.array_equal(b, b0)
        for (W, b), (W0, b0) in zip(params, before, strict=True)
    )


def test_soft_thresholding_stops_at_zero_and_moves_the_rest_by_the_threshold():
    W = np.array([[0.75, -0.75, 0.125], [-0.125, 0.0, 0.5]])  # exact in binary
    assert np.array_equal(proximal_l1(W, 0.25), np.array([[0.5, -0.5, 0.0], [0.0, 0.0, 0.25]]))
    assert np.array_equal(proximal_l1(W, 0.0), W)


def test_train_penalised_records_both_losses_and_refuses_an_unknown_kind():
    params, X, Y = network()
    trained, train_losses, val_losses = train_penalised(
        penalised_step, params, X, Y, 0.5, 0.0, "L1 proximal", 5, ACTIVATIONS, (X[:3], Y[:3])
    )
    expected = params
    for _ in range(5):
        expected = penalised_step(expected, X, Y, 0.5, 0.0, 0.0, ACTIVATIONS)[1]
    assert all(np.array_equal(W, W_e) for (W, _), (W_e, _) in zip(trained, expected, strict=True))
    assert len(train_losses) == len(val_losses) == 5
    assert train_losses[-1] == penalised_cost(trained, X, Y, 0.0, 0.0, ACTIVATIONS)
    with pytest.raises(ValueError, match="kind should be one of 'L2', 'L1', 'L1 proximal'"):
        train_penalised(penalised_step, params, X, Y, 0.5, 0.1, "L3", 5, ACTIVATIONS, (X, Y))


def test_the_loop_stops_by_the_rule_and_hands_back_copies_of_the_best_epoch():
    costs = [0.9, 0.7, 0.5, 0.6, 0.5, 0.8, 0.4]  # best at 2, a tie at 4, stop at 5 (patience 3)
    params = [(np.zeros((2, 2)), np.zeros(2))]
    seen = []

    def step(p):
        for W, b in p:
            W += 1.0
            b -= 1.0

    def val_cost(p):
        seen.append(float(p[0][0][0, 0]))
        return costs[len(seen) - 1]

    best_params, val_costs = train_with_early_stopping(params, step, val_cost, 7, 3)
    assert early_stopping_point(costs, 3) == (2, 5)
    assert val_costs == costs[:6]
    assert np.array_equal(best_params[0][0], np.full((2, 2), 3.0))  # after epoch 2's step
    assert np.array_equal(best_params[0][1], np.full(2, -3.0))
    assert np.array_equal(params[0][0], np.full((2, 2), 6.0))  # trained on, in place
