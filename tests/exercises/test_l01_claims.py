"""What lesson 01's text says its widgets show, over their whole range.

- The stepper's start w = [-1, 0.5, 0.5] gets 2 of the 4 answers wrong, for each gate.
- The line explorer's arrow is the weight vector (w1, w2): it stands on the line, is
  perpendicular to it and points to the side where the unit answers 1, for every slider value.
"""

import itertools
import json
from pathlib import Path

import numpy as np
import pytest

from nnlib.data import truth_table
from nnlib.errors import ShapeError
from nnlib.perceptron import perceptron_predict, weight_arrow

NOTEBOOK = Path(__file__).parents[2] / "solutions/01_perceptron/01_perceptron.ipynb"
W_START = np.array([-1.0, 0.5, 0.5])
SLIDER = np.round(np.arange(-3.0, 3.0001, 0.1), 1)  # min=-3, max=3, step=0.1


def cell(cell_id: str) -> str:
    cells = json.loads(NOTEBOOK.read_text())["cells"]
    return "".join(next(c["source"] for c in cells if c.get("id") == cell_id))


def test_the_stepper_and_its_text_start_from_the_tested_weights():
    assert "W_START = np.array([-1.0, 0.5, 0.5])" in cell("stepper-widget")
    assert "gets 2 of the 4 answers wrong (for each of\nthe three gates)" in cell("stepper-text")
    assert "min=-3, max=3, step=0.1" in cell("line-widget")


@pytest.mark.parametrize("gate", ["and", "or", "nand"])
def test_the_start_gets_two_of_four_wrong(gate):
    X, y = truth_table(gate)
    assert int(np.sum(perceptron_predict(W_START, X) != y)) == 2


def test_the_arrow_stands_on_the_line_and_points_to_the_side_of_1_for_every_slider_value():
    rng = np.random.default_rng(0)
    # Every (w1, w2) of the sliders, each with a few biases, including the extremes.
    for w1, w2 in itertools.product(SLIDER, SLIDER):
        for w0 in (-3.0, 0.0, 3.0, float(rng.choice(SLIDER))):
            w = np.array([w1, w2, w0])
            found = weight_arrow(w)
            if w1 == 0 and w2 == 0:
                assert found is None
                continue
            base, tip = found
            assert w[:2] @ base + w0 == pytest.approx(0.0, abs=1e-9)  # on the line
            direction = tip - base
            assert np.linalg.norm(direction) == pytest.approx(0.5)
            assert abs(direction @ np.array([-w2, w1])) < 1e-9  # perpendicular to the line
            assert perceptron_predict(w, tip[None, :])[0] == 1.0  # on the side of 1


def test_weight_arrow_says_what_shape_it_needs():
    with pytest.raises(ShapeError, match=r"\[w1, w2, w0\]"):
        weight_arrow(np.ones(4))
