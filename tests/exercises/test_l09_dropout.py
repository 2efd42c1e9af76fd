"""Lesson 09's exercise specs: right answers pass, known mistakes are named, nonsense fails."""

import re

import numpy as np
import pytest

from grader import CheckFailed, check


def right_forward(X, p, rng, training=True):
    if not training:
        return X, None
    keep = rng.random(X.shape) >= p
    return X * keep / (1 - p), keep


def right_backward(dA, keep, p):
    return dA * keep / (1 - p)


@pytest.mark.parametrize("hidden", [False, True])
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_right_answers_pass(hidden, seed, capsys):
    check("dropout_forward", right_forward, hidden=hidden, seed=seed)
    check("dropout_backward", right_backward, hidden=hidden, seed=seed)
    kind = "hidden check" if hidden else "check"
    assert len(re.findall(rf" \d+ {kind}s? passed", capsys.readouterr().out)) == 2


def forward_with(train_rule, eval_rule=lambda X, p: X):
    """A dropout_forward whose training output is train_rule(X, p, draws) and whose keep is
    draws >= p; in evaluation it returns eval_rule(X, p)."""

    def forward(X, p, rng, training=True):
        if not training:
            return eval_rule(X, p), None
        draws = rng.random(X.shape)
        return train_rule(X, p, draws), draws >= p

    return forward


def failure(name, fn, hidden=False, seed=None):
    with pytest.raises(CheckFailed) as raised:
        check(name, fn, hidden=hidden, seed=seed)
    return str(raised.value)


FORWARD_MISTAKES = {
    "not rescaled": (forward_with(lambda X, p, r: X * (r >= p)), "A is not rescaled"),
    "swapped": (
        forward_with(lambda X, p, r: X * (r < p) / (1 - p)),
        "A keeps units with probability p",
    ),
    "scale 1/p": (
        forward_with(lambda X, p, r: X * (r >= p) / p),
        "the kept units were divided by p",
    ),
    "times (1-p)": (
        forward_with(lambda X, p, r: X * (r >= p) * (1 - p)),
        "multiplied by (1 - p) instead of divided",
    ),
    "dropped at evaluation": (
        forward_with(
            lambda X, p, r: X * (r >= p) / (1 - p),
            eval_rule=lambda X, p: X * (np.random.default_rng(0).random(X.shape) >= p) / (1 - p),
        ),
        "in evaluation mode dropout is the identity",
    ),
    "scaled at evaluation": (
        forward_with(lambda X, p, r: X * (r >= p) / (1 - p), eval_rule=lambda X, p: X * (1 - p)),
        "scale at test time",
    ),
}


@pytest.mark.parametrize("mistake", FORWARD_MISTAKES)
def test_forward_mistakes_are_named(mistake):
    fn, diagnosis = FORWARD_MISTAKES[mistake]
    assert diagnosis in failure("dropout_forward", fn)


def test_forward_one_mask_row_for_the_batch_is_named():
    def shared_row(X, p, rng, training=True):
        if not training:
            return X, None
        keep = rng.random(X.shape[1]) >= p
        return X * keep / (1 - p), np.broadcast_to(keep, X.shape)

    assert "one mask row was shared by the whole batch" in failure("dropout_forward", shared_row)


def test_forward_mask_from_global_generator_is_named():
    def global_mask(X, p, rng, training=True):
        if not training:
            return X, None
        keep = np.random.default_rng(12345).random(X.shape) >= p
        return X * keep / (1 - p), keep

    assert "the mask is not the expected one" in failure("dropout_forward", global_mask)


def test_forward_keep_marking_dropped_units_is_named():
    def keep_inverted(X, p, rng, training=True):
        A, keep = right_forward(X, p, rng, training)
        return A, ~keep

    assert "keep marks the dropped units" in failure("dropout_forward", keep_inverted)


def test_forward_returning_only_A_says_to_return_the_pair():
    def only_A(X, p, rng, training=True):
        return right_forward(X, p, rng, training)[0]

    message = failure("dropout_forward", only_A)
    assert message.startswith(
        "dropout_forward should return 2 values, `return A, keep`; got an array of shape (4, 5)."
    )


def test_forward_plainly_wrong_gets_a_value_message():
    def wrong(X, p, rng, training=True):
        return X + 1.0, np.ones(X.shape, dtype=bool)

    message = failure("dropout_forward", wrong)
    assert "A is wrong at index" in message
    assert "relative error" in message and "Diagnosis" not in message


def test_forward_visible_example_is_the_documented_one():
    # p = 0.2 and seed 0: the visible mask drops these entries of the 4 x 5 example.
    keep = np.random.default_rng(0).random((4, 5)) >= 0.2
    assert keep.sum() == 15
    assert np.array_equal(np.argwhere(~keep), [[0, 2], [0, 3], [2, 1], [2, 3], [3, 0]])


def backward_failure(fn):
    return failure("dropout_backward", fn)


BACKWARD_MISTAKES = {
    "not rescaled": (lambda dA, keep, p: dA * keep, "dX is not rescaled"),
    "swapped": (lambda dA, keep, p: dA * ~keep / (1 - p), "keep and drop are swapped"),
    "scale 1/p": (lambda dA, keep, p: dA * keep / p, "dX was divided by p"),
    "no mask": (lambda dA, keep, p: dA / (1 - p), "the mask is missing"),
    "identity": (lambda dA, keep, p: dA, "dX equals dA"),
    "new mask": (
        lambda dA, keep, p: dA * (np.random.default_rng(7).random(dA.shape) >= p) / (1 - p),
        "reuse the forward pass's mask",
    ),
}


@pytest.mark.parametrize("mistake", BACKWARD_MISTAKES)
@pytest.mark.parametrize("hidden", [False, True])
def test_backward_mistakes_are_named(mistake, hidden):
    fn, diagnosis = BACKWARD_MISTAKES[mistake]
    assert diagnosis in failure("dropout_backward", fn, hidden=hidden, seed=5)


def test_backward_plainly_wrong_gets_a_value_message():
    message = failure("dropout_backward", lambda dA, keep, p: dA * keep * 3.0)
    assert "dX is wrong at index" in message and "Diagnosis" not in message


def test_backward_forgetting_return_says_so():
    assert failure("dropout_backward", lambda dA, keep, p: None).startswith(
        "dropout_backward returned None: did you forget to `return` it?"
    )


def test_backward_by_central_differences_at_dA_fails_every_hidden_seed():
    # The forward pass with the mask fixed is linear; differences taken at dA ~ 1e7 lose
    # about 1e-5 of relative accuracy to rounding, a hundred times the threshold.
    from nnlib.gradcheck import numerical_gradient_array

    def numeric(dA, keep, p):
        return numerical_gradient_array(lambda x: x * keep / (1 - p), dA.copy(), dA)

    check("dropout_backward", numeric)  # the small visible case cannot tell
    for seed in range(1, 11):
        assert "(|dA| ~ 1e+07)" in failure("dropout_backward", numeric, hidden=True, seed=seed)


def test_the_numerical_helpers_are_cut_out_while_dropout_gradients_are_graded():
    from grader.exercise import get

    for name in ("dropout_backward", "dropout_net_backward"):
        assert "nnlib.gradcheck.numerical_gradient_array" in get(name).reference


# ---------------------------------------------------------------- the network with a cache


@pytest.mark.parametrize("hidden", [False, True])
def test_network_reference_answers_pass(hidden, capsys):
    from nnlib.dropout_net import dropout_net_backward, dropout_net_forward

    for seed in (1, 2, 3):
        check("dropout_net_forward", dropout_net_forward, hidden=hidden, seed=seed)
        check("dropout_net_backward", dropout_net_backward, hidden=hidden, seed=seed)
    out = capsys.readouterr().out
    # Hidden: three cases of the forward pass; the backward pass has a fourth, with large logits.
    forward, backward = ("3 hidden checks", "4 hidden checks") if hidden else ("2 checks",) * 2
    assert out.count(f"dropout_net_forward: {forward} passed") == 3
    assert out.count(f"dropout_net_backward: {backward} passed") == 3


def test_network_forward_that_forgets_dropout_is_named_on_every_seed():
    from nnlib.dropout_net import dropout_net_forward

    def no_dropout(X, params, p, rng, training=True):
        return dropout_net_forward(X, params, 0.0, rng, training)

    for seed in (None, 1, 2, 3):
        message = failure("dropout_net_forward", no_dropout, hidden=seed is not None, seed=seed)
        assert "dropout was left out" in message


def test_network_forward_with_a_mask_at_evaluation_is_named():
    from nnlib.dropout_net import dropout_net_forward

    def always_training(X, params, p, rng, training=True):
        return dropout_net_forward(X, params, p, rng, True)

    assert "units were dropped in evaluation mode" in failure(
        "dropout_net_forward", always_training
    )


def test_network_backward_mistakes_are_named_and_central_differences_fail(catalogue):
    from nnlib.dropout_net import dropout_net_backward

    def skips_dropout(dZ2, cache, params, p):
        X, Z1, keep, D = cache
        return dropout_net_backward(dZ2, (X, Z1, None, D), params, p)

    assert "skipped dropout's backward" in failure("dropout_net_backward", skips_dropout)
    message = failure("dropout_net_backward", skips_dropout, hidden=True, seed=4)
    assert "skipped dropout's backward" in message

    numeric = catalogue("catalogue_l09").net_backward_by_central_differences

    for seed in range(1, 6):
        assert "Diagnosis" not in failure("dropout_net_backward", numeric, hidden=True, seed=seed)
