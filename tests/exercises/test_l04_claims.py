"""What lesson 04's learning-rate widget says it shows, over the slider's whole range.

The valley is J = ½ (w − c)ᵀ A (w − c) with curvatures 8 across its floor and 1 along it. The
lesson says: the start lies well up the valley's side; every rate above 1/8 zig-zags across
the floor and every rate below does not; every rate below 2/8 reaches the minimum and every
rate above diverges; the title says "diverged" rather than printing nan. The slider spans
η = 10^-2.5 … 10^0 in steps of 0.05 in the exponent, with 1 to 60 steps.
"""

import json
from pathlib import Path

import numpy as np
import pytest

from nnlib.descent import divergence_step, gradient_descent_path

NOTEBOOK = Path(__file__).parents[2] / "solutions/04_gradient_descent/04_gradient_descent.ipynb"
A = np.array([[4.5, 3.5], [3.5, 4.5]])
C = np.array([1.0, 1.0])
START = np.array([-1.83, 1.71])
ACROSS = np.array([1.0, 1.0]) / np.sqrt(2)  # the steep direction, eigenvalue 8
RATES = 10 ** np.arange(-2.5, 0.0001, 0.05)


def widget_source() -> str:
    cells = json.loads(NOTEBOOK.read_text())["cells"]
    return next("".join(c["source"]) for c in cells if c.get("id") == "56d4eee5")


def test_the_widget_uses_the_valley_and_start_tested_here():
    source = widget_source()
    assert "np.array([[4.5, 3.5], [3.5, 4.5]])" in source
    assert "VALLEY_START = np.array([-1.83, 1.71])" in source
    assert "min=-2.5, max=0, step=0.05" in source and "max=60" in source


def test_the_start_lies_up_the_side_of_the_valley():
    assert np.linalg.eigvalsh(A).tolist() == pytest.approx([1.0, 8.0])
    assert abs((START - C) @ ACROSS) > 1.45  # the floor is where this is 0
    assert np.linalg.norm(START - C) == pytest.approx(2.92, abs=0.01)


@pytest.mark.parametrize("lr", RATES)
def test_zig_zag_and_divergence_follow_the_table(lr):
    with np.errstate(over="ignore", invalid="ignore"):
        path = gradient_descent_path(lambda w: A @ (w - C), START, lr, 60)
        across = (path - C) @ ACROSS
        distance = np.linalg.norm(path - C, axis=1)
    # Once a coordinate is within rounding of the minimum its sign is noise, and no figure
    # can show it: judge the points that are still more than 1e-9 away.
    seen = np.abs(across) > 1e-9
    signs = np.sign(across[seen])
    zig_zags = bool(np.all(signs[1:] == -signs[:-1]))
    assert len(signs) >= 2
    assert zig_zags == (lr > 1 / 8)
    assert zig_zags or np.all(signs == signs[0])  # no zig-zag: it never crosses the floor
    if lr < 2 / 8:
        assert divergence_step(path) is None
        away = distance > 1e-9
        assert np.all(np.diff(distance[away]) < 0)  # always closer to the minimum
    else:
        # Diverging, in the table's sense: every jump lands higher than the last (just above
        # 0.25 slowly: the title then shows the distance growing, not yet "diverged").
        assert np.all(np.diff(np.abs(across)) > 0)


def test_at_the_top_rate_both_titles_say_diverged_instead_of_nan():
    with np.errstate(over="ignore", invalid="ignore"):
        path1 = gradient_descent_path(lambda w: 4 * w**3 - 6 * w + 1, np.array([0.3]), 1.0, 20)
        path2 = gradient_descent_path(lambda w: A @ (w - C), START, 1.0, 20)
    assert np.isnan(path1[-1, 0])
    assert divergence_step(path1) == 5 and divergence_step(path2) == 7
    assert "diverged, |w| > 1e6 after {gone} steps" in widget_source()


def test_the_going_further_snippet_runs():
    cells = json.loads(NOTEBOOK.read_text())["cells"]
    text = "".join(next(c["source"] for c in cells if c.get("id") == "c05d71f4"))
    snippet = text.split("```python\n")[1].split("```")[0]
    snippet = "\n".join(line.strip() for line in snippet.splitlines())
    namespace = {"np": np}
    for cell in cells:
        source = "".join(cell["source"])
        if (
            "def neuron_gradient" in source
            or "def central_difference" in source
            or ("def sigmoid_derivative" in source)
        ):
            exec(
                source.replace("### BEGIN SOLUTION", "").replace("### END SOLUTION", ""), namespace
            )
    from nnlib.activations import sigmoid

    namespace["sigmoid"] = sigmoid
    printed = []
    namespace["print"] = lambda *values: printed.append(values)
    exec(snippet, namespace)
    ((analytic, numeric),) = printed
    assert np.allclose(analytic, numeric, rtol=1e-7)


def test_rounding_takes_over_below_a_few_times_1e_6_as_the_text_says():
    hs = np.logspace(-12, -1, 45)  # the figure's grid

    def J1(w):
        return w**4 - 3 * w**2 + w + 4

    exact = 4 * 1.5**3 - 6 * 1.5 + 1
    central = np.abs((J1(1.5 + hs) - J1(1.5 - hs)) / (2 * hs) - exact)
    best = hs[np.argmin(central)]
    assert 1e-6 < best < 1e-5
    assert central[0] > 1000 * central.min()  # and it grows again to the left
    cells = json.loads(NOTEBOOK.read_text())["cells"]
    text = "".join(next(c["source"] for c in cells if c.get("id") == "5aeb59f6"))
    assert "below a few times $10^{-6}$" in text
