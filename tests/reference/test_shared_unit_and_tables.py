"""nnlib's pieces for lesson 04: the unit with several roads, its graph, the threshold table of
gradient checks, and how a descent path is declared diverged."""

import math

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from nnlib import gradcheck  # noqa: E402
from nnlib.descent import divergence_step  # noqa: E402
from nnlib.errors import ShapeError  # noqa: E402
from nnlib.graph_view import describe_graph, draw_graph, shared_unit_graph  # noqa: E402
from nnlib.shared_unit import shared_unit_backward, shared_unit_forward  # noqa: E402

X, W_IN, W_OUT, Y = [1.0, 0.5], [0.5, -0.5], [1.0, -2.0], [1.0, 0.0]


@pytest.mark.parametrize("seed", range(5))
def test_backward_agrees_with_central_differences(seed):
    rng = np.random.default_rng(seed)
    x, w_in, w_out = rng.normal(size=3), rng.normal(size=3), rng.normal(size=4)
    y = rng.integers(0, 2, size=4).astype(float)
    delta_h, dw_in, dw_out = shared_unit_backward(x, w_in, w_out, y)
    assert (
        gradcheck.rel_error(
            dw_in,
            gradcheck.numerical_gradient(lambda v: shared_unit_forward(x, v, w_out, y).loss, w_in),
        )
        < 1e-8
    )
    assert (
        gradcheck.rel_error(
            dw_out,
            gradcheck.numerical_gradient(lambda v: shared_unit_forward(x, w_in, v, y).loss, w_out),
        )
        < 1e-8
    )
    f_h = shared_unit_forward(x, w_in, w_out, y).f_h
    loss_of_f_h = lambda v: 0.5 * np.sum((y - 1 / (1 + np.exp(-w_out * v[0]))) ** 2)  # noqa: E731
    assert (
        gradcheck.rel_error(delta_h, gradcheck.numerical_gradient(loss_of_f_h, np.array([f_h]))[0])
        < 1e-8
    )


def test_the_lesson_example_has_the_numbers_the_figure_shows():
    v = shared_unit_forward(X, W_IN, W_OUT, Y)
    assert v.e_h == 0.25 and v.f_h == pytest.approx(0.562177, abs=1e-6)
    assert v.loss == pytest.approx(0.0959632, abs=1e-7)
    delta_h, _, _ = shared_unit_backward(X, W_IN, W_OUT, Y)
    assert delta_h == pytest.approx(-0.0840 - 0.0908, abs=2e-4)


def test_bad_shapes_say_what_to_fix():
    with pytest.raises(ShapeError, match="one length n"):
        shared_unit_forward([1.0, 2.0], [1.0], W_OUT, Y)
    with pytest.raises(ShapeError, match="one length K"):
        shared_unit_backward(X, W_IN, [1.0, 2.0, 3.0], Y)


def test_the_red_numbers_leaving_the_shared_unit_add_up_to_its_delta():
    positions, edges = shared_unit_graph(X, W_IN, W_OUT, Y)
    delta_h, dw_in, _ = shared_unit_backward(X, W_IN, W_OUT, Y)
    leaving = [e.grad for e in edges if e.src == "$f_h$"]
    assert len(leaving) == 2 and sum(leaving) == pytest.approx(delta_h, rel=1e-12)
    (into_f_h,) = [e for e in edges if e.dst == "$f_h$"]
    assert into_f_h.grad * X[0] == pytest.approx(dw_in[0], rel=1e-12)  # ∂loss/∂e_h
    into_loss = [e.grad for e in edges if e.dst == "loss"]
    f_out = shared_unit_forward(X, W_IN, W_OUT, Y).f_out
    assert into_loss == pytest.approx(list(f_out - np.array(Y)))
    assert set(positions) == {e.src for e in edges} | {e.dst for e in edges}


def test_the_graph_draws_every_edge_with_two_labels():
    positions, edges = shared_unit_graph(X, W_IN, W_OUT, Y)
    fig, ax = plt.subplots()
    draw_graph(ax, positions, edges)
    labels = [t.get_text() for t in ax.texts if t.get_text()]  # arrows are empty annotations
    plt.close(fig)
    assert len(labels) == 2 * len(edges) + len(positions)
    assert f"{edges[0].grad:+.4f}" in labels and "loss" in labels


def test_one_threshold_table_for_text_and_code():
    assert [bound for bound, _ in gradcheck.REL_ERROR_TABLE] == [1e-7, 1e-4, math.inf]
    assert gradcheck.rel_error_verdict(9.9e-8) == "correct"
    assert gradcheck.rel_error_verdict(1e-7).startswith("suspicious")
    assert gradcheck.rel_error_verdict(1e-4) == "a bug"
    assert gradcheck.rel_error_verdict(math.nan) == "a bug"
    assert gradcheck.rel_error_table().splitlines()[2:] == [
        "| below 1e-7 | correct |",
        "| 1e-7 to 1e-4 | suspicious: a bug, unless an input lies within h of a kink (ReLU at 0) |",
        "| 1e-4 or more | a bug |",
    ]


def test_divergence_step():
    assert divergence_step(np.array([[0.0], [1.0], [2e6], [np.inf]])) == 2
    assert divergence_step(np.array([0.0, np.nan])) == 1
    assert divergence_step(np.zeros((4, 2))) is None


def test_the_text_alternative_names_every_arrow_and_its_numbers():
    _, edges = shared_unit_graph(X, W_IN, W_OUT, Y)
    text = describe_graph(edges)
    assert "f_h to e_1: forward 0.562, backward -0.0840." in text
    assert text.count(" to ") == len(edges) and "$" not in text
