"""Lesson 04's exercise specs: right answers pass, known mistakes are named, nonsense fails."""

import re

import numpy as np
import pytest

from grader import CheckFailed, check
from nnlib.gradcheck import numerical_gradient

SEEDS = range(5)


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def sigmoid_slope(z):
    return sigmoid(z) * (1 - sigmoid(z))


def neuron_gradient_with(factor=2.0, slope=True, slope_at="z", bias_times_input=False):
    """A neuron_gradient for C = (a - y)^2, optionally with a known mistake."""

    def neuron_gradient(a_prev, w, b, y):
        z = w @ a_prev + b
        a = sigmoid(z)
        local = sigmoid_slope(z if slope_at == "z" else a) if slope else 1.0
        dC_dz = local * factor * (a - y)
        return a_prev * dC_dz, a_prev * dC_dz if bias_times_input else dC_dz

    return neuron_gradient


def descent_with(sign=-1.0, keep_start=True, in_place=False, use_lr=True, extra_steps=0):
    """A gradient_descent, optionally with a known mistake."""

    def gradient_descent(grad, w0, lr, steps):
        w = np.array(w0, dtype=float)
        path = [w] if keep_start else []
        for _ in range(steps + extra_steps):
            step = (lr if use_lr else 1.0) * grad(w)
            if in_place:
                w += sign * step
            else:
                w = w + sign * step
            path.append(w)
        return np.array(path)

    return gradient_descent


def difference_with(kind="central", restore=True):
    """A central_difference, or one of its known mistaken variants."""

    def central_difference(f, w, h=1e-5):
        w = np.array(w, dtype=float)
        grad = np.zeros_like(w)
        for i in range(w.size):
            if kind == "all at once":
                grad[i] = (f(w + h) - f(w - h)) / (2 * h)
                continue
            old = w[i]
            w[i] = old + h
            plus = f(w)
            w[i] = old - h
            minus = f(w)
            if restore:
                w[i] = old
            if kind == "central":
                grad[i] = (plus - minus) / (2 * h)
            elif kind == "over h":
                grad[i] = (plus - minus) / h
            elif kind == "forward":
                w_copy = w.copy()
                w_copy[i] = old
                grad[i] = (plus - f(w_copy)) / h
        return grad

    return central_difference


RIGHT = {
    "sigmoid_derivative": sigmoid_slope,
    "neuron_gradient": neuron_gradient_with(),
    "gradient_descent": descent_with(),
    "central_difference": difference_with(),
}


@pytest.mark.parametrize("name", sorted(RIGHT))
def test_right_answer_passes_visible_and_hidden(name, capsys):
    check(name, RIGHT[name])
    for seed in SEEDS:
        check(name, RIGHT[name], hidden=True, seed=seed)
    assert f"✔ {name}:" in capsys.readouterr().out


MISTAKES = [
    ("sigmoid_derivative", lambda z: z * (1 - z), "computes z(1 − z)"),
    ("sigmoid_derivative", lambda z: sigmoid_slope(sigmoid(z)), "applies σ' to A = σ(z)"),
    ("sigmoid_derivative", sigmoid, "sigmoid(z) itself"),
    ("sigmoid_derivative", lambda z: 1 - sigmoid(z) ** 2, "the pattern of tanh'"),
    ("neuron_gradient", neuron_gradient_with(factor=1.0), "not the 1/2 (a - y)^2"),
    ("neuron_gradient", neuron_gradient_with(slope=False), "sigmoid'(z) is missing"),
    ("neuron_gradient", neuron_gradient_with(slope_at="a"), "taken at a instead of at z"),
    ("neuron_gradient", neuron_gradient_with(factor=-2.0), "wrong sign everywhere"),
    ("gradient_descent", descent_with(sign=+1.0), "the steps go uphill"),
    ("gradient_descent", descent_with(keep_start=False), "the starting point w0 is missing"),
    ("gradient_descent", descent_with(in_place=True), "updated in place"),
    ("gradient_descent", descent_with(use_lr=False), "the learning rate was not used"),
    ("gradient_descent", descent_with(extra_steps=1), "one step too many"),
    ("gradient_descent", lambda g, w0, lr, s: descent_with()(g, w0, lr, s)[-1], "final point"),
    ("central_difference", difference_with("forward"), "the forward difference"),
    ("central_difference", difference_with("over h"), "divides by 2h, not h"),
    ("central_difference", difference_with("all at once"), "every coordinate was nudged"),
    ("central_difference", difference_with(restore=False), "was not put back"),
]


@pytest.mark.parametrize(("name", "mistake", "diagnosis"), MISTAKES)
def test_known_mistake_is_named_in_visible_and_hidden(name, mistake, diagnosis):
    pattern = f"Diagnosis: .*{re.escape(diagnosis)}"
    with pytest.raises(CheckFailed, match=pattern):
        check(name, mistake)
    # The "not put back" mistake is invisible with one weight; find a seed with more.
    seed = 3 if diagnosis == "was not put back" else 1
    with pytest.raises(CheckFailed, match=pattern):
        check(name, mistake, hidden=True, seed=seed)


def test_bias_gradient_times_input_is_named():
    with pytest.raises(CheckFailed, match=r"(?s)dC_db has shape \(2,\), expected \(\).*dz/db = 1"):
        check("neuron_gradient", neuron_gradient_with(bias_times_input=True))


WRONG = {
    "sigmoid_derivative": lambda z: np.full(np.shape(z), 0.2),
    "neuron_gradient": lambda a_prev, w, b, y: (np.ones_like(w), 0.3),
    "gradient_descent": lambda grad, w0, lr, steps: np.zeros((steps + 1, len(w0))),
    "central_difference": lambda f, w, h: np.ones_like(w),
}


@pytest.mark.parametrize("name", sorted(WRONG))
def test_plainly_wrong_answer_fails_with_values(name):
    with pytest.raises(CheckFailed, match=r"(?s)is wrong.*expected .*, got .*relative error"):
        check(name, WRONG[name])


def test_neuron_gradient_reference_agrees_with_central_differences():
    rng = np.random.default_rng(0)
    a_prev, w, b, y = rng.uniform(0.1, 0.9, 4), rng.normal(size=4), 0.3, 1.0
    dw, db = RIGHT["neuron_gradient"](a_prev, w, b, y)

    def cost(v):
        return float((sigmoid(v[:4] @ a_prev + v[4]) - y) ** 2)

    numeric = numerical_gradient(cost, np.append(w, b))
    np.testing.assert_allclose(np.append(dw, db), numeric, rtol=1e-7)


def test_visible_descent_path_has_the_closed_form_values():
    # On (w1 - 3)^2 + 2 (w2 + 1)^2 with lr 0.1, each coordinate's distance to the minimum
    # shrinks by 1 - 0.1 * 2 = 0.8 and 1 - 0.1 * 4 = 0.6 per step.
    A, center = np.diag([2.0, 4.0]), np.array([3.0, -1.0])
    path = RIGHT["gradient_descent"](lambda w: A @ (w - center), np.zeros(2), 0.1, 4)
    t = np.arange(5)
    expected = center + np.column_stack([0.8**t * -3.0, 0.6**t * 1.0])
    np.testing.assert_allclose(path, expected, rtol=1e-14)


def test_return_shapes_get_clear_messages():
    with pytest.raises(CheckFailed, match=r"should return 2 values, `return dC_dw, dC_db`; got an"):
        check("neuron_gradient", lambda a_prev, w, b, y: np.zeros_like(w))
    with pytest.raises(CheckFailed, match="not written yet"):
        check("central_difference", lambda f, w, h: (_ for _ in ()).throw(NotImplementedError()))
