"""What lesson 09's text says its experiment and its widget show, measured over the slider's whole
range (p = 0, 0.1, ..., 0.9) and over several seeds of the initial weights and masks.

The lesson's section 7 says, of the 64-40-1 network on 100 digit images (nnlib.dropout_experiment):

- without dropout, the training cost falls almost to 0 and the validation cost climbs back
  (by more than 5 %) after a minimum within the first 140 epochs: the network over-fits;
- some drop probability between 0.1 and 0.5 reaches a lower best (early-stopped) validation
  cost than p = 0;
- p = 0.9 under-fits: its training cost at the last epoch is more than ten times that of p = 0,
  and its best validation cost is more than 10 % above the lowest of the sweep.

The lesson runs seed 0; the claims must hold for every seed here, so that they are a property
of the settings and not of one lucky run.
"""

import numpy as np
import pytest

from nnlib import dropout_experiment as experiment
from nnlib.dropout_net import dropout_net_backward, dropout_net_forward

SEEDS = range(5)


@pytest.fixture(scope="module")
def sweeps():
    data = experiment.odd_digits()
    return {
        seed: experiment.sweep(dropout_net_forward, dropout_net_backward, data, seed=seed)
        for seed in SEEDS
    }


@pytest.mark.parametrize("seed", SEEDS)
def test_without_dropout_the_validation_cost_climbs_back(sweeps, seed):
    run = sweeps[seed][0.0]
    assert run.best_epoch < 140
    assert run.val_cost[-1] > 1.05 * run.best_val_cost
    assert run.train_cost[-1] < 0.05  # the 100 training images are fitted almost exactly


@pytest.mark.parametrize("seed", SEEDS)
def test_some_moderate_p_lowers_the_best_validation_cost(sweeps, seed):
    best = {p: run.best_val_cost for p, run in sweeps[seed].items()}
    assert min(best[p] for p in (0.1, 0.2, 0.3, 0.4, 0.5)) < best[0.0]


@pytest.mark.parametrize("seed", SEEDS)
def test_p_09_under_fits(sweeps, seed):
    runs = sweeps[seed]
    assert runs[0.9].train_cost[-1] > 10 * runs[0.0].train_cost[-1]
    lowest = min(run.best_val_cost for run in runs.values())
    assert runs[0.9].best_val_cost > 1.1 * lowest


def test_the_sweep_covers_the_slider_and_every_run_starts_alike(sweeps):
    assert experiment.P_VALUES == (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)
    runs = sweeps[0]
    assert list(runs) == list(experiment.P_VALUES)
    assert all(len(run.val_cost) == experiment.EPOCHS for run in runs.values())
    # The same seed gives the same initial weights: the first epoch of p = 0 and of a run
    # with p = 0 again agree exactly.
    again = experiment.sweep(
        dropout_net_forward, dropout_net_backward, experiment.odd_digits(), p_values=(0.0,)
    )
    assert np.array_equal(again[0.0].val_cost, runs[0.0].val_cost)
