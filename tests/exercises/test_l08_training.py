"""Lesson 08's exercises on a real network: the penalised step and the early-stopping loop.
Right answers pass every seed, known mistakes are named, a numerical gradient fails."""

import copy

import numpy as np
import pytest

from grader import CheckFailed, check
from nnlib.losses import sigmoid_binary_cross_entropy
from nnlib.mlp import mlp_backward, mlp_forward

SEEDS = range(8)


def step_with(
    factor=2.0,
    j_factor=1.0,
    on_biases=False,
    uphill=False,
    in_J=True,
    in_dW=True,
    sign_zero=0.0,
    swapped=False,
):
    """A penalised_step, right by default, or with a known mistake.

    factor: the L2 gradient is factor·l2·W (right: 2); j_factor: J has j_factor·l2·Σw².
    sign_zero: L1's gradient where a weight is exactly 0 (right: 0).
    swapped: l2 goes with |w| and l1 with w².
    """

    def penalised_step(params, X, Y, lr, l2, l1, activations):
        if swapped:
            l2, l1 = l1, l2
        logit, caches = mlp_forward(X, params, activations)
        J, dZ = sigmoid_binary_cross_entropy(logit, Y)
        new = []
        for (W, b), (dW, db) in zip(params, mlp_backward(dZ, caches, activations), strict=True):
            sign = np.where(W == 0, sign_zero, np.sign(W))
            if in_J:
                J += j_factor * l2 * np.sum(W**2) + l1 * np.sum(np.abs(W))
                if on_biases:
                    J += l2 * np.sum(b**2) + l1 * np.sum(np.abs(b))
            if in_dW:
                dW = dW + factor * l2 * W + l1 * sign
                if on_biases:
                    db = db + 2 * l2 * b + l1 * np.sign(b)
            move = lr if not uphill else -lr
            new.append((W - move * dW, b - move * db))
        return J, new

    return penalised_step


def loop_with(keep="copies", late=0, forever=False, measure_first=False):
    """A train_with_early_stopping, right by default, or with a known mistake.

    keep: "copies" (right), "reference" (best = params), "list" (list(params)), "before"
    (copies taken before the step).
    """

    def train_with_early_stopping(params, step, val_cost, epochs, patience):
        best_cost, best, waited, costs = np.inf, None, 0, []
        for _ in range(epochs):
            before = copy.deepcopy(params)
            if measure_first:
                costs.append(val_cost(params))
                step(params)
            else:
                step(params)
                costs.append(val_cost(params))
            if costs[-1] < best_cost:
                best_cost, waited = costs[-1], 0
                best = {
                    "copies": lambda: copy.deepcopy(params),
                    "reference": lambda: params,
                    "list": lambda: list(params),
                    "before": lambda before=before: before,
                }[keep]()
            else:
                waited += 1
                if waited == patience + late and not forever:
                    break
        return best, costs

    return train_with_early_stopping


RIGHT = {"penalised_step": step_with(), "train_with_early_stopping": loop_with()}


@pytest.mark.parametrize("name", sorted(RIGHT))
def test_right_answers_pass_visible_and_hidden_checks(name, capsys):
    check(name, RIGHT[name])
    for seed in SEEDS:
        check(name, RIGHT[name], hidden=True, seed=seed)
    assert f"✔ {name}: 1 check passed" in capsys.readouterr().out


MISTAKES = [
    ("penalised_step", step_with(uphill=True), "the step went uphill"),
    ("penalised_step", step_with(in_dW=False), "the penalty's gradient is missing from dW"),
    ("penalised_step", step_with(in_J=False), "J leaves out the penalty"),
    ("penalised_step", step_with(factor=1.0), "dW has l2·W where 2·l2·W belongs"),
    ("penalised_step", step_with(factor=1.0, j_factor=0.5), "J has ½λΣw²"),
    ("penalised_step", step_with(on_biases=True), "the biases were penalised too"),
    ("penalised_step", step_with(sign_zero=1.0), "sign(0) = 0"),
    ("penalised_step", step_with(swapped=True), "L1 and L2 are swapped"),
    ("train_with_early_stopping", loop_with(keep="reference"), "`best = params`"),
    ("train_with_early_stopping", loop_with(keep="list"), "the last epoch run, not of the best"),
    ("train_with_early_stopping", loop_with(keep="before"), "from before the best epoch's step"),
    ("train_with_early_stopping", loop_with(forever=True), "after patience ran out"),
    ("train_with_early_stopping", loop_with(late=1), "one epoch too late"),
    ("train_with_early_stopping", loop_with(measure_first=True), "measured before that epoch"),
]


@pytest.mark.parametrize(("name", "fn", "diagnosis"), MISTAKES)
def test_known_mistakes_are_named_on_every_seed(name, fn, diagnosis):
    for seed in [None, *SEEDS[:3]]:
        with pytest.raises(CheckFailed, match="Diagnosis") as failure:
            check(name, fn, hidden=seed is not None, seed=seed)
        assert diagnosis in str(failure.value)


def test_the_deeplearning_ai_scale_is_named():
    def penalised_step(params, X, Y, lr, l2, l1, activations):
        return step_with()(params, X, Y, lr, l2 / (2 * len(X)), l1, activations)

    with pytest.raises(CheckFailed, match=r"deeplearning.ai's λ/\(2m\)"):
        check("penalised_step", penalised_step)


def central_difference_step(params, X, Y, lr, l2, l1, activations):
    """A step whose gradients are central differences of J: right on small weights only."""

    def cost(p):
        J, _ = sigmoid_binary_cross_entropy(mlp_forward(X, p, activations)[0], Y)
        return J + sum(l2 * np.sum(W**2) + l1 * np.sum(np.abs(W)) for W, _ in p)

    new = []
    for layer, pair in enumerate(params):
        moved = []
        for part, value in enumerate(pair):
            slopes = np.zeros_like(value)
            for index in np.ndindex(value.shape):
                for shift in (1e-5, -1e-5):
                    trial = value.copy()
                    trial[index] += shift
                    changed = [list(p) for p in params]
                    changed[layer][part] = trial
                    slopes[index] += np.sign(shift) * cost(changed) / 2e-5
            moved.append(value - lr * slopes)
        new.append(tuple(moved))
    return cost(params), new


def test_a_gradient_by_central_differences_fails_the_hidden_checks():
    check("penalised_step", central_difference_step)  # the small visible case lets it pass
    for seed in SEEDS[:4]:
        with pytest.raises(CheckFailed, match="one large weight"):
            check("penalised_step", central_difference_step, hidden=True, seed=seed)


def test_a_step_that_updates_params_in_place_is_told_so():
    def penalised_step(params, X, Y, lr, l2, l1, activations):
        J, new = step_with()(params, X, Y, lr, l2, l1, activations)
        for (W, b), (W_new, b_new) in zip(params, new, strict=True):
            W[...], b[...] = W_new, b_new
        return J, params

    with pytest.raises(CheckFailed, match=r"was changed in place"):
        check("penalised_step", penalised_step)


def test_results_of_the_wrong_form_get_a_message_that_says_what_came_back():
    with pytest.raises(CheckFailed, match=r"penalised_step should return 2 values, `return J"):
        check("penalised_step", lambda *args: step_with()(*args)[0])
    with pytest.raises(CheckFailed, match=r"^J should be one number; got a tuple of 2 values"):
        check("penalised_step", lambda *args: step_with()(*args)[1])
    with pytest.raises(CheckFailed, match=r"new_params should be a list of 2 pairs \(W, b\)"):
        check("penalised_step", lambda *args: (step_with()(*args)[0], step_with()(*args)[1][:1]))
    with pytest.raises(CheckFailed, match=r"best_params should be a list of 2 pairs"):
        check("train_with_early_stopping", lambda *args: (None, loop_with()(*args)[1]))
    with pytest.raises(CheckFailed, match=r"val_costs has shape \(1,\)"):
        check("train_with_early_stopping", lambda *args: (loop_with()(*args)[0], [0.5]))


def test_the_two_half_gradient_slips_are_told_apart_by_their_cost():
    # λW with J = λΣw²: only the gradient is wrong, and only that is named.
    with pytest.raises(CheckFailed) as inconsistent:
        check("penalised_step", step_with(factor=1.0))
    assert "dW has l2·W" in str(inconsistent.value)
    assert "J has ½λΣw²" not in str(inconsistent.value)
    # ½λΣw² with gradient λW, CS231n's second assignment: each part is named for what it shows.
    with pytest.raises(CheckFailed) as consistent:
        check("penalised_step", step_with(factor=1.0, j_factor=0.5))
    assert "J has ½λΣw²" in str(consistent.value) and "dW has l2·W" in str(consistent.value)
