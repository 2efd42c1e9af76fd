"""nnlib.classifier, lesson 10's reference: its gradients against central differences, its step
against the rule, and its loop's early stopping against the history it returns."""

import numpy as np
import pytest

from nnlib import classifier
from nnlib.gradcheck import numerical_gradient, rel_error
from nnlib.losses import softmax_cross_entropy


def small_problem(seed, sizes=(4, 6, 5, 3), m=8):
    rng = np.random.default_rng(seed)
    params = classifier.glorot_params(list(sizes), rng)
    params = [(W, rng.normal(0, 0.3, b.shape)) for W, b in params]
    X = rng.normal(size=(m, sizes[0]))
    Y = np.eye(sizes[-1])[rng.integers(0, sizes[-1], m)]
    return params, X, Y


def penalised_cost(params, X, Y, lam):
    Z, _ = classifier.network_forward(X, params)
    return softmax_cross_entropy(Z, Y)[0] + lam * sum(np.sum(W * W) for W, _ in params)


@pytest.mark.parametrize("seed", range(3))
def test_the_step_moves_each_parameter_by_lr_times_the_penalised_gradient(seed):
    params, X, Y = small_problem(seed)
    lr, lam = 0.3, 0.05
    J, new = classifier.train_step(params, X, Y, lr, lam)
    assert J == pytest.approx(penalised_cost(params, X, Y, lam), rel=1e-12)
    for layer, (W, b) in enumerate(params):
        for index, value in enumerate((W, b)):

            def cost(trial, layer=layer, index=index):
                changed = [list(p) for p in params]
                changed[layer][index] = trial
                return penalised_cost(changed, X, Y, lam)

            gradient = numerical_gradient(cost, value.copy())
            moved = (value - new[layer][index]) / lr
            assert rel_error(moved, gradient) < 1e-7


def test_the_step_leaves_its_arguments_alone():
    params, X, Y = small_problem(0)
    before = [(W.copy(), b.copy()) for W, b in params]
    classifier.train_step(params, X, Y, 0.5, 0.1)
    for (W, b), (W0, b0) in zip(params, before, strict=True):
        assert np.array_equal(W, W0) and np.array_equal(b, b0)


def test_fit_returns_the_best_epochs_parameters_and_stops_after_patience():
    params, X, Y = small_problem(1, m=20)
    X_val = X[:6]
    Y_val = np.roll(Y[:6], 1, axis=1)  # labels one class off: validation gets worse
    rng = np.random.default_rng(0)
    best, history = classifier.fit(params, X, Y, X_val, Y_val, 0.5, 0.0, 30, 4, 3, rng)
    val = history["val_cost"]
    assert len(val) == history["best_epoch"] + 4  # three epochs without improvement
    assert val[history["best_epoch"]] == min(val)
    Z_val, _ = classifier.network_forward(X_val, best)
    assert softmax_cross_entropy(Z_val, Y_val)[0] == pytest.approx(min(val), rel=1e-12)


def test_predict_proba_rows_are_distributions_and_softmax_regression_has_one_layer():
    params, X, _ = small_problem(2)
    P = classifier.predict_proba(X, params)
    assert np.allclose(P.sum(axis=1), 1.0) and np.all(P > 0)
    X_train = np.random.default_rng(0).random((30, 64))
    y = np.arange(30) % 10
    weights, history = classifier.softmax_regression(X_train, y, X_train[:10], y[:10])
    assert [W.shape for W, _ in weights] == [(64, 10)] and len(history["val_cost"]) >= 1
