"""Lesson 10's pieces of the network: the model answers pass, the cases test what they are meant
to (a kink, an overflow, logits where central differences fail, an early stop), and the
mistaken loops the check knows agree with nnlib's loop where they should."""

import numpy as np
import pytest

from grader import CheckFailed, check
from grader.exercise import get
from grader.exercises.l10_training import FIT_SLIPS, fit_variant
from nnlib import classifier
from nnlib.gradcheck import numerical_gradient, numerical_gradient_array, rel_error
from nnlib.losses import softmax_cross_entropy

ANSWERS = {
    "network_forward": classifier.network_forward,
    "network_cost": softmax_cross_entropy,
    "network_backward": classifier.network_backward,
    "network_step": classifier.train_step,
    "fit_network": classifier.fit,
}


@pytest.mark.parametrize("name", sorted(ANSWERS))
@pytest.mark.parametrize("seed", [None, 1, 2, 3])
def test_nnlib_answers_pass(name, seed, capsys):
    check(name, ANSWERS[name], hidden=seed is not None, seed=seed)
    assert "passed" in capsys.readouterr().out


def cases(name, seed):
    return get(name).cases(np.random.default_rng(seed), hidden=True)


@pytest.mark.parametrize("seed", range(20))
def test_every_hidden_layer_of_the_backward_cases_has_a_unit_at_the_kink_that_gets_gradient(seed):
    for case in cases("network_backward", seed)[1:]:  # the one-layer case has no ReLU
        dZ, caches = case.inputs.values()
        for layer, (_, _, Z) in enumerate(caches[:-1]):
            assert np.all(Z[:, 0] == 0.0)
            W_above = caches[layer + 1][1]
            assert np.any(W_above[0] != 0.0)  # so ReLU'(0) = 1 would let gradient through


@pytest.mark.parametrize("seed", range(20))
def test_central_differences_are_measurably_off_on_the_large_logits(seed):
    case = cases("network_backward", seed)[2]
    dZ, caches = case.inputs.values()
    params, X = case.secret["params"], caches[0][0]
    expected = classifier.network_backward(dZ, caches)
    errors = []
    for layer, pair in enumerate(params):
        for index, value in enumerate(pair):

            def logits(trial, layer=layer, index=index):
                changed = [list(p) for p in params]
                changed[layer][index] = trial
                return classifier.network_forward(X, changed)[0]

            numeric = numerical_gradient_array(logits, value.copy(), dZ)
            errors.append(rel_error(numeric, expected[layer][index]))
    assert max(errors) > 1e-6  # the check's threshold is 1e-7


@pytest.mark.parametrize("seed", range(20))
def test_central_differences_of_the_cost_are_measurably_off(seed):
    Z, Y = cases("network_cost", seed)[2].inputs.values()
    numeric = numerical_gradient(lambda z: softmax_cross_entropy(z, Y)[0], Z.copy())
    assert rel_error(numeric, softmax_cross_entropy(Z, Y)[1]) > 1e-6


@pytest.mark.parametrize("seed", range(20))
def test_a_cost_row_overflows_without_the_shift(seed):
    Z = cases("network_cost", seed)[2].inputs["Z"]
    with np.errstate(over="ignore"):
        assert not np.all(np.isfinite(np.exp(Z)))


def test_the_visible_fit_case_stops_early_after_a_dip_below_an_earlier_rise():
    [case] = get("fit_network").cases(np.random.default_rng(0), hidden=False)
    *settings, seed = case.inputs.values()
    _, history = classifier.fit(*settings, np.random.default_rng(seed))
    val = np.array(history["val_cost"])
    assert history["best_epoch"] == 3 and len(val) == 6  # stopped: patience 2 after epoch 3
    assert val[2] > val[1] > val[3]  # a rise, then a new best: compared with the best, not the last


@pytest.mark.parametrize("seed", range(20))
def test_the_shifted_hidden_fit_cases_stop_early(seed):
    for case in cases("fit_network", seed)[1:]:
        *settings, rng_seed = case.inputs.values()
        _, history = classifier.fit(*settings, np.random.default_rng(rng_seed))
        assert len(history["val_cost"]) < case.inputs["epochs"]


@pytest.mark.parametrize("seed", range(5))
def test_each_slip_changes_the_result_of_some_hidden_case(seed):
    for slip in FIT_SLIPS:
        differs = False
        for case in cases("fit_network", seed):
            *settings, rng_seed = case.inputs.values()
            right = classifier.fit(*settings, np.random.default_rng(rng_seed))
            wrong = fit_variant(settings, np.random.default_rng(rng_seed), slip)
            differs |= right[1] != wrong[1] or any(
                not np.array_equal(a, c)
                for pa, pc in zip(right[0], wrong[0], strict=False)
                for a, c in zip(pa, pc, strict=True)
            )
        assert differs, slip


def test_a_step_that_forgets_the_penalty_is_named():
    def no_penalty(params, X, Y, lr, lam):
        return classifier.train_step(params, X, Y, lr, 0.0)

    with pytest.raises(CheckFailed) as caught:
        check("network_step", no_penalty)
    assert "J lacks the penalty" in caught.value.diagnosis
    assert "the penalty's gradient 2λW is missing" in caught.value.diagnosis


def test_fit_passes_its_own_generator_through_the_wire():
    [case] = get("fit_network").cases(np.random.default_rng(0), hidden=False)
    seen = []

    def spy(*args):
        seen.append(args[-1])
        return classifier.fit(*args)

    get("fit_network").call(spy, case.inputs)
    assert isinstance(seen[0], np.random.Generator)
