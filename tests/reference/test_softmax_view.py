"""nnlib.softmax_view (lesson 06's explorer without its sliders) and nnlib.losses'
fused_gradient_error: exact values on the lesson's worked example, and what the figure holds."""

import io

import matplotlib
import numpy as np
import pytest

from nnlib.losses import fused_gradient_error, sigmoid_binary_cross_entropy, softmax_cross_entropy
from nnlib.softmax_view import (
    START,
    SoftmaxFigure,
    common_factor,
    describe_change,
    describe_state,
    softmax_state,
)

matplotlib.use("agg")

# softmax([7, 5, 2, -1, 3]), from e^z / 1272.8935 (the lesson's section 3)
EXAMPLE = np.exp(np.array(START)) / np.exp(np.array(START)).sum()


def test_the_state_of_the_worked_example():
    state = softmax_state(START, 0.0, 1)
    assert np.allclose(state.a, EXAMPLE, rtol=1e-14)
    assert state.loss == pytest.approx(-np.log(EXAMPLE[1]), rel=1e-14)
    assert np.allclose(state.dZ, EXAMPLE - np.eye(5)[1], rtol=1e-14, atol=1e-16)
    assert (state.shift, state.true_class) == (0.0, 1)


def test_the_state_uses_the_functions_it_is_given():
    calls = []

    def fused(Z, Y):
        calls.append(Z.copy())
        return softmax_cross_entropy(Z, Y)

    state = softmax_state([1.0, 2.0], 5.0, 0, softmax=lambda Z: np.full(Z.shape, 0.5), fused=fused)
    assert state.a.tolist() == [0.5, 0.5]
    assert calls[0].tolist() == [[6.0, 7.0]]  # the shift is added before the loss sees Z


def test_a_true_class_outside_the_classes_is_refused_with_the_range():
    with pytest.raises(ValueError, match=r"true_class must be one of 0..4, got 5"):
        softmax_state(START, 0.0, 5)


def test_one_raised_logit_scales_every_other_probability_by_the_old_over_the_new_sum():
    before = softmax_state(START, 0.0, 0)
    after = softmax_state([7.0, 5.0, 3.0, -1.0, 3.0], 0.0, 0)
    sums = np.exp(np.array(START)).sum(), np.exp([7.0, 5.0, 3.0, -1.0, 3.0]).sum()
    assert common_factor(before, after, 2) == pytest.approx(sums[0] / sums[1], rel=1e-12)
    assert describe_change(before, after).startswith("Your last move raised z2 from 2 to 3: a2")


def test_a_broken_softmax_has_no_common_factor():
    before = softmax_state(START, 0.0, 0)
    broken = softmax_state(START, 0.0, 0, softmax=lambda Z: np.full(Z.shape, np.nan))
    assert common_factor(before, broken, 0) is None


def test_the_descriptions_name_the_move_and_the_numbers():
    start = softmax_state(START, 0.0, 0)
    assert describe_change(start, softmax_state(START, 0.0, 3)) == (
        "Your last move made class 3 the true class: the probabilities stay as they were, "
        f"and the loss is now −log a3 = {-np.log(EXAMPLE[3]):.4f}."
    )
    assert describe_change(start, start).startswith("Move a slider")
    text = describe_state(start)
    assert "[0.8615, 0.1166, 0.0058, 0.0003, 0.0158]" in text
    assert "the loss −log a0 is 0.1490" in text


def test_the_figure_shows_the_state_and_the_outline_of_the_one_before():
    picture = SoftmaxFigure()
    before, now = softmax_state(START, 0.0, 0), softmax_state(START, 0.0, 2)
    picture.draw(now, before)
    assert [bar.get_height() for bar in picture.bars_a] == pytest.approx(EXAMPLE)
    assert [bar.get_height() for bar in picture.outline] == pytest.approx(EXAMPLE)
    assert [bar.get_height() for bar in picture.bars_dz] == pytest.approx(now.dZ)
    assert [bar.get_hatch() for bar in picture.bars_a] == [None, None, "//", None, None]
    assert picture.ax_dz.get_title() == "loss −log a2 = 5.149; dZ = a − y sums to 0"
    picture.figure.savefig(io.BytesIO(), format="png")


def test_fused_gradient_error_passes_right_gradients_and_measures_a_missing_1_over_m():
    rng = np.random.default_rng(0)
    Z = rng.uniform(-1, 1, (3, 4))
    Y = np.eye(4)[[0, 2, 3]]
    assert fused_gradient_error(softmax_cross_entropy, Z, Y) < 1e-8
    assert fused_gradient_error(sigmoid_binary_cross_entropy, Z, (Z > 0).astype(float)) < 1e-8

    def no_mean(Z, Y):
        J, dZ = softmax_cross_entropy(Z, Y)
        return J, dZ * len(Z)

    # every element is m times too large: |3n - n| / (3n + n) = 1/2
    assert fused_gradient_error(no_mean, Z, Y) == pytest.approx(0.5, rel=1e-6)
    Z_before = Z.copy()
    fused_gradient_error(softmax_cross_entropy, Z, Y)
    assert np.array_equal(Z, Z_before)
