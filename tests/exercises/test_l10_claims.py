"""What lesson 10's text says its figures and checks show, measured.

- Section 3: the hidden cost cases hold logits near 800, whose exp overflows, a row whose
  logits lie 800 apart and a row near 10⁶; the hidden backward cases hold logits near 10⁶;
  there central differences are too coarse (all in test_l10_pieces.py, over 20 seeds).
- Section 4: softmax regression alone reaches about 96 % on the 8x8 digits; a few dozen hidden
  units are plenty (the catalogue's 64-32-10 answer passes 20 hidden seeds).
- Section 5, the first-layer weights: 98.6 % of the pixels of the leftmost and rightmost
  columns are 0, and the trained weights from them stay fainter than the others.
- The learning curves: the lesson's network stops early, and at the kept epoch its training
  cost is below its validation cost.
"""

import numpy as np
import pytest

import nnlib
from grader.exercises.l10_digits import cost_and_accuracy, digit_split
from nnlib import classifier


def test_softmax_regression_reaches_about_96_percent():
    scores = []
    for seed in range(6):
        (X_train, y_train), (X_val, y_val), (X_test, y_test) = digit_split(seed)
        params, _ = classifier.softmax_regression(X_train, y_train, X_val, y_val, seed)
        scores.append(cost_and_accuracy(params, X_test, y_test)[1])
    assert 0.955 < np.mean(scores) < 0.97, scores


def test_the_edge_columns_are_almost_always_blank():
    X, _ = nnlib.load_digits()
    edges = X.reshape(-1, 8, 8)[:, :, [0, 7]]
    assert round(100 * float(np.mean(edges == 0)), 1) == 98.6  # as the text quotes


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_weights_from_the_edge_columns_stay_fainter(seed):
    (X_train, y_train), (X_val, y_val), _ = digit_split(seed)
    params, _ = classifier.digit_network(X_train, y_train, X_val, y_val, seed)
    size = np.abs(params[0][0]).reshape(8, 8, -1)
    edge = np.zeros((8, 8), dtype=bool)
    edge[:, [0, 7]] = True
    assert size[edge].mean() < 0.8 * size[~edge].mean()


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_the_lessons_network_stops_early_and_trains_below_its_validation_cost(seed):
    (X_train, y_train), (X_val, y_val), _ = digit_split(seed)
    _, history = classifier.digit_network(X_train, y_train, X_val, y_val, seed)
    best = history["best_epoch"]
    assert len(history["val_cost"]) < classifier.DIGIT_SETTINGS["epochs"]
    assert history["train_cost"][best] < history["val_cost"][best]
