"""What lesson 02's hidden-space widget says it shows.

With the OR and NAND units of the start, (0,1) and (1,0) land on one point, (1, 1), and share
one label; the widest-margin line separates the hidden points with margin √2/4, so that no point
lies on it. Over the sliders' range with step units, the view never draws a line that touches a
point: it draws one only when the margin is positive.
"""

import ast
import itertools
import json
from pathlib import Path

import numpy as np

from nnlib.data import truth_table
from nnlib.margin import widest_margin_line
from nnlib.perceptron import add_bias_column, step

NOTEBOOK = Path(__file__).parents[2] / "solutions/02_logic_gates/02_logic_gates.ipynb"
X4, Y_XOR = truth_table("xor")


def widget_function(name: str):
    """A function defined in the widget's cell, compiled on its own."""
    cells = json.loads(NOTEBOOK.read_text())["cells"]
    source = "".join(next(c["source"] for c in cells if c.get("id") == "hidden-space-widget"))
    tree = ast.parse(source)
    (node,) = [n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == name]
    namespace = {"np": np}
    exec(compile(ast.Module([node], []), str(NOTEBOOK), "exec"), namespace)
    return namespace[name]


def hidden(W1: np.ndarray) -> np.ndarray:
    return step(add_bias_column(X4) @ W1)


def test_coinciding_inputs_share_one_label():
    H = hidden(np.column_stack([[1.0, 1.0, -0.5], [-1.0, -1.0, 1.5]]))
    labels = widget_function("hidden_labels")(X4, H)
    assert labels == {(0.0, 1.0): "(0,0)", (1.0, 1.0): "(0,1) and (1,0)", (1.0, 0.0): "(1,1)"}


def test_the_start_is_separated_with_a_margin():
    H = hidden(np.column_stack([[1.0, 1.0, -0.5], [-1.0, -1.0, 1.5]]))
    _, margin = widest_margin_line(H, Y_XOR)
    assert abs(margin - np.sqrt(2) / 4) < 1e-12


def test_a_drawn_line_never_touches_a_point_over_the_slider_range():
    values = np.round(np.arange(-3.0, 3.0001, 1.5), 1)  # a coarse sample of each slider
    drawn = 0
    for w in itertools.product(values, repeat=6):
        W1 = np.array(w).reshape(2, 3).T
        H = hidden(W1)
        if len({tuple(h) for h in H[Y_XOR == 1]} & {tuple(h) for h in H[Y_XOR == 0]}):
            continue  # a point of each class in one place: no line can separate them
        line, margin = widest_margin_line(H, Y_XOR)
        if margin > 1e-9:
            drawn += 1
            distances = np.abs(H @ line[:2] + line[2])
            assert distances.min() >= margin - 1e-12
    assert drawn > 0


def test_the_fallback_start_found_by_the_rule_is_separated_with_the_same_margin():
    from nnlib.perceptron import train_perceptron

    w_or = train_perceptron(*truth_table("or")).w
    w_nand = train_perceptron(*truth_table("nand")).w
    _, margin = widest_margin_line(hidden(np.column_stack([w_or, w_nand])), Y_XOR)
    assert abs(margin - np.sqrt(2) / 4) < 1e-12
