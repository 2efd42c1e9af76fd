"""What lesson 08's text says its figures and widget show, measured over their whole range.

The lesson trains one network (2-20-20-1, tanh, Glorot start from seed 0) on 30 noisy moons
points with learning rate 0.6 for 300 epochs, and the widget of section 10 shows every penalty
kind ("L2", "L1", "L1 proximal") for every λ of its slider, trained in section 7. This file
builds the same runs with nnlib's step (which a correct student step equals) and asserts every
number and trend the text states, section by section.
"""

import numpy as np
import pytest

from nnlib import data, mlp
from nnlib.activations import sigmoid
from nnlib.best_epoch import train_with_early_stopping
from nnlib.gradcheck import rel_error
from nnlib.losses import sigmoid_binary_cross_entropy
from nnlib.penalised import KINDS, penalised_step, proximal_l1, train_penalised
from nnlib.regularizers import l1_gradient, l2_gradient
from nnlib.training import early_stopping_point

LR, EPOCHS, ACTIVATIONS = 0.6, 300, ["tanh", "tanh", "identity"]
LAMBDAS = (0.0, 0.001, 0.003, 0.01, 0.03, 0.1)
MOONS_X, MOONS_Y = data.make_moons(n=530, noise=0.35, seed=3)
Y_ALL = MOONS_Y[:, None].astype(float)
X_TRAIN, Y_TRAIN = MOONS_X[:30], Y_ALL[:30]
X_VAL, Y_VAL = MOONS_X[30:230], Y_ALL[30:230]


def start():
    return mlp.glorot_params([2, 20, 20, 1], np.random.default_rng(0))


def train(lam=0.0, kind="L2", X=X_TRAIN, Y=Y_TRAIN, lr=LR):
    return train_penalised(
        penalised_step, start(), X, Y, lr, lam, kind, EPOCHS, ACTIVATIONS, (X_VAL, Y_VAL)
    )


def weights(params):
    return np.concatenate([W.ravel() for W, _ in params])


def gap(run):
    """The validation cost minus the training cost at the end of a run."""
    return run[2][-1] - run[1][-1]


@pytest.fixture(scope="module")
def runs():
    """Section 7's runs, which the widget of section 10 shows: {(kind, λ): run}."""
    plain = train()
    return {
        (kind, lam): plain if lam == 0 else train(lam, kind) for kind in KINDS for lam in LAMBDAS
    }


def test_section_1_the_network_over_fits_with_smooth_curves(runs):
    params, train_losses, val_losses = runs["L2", 0.0]
    assert sum(W.size + b.size for W, b in params) == 501
    assert int(np.argmin(val_losses)) == 99 and round(min(val_losses), 2) == 0.35
    assert round(val_losses[-1], 2) == 0.58 and round(train_losses[-1], 2) == 0.11
    right = (sigmoid(mlp.mlp_forward(X_TRAIN, params, ACTIVATIONS)[0]) > 0.5) == (Y_TRAIN > 0.5)
    assert int(right.sum()) == 29
    assert np.all(np.diff(train_losses) < 0)  # smooth: the training cost falls at every epoch
    _, spiky, _ = train(lr=1.0)
    assert np.max(np.diff(spiky)) > 0.1  # with learning rate 1.0, spikes


def one_weight_paths(steps=16, alpha=0.1, lam=0.5, w0=0.33):
    """Section 5's figure: one weight under the penalty alone."""
    paths = {"L2": [w0], "L1": [w0], "proximal": [w0]}
    for _ in range(steps):
        paths["L2"].append(paths["L2"][-1] - alpha * l2_gradient(paths["L2"][-1], lam))
        paths["L1"].append(paths["L1"][-1] - alpha * l1_gradient(paths["L1"][-1], lam))
        paths["proximal"].append(proximal_l1(np.array(paths["proximal"][-1]), alpha * lam))
    return {name: np.array(path, dtype=float) for name, path in paths.items()}


def test_section_5_the_gradient_step_jitters_and_the_proximal_step_stops_at_zero():
    paths = one_weight_paths()
    assert np.all(paths["L2"] != 0) and round(paths["L2"][-1], 3) == 0.061
    assert np.all(paths["L1"] != 0)  # never exactly 0
    assert np.allclose(paths["L1"][7:], np.where(np.arange(7, 17) % 2, -0.02, 0.03))
    assert paths["proximal"][6] > 0 and np.all(paths["proximal"][7:] == 0)
    assert np.allclose(paths["proximal"][:7], paths["L1"][:7])


def small_network():
    """Section 6's gradient check: a 2-4-3-1 network with non-zero biases, 5 examples."""
    rng = np.random.default_rng(1)
    params = [(W, rng.normal(size=b.shape)) for W, b in mlp.glorot_params([2, 4, 3, 1], rng)]
    X = rng.normal(size=(5, 2))
    Y = rng.integers(0, 2, size=5)[:, None].astype(float)
    return params, X, Y


def worst_gradient_error(step):
    """The largest relative error between a step's own gradient (params − new_params at
    α = 1) and central differences of the J it returns, over every W and b."""
    params, X, Y = small_network()
    _, moved = step(params, X, Y, 1.0, 0.1, 0.05, ACTIVATIONS)
    worst = 0.0
    for pair, after in zip(params, moved, strict=True):
        for value, new in zip(pair, after, strict=True):
            numeric = np.zeros_like(value)
            for index in np.ndindex(value.shape):
                kept = value[index]
                costs = []
                for shift in (1e-5, -1e-5):
                    value[index] = kept + shift
                    costs.append(step(params, X, Y, 0.0, 0.1, 0.05, ACTIVATIONS)[0])
                value[index] = kept
                numeric[index] = (costs[0] - costs[1]) / 2e-5
            worst = max(worst, rel_error(value - new, numeric))
    return worst


def step_with(l2_factor=2.0, l2_in_J=1.0, l2_in_dW=True):
    """A penalised step whose L2 term is l2_in_J·λΣw² in J and l2_factor·λW in dW (or none)."""

    def step(params, X, Y, lr, l2, l1, activations):
        J, plain = penalised_step(params, X, Y, lr, 0.0, l1, activations)
        J += l2_in_J * l2 * sum(np.sum(W**2) for W, _ in params)
        grow = l2_factor * l2 if l2_in_dW else 0.0
        return J, [
            (W_new - lr * grow * W, b) for (W, _), (W_new, b) in zip(params, plain, strict=True)
        ]

    return step


def test_section_6_the_gradient_check_tells_consistent_steps_from_inconsistent_ones():
    assert worst_gradient_error(penalised_step) < 1e-7
    assert worst_gradient_error(step_with(l2_factor=1.0, l2_in_J=0.5)) < 1e-7  # ½λ, consistent
    assert worst_gradient_error(step_with(l2_in_dW=False)) > 1e-4  # in J, not in dW
    assert worst_gradient_error(step_with(l2_factor=1.0)) > 1e-4  # λW for λw²


def test_section_7_penalties_close_the_gap_and_l1_zeroes_weights(runs):
    none, l2, l1 = runs["L2", 0.0], runs["L2", 0.003], runs["L1", 0.003]
    assert (round(gap(none), 2), round(gap(l2), 2), round(gap(l1), 2)) == (0.47, 0.05, 0.08)
    near = {name: np.mean(np.abs(weights(run[0])) < 0.01) for name, run in (("L1", l1), ("L2", l2))}
    assert (round(near["L1"], 2), round(near["L2"], 2)) == (0.85, 0.09)
    largest = [np.abs(weights(run[0])).max() for run in (l2, none)]
    assert (round(largest[0], 1), round(largest[1], 1)) == (1.3, 2.5)
    assert 0.45 < largest[0] / largest[1] < 0.55  # "about half as large"


def test_section_7_the_validation_cost_against_lambda(runs):
    final = {key: run[2][-1] for key, run in runs.items()}
    training = {key: run[1][-1] for key, run in runs.items()}
    assert round(final["L2", 0.0], 2) == 0.58
    assert min(LAMBDAS, key=lambda lam: final["L2", lam]) == 0.003
    assert round(final["L2", 0.003], 3) == 0.354
    for kind in ("L1", "L1 proximal"):
        assert min(LAMBDAS, key=lambda lam: final[kind, lam]) == 0.001
        assert round(final[kind, 0.001], 3) == 0.348
    for kind in KINDS:
        assert round(final[kind, 0.1], 2) == 0.74 and round(training[kind, 0.1], 2) == 0.66
        assert min(LAMBDAS, key=lambda lam: training[kind, lam]) == 0.0  # λ = 0 wins on training
        lowest = min(final[kind, lam] for lam in LAMBDAS)
        assert all(final[kind, lam] - lowest < 0.06 for lam in (0.001, 0.003, 0.01, 0.03))


def test_section_8_early_stopping_and_the_loop_that_restores_the_best_weights(runs):
    val_losses = runs["L2", 0.0][2]
    assert early_stopping_point(val_losses, 10) == (99, 109)
    assert early_stopping_point(val_losses, 50) == (99, 149)

    def step(params):
        _, after = penalised_step(params, X_TRAIN, Y_TRAIN, LR, 0.0, 0.0, ACTIVATIONS)
        for (W, b), (W_after, b_after) in zip(params, after, strict=True):
            W[...], b[...] = W_after, b_after

    def val_cost(params):
        logit = mlp.mlp_forward(X_VAL, params, ACTIVATIONS)[0]
        return sigmoid_binary_cross_entropy(logit, Y_VAL)[0]

    kept, costs = train_with_early_stopping(start(), step, val_cost, EPOCHS, 50)
    assert (len(costs) - 1, int(np.argmin(costs))) == (149, 99)
    assert val_cost(kept) == min(costs) == min(val_losses)
    assert round(val_cost(runs["L2", 0.0][0]), 2) == 0.58  # the left panel: all 300 epochs


def test_section_9_more_data_and_noisy_copies_lower_the_validation_cost(runs):
    copies = [data.add_gaussian_noise(X_TRAIN, sigma=0.15, seed=k) for k in range(9)]
    noisy = train(X=np.vstack([X_TRAIN, *copies]), Y=np.tile(Y_TRAIN, (10, 1)))
    more = train(X=MOONS_X[230:480], Y=Y_ALL[230:480])
    final = [runs["L2", 0.0][2][-1], noisy[2][-1], more[2][-1]]
    assert [round(cost, 2) for cost in final] == [0.58, 0.45, 0.24]
    assert np.all(np.diff(more[1]) < 0)  # a clean run on the real points too


def test_section_10_every_claim_about_the_widget_holds_over_its_whole_range(runs):
    largest = [np.abs(weights(runs["L2", lam][0])).max() for lam in LAMBDAS]
    assert np.all(np.diff(largest) < 0) and round(largest[0], 1) == 2.5 and largest[-1] < 1e-3
    for kind in ("L2", "L1"):
        assert all(np.all(weights(runs[kind, lam][0]) != 0) for lam in LAMBDAS)
    near = [np.mean(np.abs(weights(runs["L1", lam][0])) < 0.01) for lam in LAMBDAS]
    assert LAMBDAS[int(np.argmax(near))] == 0.01
    assert [round(share, 2) for share in near[-3:]] == [0.97, 0.54, 0.15]
    assert LR * 0.03 > 0.01 and (round(LR * 0.03, 3), round(LR * 0.1, 2)) == (0.018, 0.06)
    exact = [np.mean(weights(runs["L1 proximal", lam][0]) == 0) for lam in LAMBDAS]
    assert np.all(np.diff(exact) > 0) and round(exact[3], 2) == 0.97 and exact[-1] == 1.0
    for lam in LAMBDAS:
        for losses in (1, 2):
            assert abs(runs["L1", lam][losses][-1] - runs["L1 proximal", lam][losses][-1]) < 0.01
    share_of_class_1 = float(np.mean(Y_TRAIN))
    assert round(share_of_class_1, 2) == 0.63
    grid = np.stack(np.meshgrid(np.linspace(-1.5, 2.5, 30), np.linspace(-1, 1.5, 30)), -1)
    for kind in KINDS:
        gaps = [gap(runs[kind, lam]) for lam in (0.0, 0.001, 0.003)]
        assert np.all(np.diff(gaps) < 0), kind
        run = runs[kind, 0.1]
        assert (round(run[1][-1], 2), round(run[2][-1], 2)) == (0.66, 0.74)
        probability = sigmoid(mlp.mlp_forward(grid.reshape(-1, 2), run[0], ACTIVATIONS)[0])
        assert np.all(np.abs(probability - share_of_class_1) < 0.01), kind
