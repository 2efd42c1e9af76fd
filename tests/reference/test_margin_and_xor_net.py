"""nnlib's widest-margin line (lesson 02's hidden-space view) and the XOR network's gradients."""

import numpy as np
import pytest

from nnlib.errors import LabelError, ShapeError
from nnlib.gradcheck import numerical_gradient, rel_error
from nnlib.margin import widest_margin_line
from nnlib.xor_net import xor_cost, xor_gradients, xor_train

CORNERS = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
XOR = np.array([0, 1, 1, 0])


def test_the_hidden_space_of_or_and_nand_is_split_by_h1_plus_h2_equal_1_5():
    H = np.array([[0.0, 1.0], [1.0, 1.0], [1.0, 1.0], [1.0, 0.0]])  # what OR and NAND give
    w, margin = widest_margin_line(H, XOR)
    assert w == pytest.approx([np.sqrt(0.5), np.sqrt(0.5), -1.5 * np.sqrt(0.5)])
    assert margin == pytest.approx(np.sqrt(0.5) / 2)  # half the distance from (1,1) to the rest


def test_xor_on_the_corners_has_no_separating_line():
    _, margin = widest_margin_line(CORNERS, XOR)
    assert margin < 0


@pytest.mark.parametrize("seed", range(10))
def test_every_point_is_at_least_the_margin_from_the_line_on_its_own_side(seed):
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1, 1, size=(12, 2))
    y = (X @ rng.normal(size=2) + 0.1 * rng.normal() > 0).astype(int)
    if y.min() == y.max():
        y[0] = 1 - y[0]
    w, margin = widest_margin_line(X, y)
    signed = (X @ w[:2] + w[2]) * np.where(y == 1, 1, -1)
    assert np.linalg.norm(w[:2]) == pytest.approx(1.0)
    assert signed.min() == pytest.approx(margin, abs=1e-12)  # the nearest point sets it
    assert np.sum(np.isclose(signed, margin, atol=1e-12)) >= 2  # midway: one of each side


def test_bad_input_says_what_to_fix():
    with pytest.raises(ShapeError, match=r"X \(m, 2\)"):
        widest_margin_line(np.zeros((4, 3)), XOR)
    with pytest.raises(LabelError, match="labels 0 and 1"):
        widest_margin_line(CORNERS, np.zeros(4))


def test_xor_gradients_agree_with_central_differences():
    rng = np.random.default_rng(0)
    X, Y = CORNERS, XOR.reshape(-1, 1).astype(float)
    params = [rng.normal(size=s) for s in ((2, 2), (2,), (2, 1), (1,))]
    for index, grad in enumerate(xor_gradients(X, Y, *params)):

        def cost(value, index=index):
            trial = list(params)
            trial[index] = value
            return xor_cost(X, Y, *trial)

        assert rel_error(grad, numerical_gradient(cost, params[index].copy())) < 1e-7


def test_xor_train_makes_the_steps_it_is_asked_for():
    rng = np.random.default_rng(1)
    X, Y = CORNERS, XOR.reshape(-1, 1).astype(float)
    start = [rng.normal(size=s) for s in ((2, 2), (2,), (2, 1), (1,))]
    one = [p - 0.5 * g for p, g in zip(start, xor_gradients(X, Y, *start), strict=True)]
    assert all(
        np.array_equal(a, b) for a, b in zip(xor_train(X, Y, *start, 0.5, 1), one, strict=True)
    )
    assert all(
        np.array_equal(a, b) for a, b in zip(xor_train(X, Y, *start, 0.5, 0), start, strict=True)
    )
