"""Lesson 04's analytic-gradient exercises cannot be passed by central differences, and the
δ of a unit with several roads is graded on every seed: the model answer passes, an estimate
and each known slip fail. (Further slips and variants are in the catalogue.)"""

import sys
from pathlib import Path

import pytest

from grader import CheckFailed, check
from nnlib.shared_unit import shared_unit_backward

sys.path.insert(0, str(Path(__file__).parents[1] / "catalogue"))
import catalogue_l04 as catalogue  # noqa: E402

SEEDS = range(20)
ESTIMATES = {
    "sigmoid_derivative": catalogue.sigmoid_derivative_central_difference,
    "neuron_gradient": catalogue.neuron_gradient_central_difference,
    "shared_unit_backward": catalogue.shared_unit_central_difference,
}


@pytest.mark.parametrize("seed", SEEDS)
def test_the_model_answer_passes_every_seed(seed, capsys):
    check("shared_unit_backward", shared_unit_backward, hidden=True, seed=seed)
    assert "4 hidden checks passed" in capsys.readouterr().out


@pytest.mark.parametrize("exercise", sorted(ESTIMATES))
def test_central_differences_pass_the_visible_case_and_fail_every_hidden_seed(exercise):
    check(exercise, ESTIMATES[exercise])  # far from saturation an estimate is close enough
    for seed in SEEDS:
        with pytest.raises(CheckFailed, match="saturated") as failed:
            check(exercise, ESTIMATES[exercise], hidden=True, seed=seed)
        assert failed.value.diagnosis is None  # no known slip fits an estimate


def test_the_roads_of_a_two_output_unit_are_named():
    with pytest.raises(CheckFailed) as failed:
        check("shared_unit_backward", catalogue.shared_unit_first_road_only)
    assert "only the road through output 1" in failed.value.diagnosis
    assert "delta_h" in str(failed.value)
