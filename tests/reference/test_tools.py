"""Gradient checking, plotting and notebook helpers."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from nnlib import gradcheck, notebook, plots  # noqa: E402
from nnlib.training import History  # noqa: E402


def test_numerical_gradient_is_exact_for_a_quadratic_and_restores_x():
    x = np.array([[1.0, -2.0], [0.5, 3.0]])
    before = x.copy()
    grad = gradcheck.numerical_gradient(lambda v: np.sum(v**2), x)
    np.testing.assert_allclose(grad, 2 * before, rtol=1e-9)
    np.testing.assert_array_equal(x, before)


def test_numerical_gradient_array_uses_the_upstream_gradient():
    x = np.array([1.0, 2.0, 3.0])
    dout = np.array([1.0, -1.0, 2.0])
    np.testing.assert_allclose(
        gradcheck.numerical_gradient_array(lambda v: v**3, x, dout), 3 * x**2 * dout, rtol=1e-9
    )


def test_rel_error_and_report():
    assert gradcheck.rel_error(np.ones(3), np.ones(3)) == 0.0
    assert gradcheck.rel_error(np.array([1.0, 3.0]), np.array([1.0, 1.0])) == 0.5
    assert gradcheck.rel_error(np.array([1e-12]), np.array([0.0])) == pytest.approx(
        1e-4
    )  # the 1e-8 floor
    report = gradcheck.gradient_report("dW", np.array([[0.5, 2.0]]), np.array([[0.5, 2.2]]))
    assert report == "dW: relative error 4.76e-02 (worst at index (0, 1): analytic 2, numeric 2.2)"


def test_rel_error_takes_empty_arrays_and_the_largest_floats():
    assert gradcheck.rel_error(np.zeros(0), np.zeros(0)) == 0.0
    big = np.finfo(np.float64).max
    with np.errstate(all="raise"):  # |a| + |b| would overflow; halves do not
        errors = gradcheck.rel_errors(np.array([[big, 1.0]]), np.array([[-big, 1.0]]))
    np.testing.assert_array_equal(errors, [[1.0, 0.0]])


def test_plots_draw(tmp_path):
    X = np.array([[0.0, 0.0], [1.0, 1.0], [0.0, 1.0]])
    y = np.array([0, 1, 1])
    fig, axes = plt.subplots(1, 3)
    image = plots.plot_decision_boundary(
        axes[0], lambda P: 1 / (1 + np.exp(-(P[:, 0] + P[:, 1] - 1))), X, y, resolution=20
    )
    values = image.get_array()
    assert values.shape == (20, 20) and values.min() < 0.5 < values.max()
    history = History(train_loss=[1.0, 0.5], val_loss=[1.1, 0.7], best_epoch=1)
    plots.plot_history(axes[1], history)
    assert [line.get_label() for line in axes[1].get_lines()] == [
        "training loss",
        "validation loss",
        "best epoch",
    ]
    weight_axes = np.array([axes[2]])
    plots.show_weight_images(weight_axes, np.arange(128.0).reshape(64, 2))
    assert axes[2].get_images()[0].get_array().shape == (8, 8)
    plt.close(fig)


def test_decision_boundary_of_a_multiclass_predictor():
    fig, ax = plt.subplots()
    X = np.array([[0.0, 0.0], [1.0, 0.0], [2.0, 0.0]])
    image = plots.plot_decision_boundary(
        ax,
        lambda P: np.eye(3)[np.clip(P[:, 0].round().astype(int), 0, 2)],
        X,
        np.array([0, 1, 2]),
        resolution=10,
    )
    assert set(np.unique(image.get_array())) == {0, 1, 2}
    plots.update_decision_boundary(image, lambda P: np.eye(3)[np.zeros(len(P), dtype=int)])
    assert set(np.unique(image.get_array())) == {0}
    plt.close(fig)


def test_update_decision_boundary_recomputes_the_same_grid():
    fig, ax = plt.subplots()
    X = np.array([[0.0, 0.0], [1.0, 1.0], [0.0, 1.0]])
    image = plots.plot_decision_boundary(ax, lambda P: P[:, 0] > 0.5, X, np.array([0, 1, 1]), 15)
    plots.update_decision_boundary(image, lambda P: P[:, 1] > 0.5)
    fresh = plots.plot_decision_boundary(ax, lambda P: P[:, 1] > 0.5, X, np.array([0, 1, 1]), 15)
    np.testing.assert_array_equal(image.get_array(), fresh.get_array())
    assert image.get_extent() == fresh.get_extent()
    plt.close(fig)


def test_grading_and_interactive(monkeypatch, capsys):
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)
    assert not notebook.grading()
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    assert notebook.grading()
    built = []
    assert notebook.interactive(lambda: built.append(1)) is None
    assert built == [] and capsys.readouterr().out == "(interactive figure skipped while grading)\n"


def test_interactive_displays_the_widget(monkeypatch):
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)
    shown = []
    monkeypatch.setattr("IPython.display.display", shown.append)
    assert notebook.interactive(lambda: "widget") is None
    assert shown == ["widget"]


def test_student_or_reference_falls_back_once(capsys):
    def unwritten(x):
        raise NotImplementedError

    double = notebook.student_or_reference(unwritten, lambda x: 2 * x, "double")
    assert double(2) == 4 and double(3) == 6
    assert (
        capsys.readouterr().out
        == "double is not written yet: using the reference answer until it is.\n"
    )
    mine = notebook.student_or_reference(lambda x: x + 1, lambda x: 2 * x, "double")
    assert mine(2) == 3


def test_student_errors_other_than_not_implemented_propagate():
    def broken(x):
        raise ValueError("bug")

    with pytest.raises(ValueError, match="bug"):
        notebook.student_or_reference(broken, lambda x: x, "f")(1)
