"""What lesson 06's text says its widget and its gradient check show, measured over their range.

- Section 8, the softmax explorer (every logit slider from -10 to 10 in steps of 0.5, the shift
  from -1000 to 1000 in steps of 10, five true classes): raising any one logit raises its
  probability and multiplies every other by one common factor below 1; dZ = a - y is negative
  at the true class, positive at every other, and sums to 0; raising the true logit lowers the
  loss and raising any other raises it; the shift changes no probability and not the loss,
  while a softmax without the max subtraction returns nan at either end; with class 3 true at
  the start, a3 = 0.0003, the loss is 8.15 and dZ3 = -0.9997.
- Section 5: the lesson's checker gives "correct" for the right fused gradient and "a bug" for
  each of the four planted slips, on the lesson's own batches.
- Exercise 2: PyTorch's binary cross-entropies average over all m·k labels, ours over the m
  examples; their categorical cross-entropy agrees with ours.
"""

import itertools

import numpy as np
import pytest
import torch

from nnlib.activations import softmax
from nnlib.gradcheck import rel_error_verdict
from nnlib.losses import (
    binary_cross_entropy,
    fused_gradient_error,
    sigmoid_binary_cross_entropy,
    softmax_cross_entropy,
)
from nnlib.softmax_view import (
    LOGIT_RANGE,
    SHIFT_RANGE,
    START,
    common_factor,
    describe_change,
    softmax_state,
)

LOW, HIGH, STEP = LOGIT_RANGE
GRID = np.arange(LOW, HIGH + STEP / 2, STEP)  # every position of a logit slider
SHIFTS = np.arange(SHIFT_RANGE[0], SHIFT_RANGE[1] + SHIFT_RANGE[2] / 2, SHIFT_RANGE[2])
K = len(START)


def settings():
    """Logit vectors to sweep from: the start, the corners, and 20 random slider positions."""
    rng = np.random.default_rng(6)
    corners = [np.full(K, LOW), np.full(K, HIGH), np.where(np.arange(K) % 2, LOW, HIGH)]
    return [np.array(START), *corners, *rng.choice(GRID, size=(20, K))]


def test_the_sliders_are_the_ones_the_text_describes():
    assert START == (7.0, 5.0, 2.0, -1.0, 3.0)
    assert (GRID[0], GRID[-1], len(GRID)) == (-10.0, 10.0, 41)
    assert (SHIFTS[0], SHIFTS[-1], len(SHIFTS)) == (-1000.0, 1000.0, 201)


def test_raising_one_logit_lowers_every_other_probability_by_one_common_factor():
    moves = 0
    for z, j in itertools.product(settings(), range(K)):
        for value in GRID[:-1]:
            before = softmax_state(np.where(np.arange(K) == j, value, z), 0.0, 0)
            after = softmax_state(np.where(np.arange(K) == j, value + STEP, z), 0.0, 0)
            others = np.arange(K) != j
            assert after.a[j] > before.a[j]
            assert np.all(after.a[others] < before.a[others]), (z, j, value)
            factor = common_factor(before, after, j)
            assert factor is not None and factor < 1, (z, j, value)
            moves += 1
    assert moves == len(settings()) * K * (len(GRID) - 1)


def test_raising_z2_from_2_to_4_as_the_text_suggests():
    before = softmax_state(START, 0.0, 0)
    after = softmax_state([7.0, 5.0, 4.0, -1.0, 3.0], 0.0, 0)
    factor = common_factor(before, after, 2)
    assert round(factor, 3) == 0.964  # as the text quotes
    assert f"multiplied by {factor:.4f}" in describe_change(before, after)


def test_dZ_is_negative_only_at_the_true_class_and_sums_to_zero():
    for z, true in itertools.product(settings(), range(K)):
        for shift in (SHIFTS[0], 0.0, SHIFTS[-1]):
            state = softmax_state(z, shift, true)
            others = np.arange(K) != true
            assert state.dZ[true] < 0 and np.all(state.dZ[others] > 0), (z, true)
            assert abs(state.dZ.sum()) < 1e-15
            assert state.loss == pytest.approx(-np.log(state.a[true]), rel=1e-12)


def test_raising_the_true_logit_lowers_the_loss_and_raising_another_raises_it():
    for z, true, j in itertools.product(settings(), range(K), range(K)):
        losses = [
            softmax_state(np.where(np.arange(K) == j, value, z), 0.0, true).loss for value in GRID
        ]
        steps = np.diff(losses)
        assert np.all(steps < 0) if j == true else np.all(steps > 0), (z, true, j)


def test_the_shift_changes_nothing_and_a_naive_softmax_breaks_at_either_end():
    for z, true in itertools.product(settings(), range(K)):
        still = softmax_state(z, 0.0, true)
        for shift in SHIFTS:
            moved = softmax_state(z, shift, true)
            assert np.array_equal(moved.a, still.a) and moved.loss == still.loss, (z, shift)
        with np.errstate(all="ignore"):
            for end in (SHIFTS[0], SHIFTS[-1]):
                big = z + end
                assert np.all(np.isnan(np.exp(big) / np.exp(big).sum())), (z, end)
    before, after = softmax_state(START, 0.0, 0), softmax_state(START, 990.0, 0)
    assert "no probability changed" in describe_change(before, after)


def test_class_3_at_the_start_as_the_text_quotes():
    state = softmax_state(START, 0.0, 3)
    assert (round(state.a[3], 4), round(state.loss, 2), round(state.dZ[3], 4)) == (
        0.0003,
        8.15,
        -0.9997,
    )


def test_the_checker_passes_the_right_gradient_and_catches_each_planted_slip():
    """The lesson's cell: a (4, 5) batch and a (5, 5) one from default_rng(60)."""
    rng = np.random.default_rng(60)
    Z, Y = rng.uniform(-1, 1, (4, 5)), np.eye(5)[[0, 3, 1, 4]]
    assert rel_error_verdict(fused_gradient_error(softmax_cross_entropy, Z, Y)) == "correct"
    Z_square, Y_square = rng.uniform(-1, 1, (5, 5)), np.eye(5)[[2, 0, 4, 4, 1]]
    slips = [
        lambda dZ, Z, Y: dZ * len(Z),
        lambda dZ, Z, Y: dZ.T,
        lambda dZ, Z, Y: dZ + Y / len(Z),
        lambda dZ, Z, Y: (softmax(Z.T).T - Y) / len(Z),
    ]
    for slip in slips:

        def planted(Z, Y, slip=slip):
            J, dZ = softmax_cross_entropy(Z, Y)
            return J, slip(dZ, Z, Y)

        assert rel_error_verdict(fused_gradient_error(planted, Z_square, Y_square)) == "a bug"


@pytest.mark.parametrize("k", [1, 3])
def test_pytorch_averages_the_binary_cross_entropy_over_every_label(k):
    rng = np.random.default_rng(k)
    Z = rng.normal(size=(6, k))
    Y = (rng.random((6, k)) < 0.5).astype(np.float64)
    A = 1 / (1 + np.exp(-Z))
    theirs = torch.nn.BCELoss()(torch.tensor(A), torch.tensor(Y)).item()
    from_logits = torch.nn.BCEWithLogitsLoss()(torch.tensor(Z), torch.tensor(Y)).item()
    assert theirs == pytest.approx(binary_cross_entropy(A, Y)[0] / k, rel=1e-12)
    assert from_logits == pytest.approx(sigmoid_binary_cross_entropy(Z, Y)[0] / k, rel=1e-12)


def test_pytorch_cross_entropy_sums_over_classes_and_averages_over_the_batch():
    rng = np.random.default_rng(0)
    Z, labels = rng.normal(size=(6, 4)), rng.integers(0, 4, size=6)
    theirs = torch.nn.CrossEntropyLoss()(torch.tensor(Z), torch.tensor(labels)).item()
    assert theirs == pytest.approx(softmax_cross_entropy(Z, np.eye(4)[labels])[0], rel=1e-12)


def test_central_differences_judge_logits_of_order_1_but_not_rows_spread_over_hundreds():
    """Exercise 4's text: on logits of order 1 a right gradient always scores "correct"; on
    rows spanning hundreds (Exercise 5's hidden cases, a logit of 750) it sometimes does not."""
    order_1, spread = [], []
    for seed in range(100):
        rng = np.random.default_rng(seed)
        m, k = (int(n) for n in rng.integers(2, 9, size=2))
        Y = np.eye(k)[rng.integers(0, k, size=m)]
        order_1.append(fused_gradient_error(softmax_cross_entropy, rng.uniform(-1, 1, (m, k)), Y))
        Z = rng.normal(0, 3, (m, k))
        Z[0, 0] += 750.0
        spread.append(rel_error_verdict(fused_gradient_error(softmax_cross_entropy, Z, Y)))
    assert max(order_1) < 1e-8
    assert "a bug" in spread and spread.count("correct") < len(spread)
