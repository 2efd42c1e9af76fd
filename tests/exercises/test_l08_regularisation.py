"""Lesson 08's exercise specs: right answers pass, known mistakes are named, nonsense fails."""

import numpy as np
import pytest

from grader import CheckFailed, check
from grader.exercises.l08_early_stopping import stop_point_counting_ties
from nnlib.activations import Sigmoid, Tanh
from nnlib.data import make_moons
from nnlib.layers import Dense
from nnlib.model import Sequential
from nnlib.training import early_stopping_point, fit

SEEDS = range(8)


def penalty_with(kind="L2", factor=None, on_biases=False, sign_zero=None, half=False):
    """An l2_regularisation or l1_regularisation, right by default, or with a known mistake.

    factor: the gradient's factor (right: 2 for L2, 1 for L1).
    sign_zero: for L1, what the gradient is where w = 0 (right: 0; "nan" for w / |w|).
    half: for L2, the penalty λ/2 Σ w² with gradient λw (CS231n's second assignment).
    """

    def regularisation(params, lam):
        penalty, grads = 0.0, {}
        for name, value in params.items():
            if not (name.startswith("W") or on_biases):
                grads[name] = np.zeros_like(value)
                continue
            if kind == "L2":
                penalty += lam * np.sum(value**2) / (2 if half else 1)
                grads[name] = (factor or (1 if half else 2)) * lam * value
            else:
                penalty += lam * np.sum(np.abs(value))
                with np.errstate(invalid="ignore"):
                    sign = value / np.abs(value) if sign_zero == "nan" else np.sign(value)
                if sign_zero == 1:
                    sign = np.where(value == 0, 1.0, sign)
                grads[name] = (factor or 1) * lam * sign
        return penalty, grads

    return regularisation


def stopping_with(curve="val", strict=True, patience_shift=0, whole_curve=False):
    """An early_stopping, right by default, or with a known mistake."""

    def early_stopping(train_loss, val_loss, patience):
        losses = val_loss if curve == "val" else train_loss
        if whole_curve:
            return int(np.argmin(losses)), len(losses) - 1
        best, waited = 0, 0
        for epoch in range(1, len(losses)):
            better = losses[epoch] < losses[best] if strict else losses[epoch] <= losses[best]
            if better:
                best, waited = epoch, 0
            else:
                waited += 1
                if waited == patience + patience_shift:
                    return best, epoch
        return best, len(losses) - 1

    return early_stopping


RIGHT = {
    "l2_regularisation": penalty_with("L2"),
    "l1_regularisation": penalty_with("L1"),
    "early_stopping": stopping_with(),
}


@pytest.mark.parametrize("name", sorted(RIGHT))
def test_right_answers_pass_visible_and_hidden_checks(name, capsys):
    check(name, RIGHT[name])
    for seed in SEEDS:
        check(name, RIGHT[name], hidden=True, seed=seed)
    assert f"✔ {name}: 1 check passed" in capsys.readouterr().out


MISTAKES = [
    ("l2_regularisation", penalty_with("L2", factor=1), "missing the factor 2"),
    ("l2_regularisation", penalty_with("L2", on_biases=True), "the biases were penalised too"),
    (
        "l2_regularisation",
        penalty_with("L2", half=True),
        "λ/2 Σ w² (the convention of CS231n's second assignment)",
    ),
    ("l2_regularisation", penalty_with("L1"), "this is the L1 penalty"),
    ("l1_regularisation", penalty_with("L1", sign_zero="nan"), "w/|w| is 0/0"),
    ("l1_regularisation", penalty_with("L1", sign_zero=1), "sign(0) = 0"),
    ("l1_regularisation", penalty_with("L1", factor=2), "a factor 2 crept in"),
    ("l1_regularisation", penalty_with("L1", on_biases=True), "the biases were penalised too"),
    ("l1_regularisation", penalty_with("L2"), "this is the L2 penalty"),
    ("early_stopping", stopping_with(whole_curve=True), "lowest loss of the whole curve"),
    ("early_stopping", stopping_with(curve="train"), "you watched the training loss"),
    ("early_stopping", stopping_with(strict=False), "a loss equal to the best is not"),
    ("early_stopping", stopping_with(patience_shift=1), "one epoch too late"),
    ("early_stopping", stopping_with(patience_shift=-1), "one epoch too early"),
]


@pytest.mark.parametrize(("name", "fn", "diagnosis"), MISTAKES)
def test_known_mistakes_are_named_in_the_visible_check(name, fn, diagnosis):
    with pytest.raises(CheckFailed, match="Diagnosis") as failure:
        check(name, fn)
    assert diagnosis in str(failure.value)


def test_a_penalised_bias_gradient_is_named():
    def l2_regularisation(params, lam):
        penalty, grads = penalty_with("L2")(params, lam)
        grads["b1"] = 2 * lam * params["b1"]
        return penalty, grads

    with pytest.raises(CheckFailed, match="weights only, never the biases"):
        check("l2_regularisation", l2_regularisation)


@pytest.mark.parametrize("name", sorted(RIGHT))
def test_plainly_wrong_answers_fail_with_a_value_message(name):
    def wrong(*args):
        first, second = RIGHT[name](*args)
        return first + 1, second

    with pytest.raises(CheckFailed, match=r"is wrong: expected"):
        check(name, wrong)


def test_a_missing_gradient_is_reported_by_name():
    def l2_regularisation(params, lam):
        penalty, grads = penalty_with("L2")(params, lam)
        del grads["b2"]
        return penalty, grads

    with pytest.raises(CheckFailed) as raised:
        check("l2_regularisation", l2_regularisation)
    assert str(raised.value).startswith(
        "l2_regularisation should return grads as a dict with the keys 'W1', 'b1', 'W2', 'b2'; "
        "the key 'b2' is missing."
    )


def test_a_penalty_of_one_element_counts_as_one_number():
    def l2_regularisation(params, lam):
        penalty, grads = penalty_with("L2")(params, lam)
        return np.array([[penalty]]), grads

    check("l2_regularisation", l2_regularisation)
    with pytest.raises(CheckFailed, match=r"^penalty should be one number; got an array of shape"):
        check("l2_regularisation", lambda params, lam: (np.ones(2), {}))


def test_answer_key_follows_the_worked_example():
    val = [1.05, 0.86, 0.76, 0.70, 0.72, 0.70, 0.74, 0.73, 0.75, 0.68, 0.71]
    assert early_stopping_point(val, 3) == (3, 6)
    assert stop_point_counting_ties(val, 3) == (5, 8)
    assert early_stopping_point(val, 10) == (9, 10)
    assert early_stopping_point([3.0, 2.0, 1.0], 1) == (2, 2)


def test_answer_key_matches_nnlib_fit():
    # fit's early stopping on a real run ends where early_stopping_point says,
    # and keeps the same epoch.
    X, y = make_moons(n=80, noise=0.35, seed=3)
    rng = np.random.default_rng(0)
    model = Sequential([Dense(2, 16, rng=rng), Tanh(), Dense(16, 1, rng=rng), Sigmoid()])
    Y = y[:, None].astype(float)
    history = fit(
        model,
        X[:20],
        Y[:20],
        loss="bce",
        lr=1.0,
        epochs=300,
        validation=(X[20:], Y[20:]),
        patience=15,
    )
    assert history.stopped_early
    assert early_stopping_point(history.val_loss, 15) == (history.best_epoch, history.epochs - 1)
