"""Lesson 05's network exercises: the backward pass of any depth, the student's gradient check,
the repaired backward pass, and a training step. Right answers pass every seed, known mistakes
are named on every seed, and central differences cannot stand in for an analytic gradient."""

import numpy as np
import pytest

from grader import CheckFailed, check
from grader.exercise import get, judge_quietly
from nnlib import gradcheck, mlp
from nnlib.losses import sigmoid_binary_cross_entropy

SEEDS = [None, 1, 2, 3, 11, 12]  # None: the visible check


def derivative(name, Z, at_output=False):
    A = mlp.FUNCTIONS[name](Z)
    return mlp.DERIVATIVES[name](A if at_output else Z)


def backward_with(at_output=False, skip_activation=False, reverse=True, over_m=False):
    """An mlp_backward from the layer formulas, optionally with a known mistake."""

    def mlp_backward(dA, caches, activations):
        grads = []
        for (A_prev, W, Z), name in zip(reversed(caches), reversed(activations), strict=True):
            dZ = dA if skip_activation else dA * derivative(name, Z, at_output)
            scale = 1 / len(dA) if over_m else 1.0  # a second 1/m
            grads.append((A_prev.T @ dZ * scale, dZ.sum(axis=0) * scale))
            dA = dZ @ W.T
        return grads[::-1] if reverse else grads

    return mlp_backward


def backward_recursive(dA, caches, activations):
    """A right answer written as a recursion over the list, with lists instead of tuples."""
    if not caches:
        return []
    A_prev, W, Z = caches[-1]
    dZ = dA * mlp.DERIVATIVES[activations[-1]](Z)
    earlier = backward_recursive(dZ @ W.T, caches[:-1], activations[:-1])
    return [*earlier, [np.einsum("mi,mo->io", A_prev, dZ), np.sum(dZ, axis=0)]]


def numerical_with(one_sided=False, weighted=True, denominator=2.0, restore=True):
    def numerical_gradient_array(f, x, dout, h=1e-5):
        grad = np.zeros_like(x)
        for i in np.ndindex(x.shape):
            old = x[i]
            x[i] = old + h
            plus = f(x)
            x[i] = old if one_sided else old - h
            minus = f(x)
            if restore:
                x[i] = old
            grad[i] = np.sum((plus - minus) * (dout if weighted else 1.0)) / (denominator * h)
        return grad

    return numerical_gradient_array


def numerical_on_copies(f, x, dout, h=1e-5):
    """A right answer that never touches x: copies, a flat loop, a print on the way."""
    flat = x.astype(float).ravel()
    grad = []
    for i in range(flat.size):
        step = np.zeros_like(flat)
        step[i] = h
        plus, minus = f((flat + step).reshape(x.shape)), f((flat - step).reshape(x.shape))
        grad.append(float(np.sum(plus * dout) - np.sum(minus * dout)) / (2 * h))
    print("checked", len(grad), "elements")
    return np.array(grad).reshape(x.shape)


def fixed_with(bug="none"):
    def fixed_dense_tanh_backward(dA, cache):
        X, W, A = cache
        slope = {"none": 1 - A**2, "1-A": 1 - A, "tanh(A)": 1 - np.tanh(A) ** 2}
        dZ = dA * slope.get(bug, 1 - A**2)
        dW = X.T @ (dA if bug == "unfixed" else dZ)
        return dZ @ W.T, dW, dZ.sum(axis=0)

    return fixed_dense_tanh_backward


def train_step_with(sign=-1.0, use_lr=True, biases=True, cost_after=False, sigmoid_twice=False):
    def train_step(params, X, Y, lr, activations):
        A, caches = mlp.mlp_forward(X, params, activations)
        if sigmoid_twice:
            J, dP = sigmoid_binary_cross_entropy(mlp.FUNCTIONS["sigmoid"](A), Y)
            dA = dP * mlp.DERIVATIVES["sigmoid"](A)
        else:
            J, dA = sigmoid_binary_cross_entropy(A, Y)
        grads = mlp.mlp_backward(dA, caches, activations)
        step = lr if use_lr else 1.0
        new = [
            (W + sign * step * dW, b + sign * step * db if biases else b)
            for (W, b), (dW, db) in zip(params, grads, strict=True)
        ]
        if cost_after:
            J = sigmoid_binary_cross_entropy(mlp.mlp_forward(X, new, activations)[0], Y)[0]
        return J, new

    return train_step


def train_step_in_float32(params, X, Y, lr, activations):
    """A right answer in a loop, with the updates computed in place on copies."""
    J, new = mlp.train_step(params, X, Y, lr, activations)
    copies = [(W.copy(), b.copy()) for W, b in params]
    for (W, b), (W_new, b_new) in zip(copies, new, strict=True):
        W -= W - W_new
        b -= b - b_new
    return float(J), copies


RIGHT = [
    ("mlp_backward", backward_with()),
    ("mlp_backward", backward_recursive),
    ("mlp_backward", mlp.mlp_backward),
    ("numerical_gradient_array", numerical_with()),
    ("numerical_gradient_array", numerical_on_copies),
    ("fixed_dense_tanh_backward", fixed_with()),
    ("train_step", train_step_with()),
    ("train_step", train_step_in_float32),
]


@pytest.mark.filterwarnings("error")
@pytest.mark.parametrize(("name", "fn"), RIGHT)
def test_right_answers_pass_every_seed(name, fn, capsys):
    for seed in SEEDS:
        check(name, fn, hidden=seed is not None, seed=seed)
    assert capsys.readouterr().out.count(f"✔ {name}:") == len(SEEDS)


MISTAKES = [
    ("mlp_backward", backward_with(at_output=True), "f' was taken at the layer's output"),
    ("mlp_backward", backward_with(skip_activation=True), "the activations' backward was skipped"),
    ("mlp_backward", backward_with(reverse=False), "the list is in backward order"),
    ("mlp_backward", backward_with(over_m=True), "times too small"),
    (
        "mlp_backward",
        lambda dA, caches, activations: mlp.mlp_backward(dA, caches, activations)[1:],
        "A loop over the layers must visit every one of them",
    ),
    (
        "numerical_gradient_array",
        numerical_with(one_sided=True, denominator=1.0),
        "one-sided difference",
    ),
    ("numerical_gradient_array", numerical_with(weighted=False), "dout is missing"),
    ("numerical_gradient_array", numerical_with(denominator=1.0), "divided by h, not by 2h"),
    ("numerical_gradient_array", numerical_with(restore=False), None),
    ("fixed_dense_tanh_backward", fixed_with("unfixed"), "dW still skips the activation"),
    ("fixed_dense_tanh_backward", fixed_with("1-A"), "tanh' is 1 − A², not 1 − A"),
    ("fixed_dense_tanh_backward", fixed_with("tanh(A)"), "tanh' was taken as 1 − tanh(A)²"),
    ("train_step", train_step_with(sign=1.0), "the step went uphill"),
    ("train_step", train_step_with(use_lr=False), "the learning rate is missing"),
    ("train_step", train_step_with(biases=False), "b was not updated"),
    ("train_step", train_step_with(cost_after=True), "J was computed after the update"),
    ("train_step", train_step_with(sigmoid_twice=True), "the sigmoid was applied twice"),
]


@pytest.mark.parametrize(("name", "fn", "diagnosis"), MISTAKES)
def test_mistakes_fail_every_seed_with_their_diagnosis(name, fn, diagnosis):
    for seed in SEEDS:
        with pytest.raises(CheckFailed) as raised:
            check(name, fn, hidden=seed is not None, seed=seed)
        if diagnosis is not None:
            assert diagnosis in str(raised.value)


def test_x_left_changed_fails_even_when_the_values_are_right():
    def leaves_x_nudged(f, x, dout, h=1e-5):
        grad = numerical_with()(f, x, dout, h)
        x += h
        return grad

    with pytest.raises(CheckFailed, match="changed the x it was given"):
        check("numerical_gradient_array", leaves_x_nudged)


def central_difference_backward(dA, caches, activations):
    """An 'analytic' answer that is really central differences of the forward pass."""
    X = caches[0][0]
    params = [[W, (Z - A_prev @ W)[0]] for A_prev, W, Z in caches]
    grads = []
    for layer, pair in enumerate(params):
        found = []
        for index, value in enumerate(pair):

            def forward(trial, layer=layer, index=index):
                changed = [list(p) for p in params]
                changed[layer][index] = trial
                return mlp.mlp_forward(X, changed, activations)[0]

            found.append(gradcheck.numerical_gradient_array(forward, value.copy(), dA))
        grads.append(tuple(found))
    return grads


def test_central_differences_fail_every_seed_and_the_large_output_case_alone():
    exercise = get("mlp_backward")
    for seed in range(1, 8):
        with pytest.raises(CheckFailed):
            check("mlp_backward", central_difference_backward, hidden=True, seed=seed)
        large = exercise.cases(np.random.default_rng(seed), hidden=True)[-1]
        assert "'identity']" in large.label  # the case whose output sits near 1e6
        with pytest.raises(CheckFailed, match=r"relative error \d\.\d+e-0[2-7], threshold 1e-07"):
            judge_quietly(exercise, large, central_difference_backward(*large.inputs.values()))
        judge_quietly(exercise, large, mlp.mlp_backward(*large.inputs.values()))


def test_wrong_return_types_say_what_to_return():
    wanted = r"mlp_backward should return 3 values, `return \(dW1, db1\), \(dW2, db2\), \(dW3"
    with pytest.raises(CheckFailed, match=wanted):
        check("mlp_backward", lambda dA, caches, activations: {"W1": 0})
    with pytest.raises(CheckFailed, match=r"train_step should return 2 values"):
        check("train_step", lambda params, X, Y, lr, activations: params[0][0])
    with pytest.raises(CheckFailed, match=r"J should be one number; got a tuple"):
        check("train_step", lambda params, X, Y, lr, activations: params)
    with pytest.raises(CheckFailed, match="fixed_dense_tanh_backward should return 3 values"):
        check("fixed_dense_tanh_backward", lambda dA, cache: cache[1])
