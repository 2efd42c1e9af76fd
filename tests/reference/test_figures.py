"""The course's figures: one colour-blind-safe palette, one encoding of class labels, and
figures shown with a text alternative (statically, and redrawn in place by a slider)."""

import base64
import html
import itertools
import re

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from nnlib import notebook, plots  # noqa: E402

IMG = re.compile(r'<img src="data:image/png;base64,([A-Za-z0-9+/=]+)" alt="([^"]*)">')

# Machado, Oliveira and Fernandes (2009), full severity, on linear RGB: what a person with
# each kind of colour blindness sees.
SIMULATIONS = {
    "protanopia": [
        [0.152286, 1.052583, -0.204868],
        [0.114503, 0.786281, 0.099216],
        [-0.003882, -0.048116, 1.051998],
    ],
    "deuteranopia": [
        [0.367322, 0.860646, -0.227968],
        [0.280085, 0.672501, 0.047413],
        [-0.011820, 0.042940, 0.968881],
    ],
    "tritanopia": [
        [1.255528, -0.076749, -0.178779],
        [-0.078411, 0.930809, 0.147602],
        [0.004733, 0.691367, 0.303900],
    ],
}
# CIE76 ΔE: about 2 is just noticeable; 15 tells two areas of a plot apart at a glance.
DISTINCT = 15.0


def png_and_alt(value):
    """(PNG bytes, alt text) of the one ``<img>`` in an HTML string."""
    found = IMG.fullmatch(value)
    assert found, value[:200]
    return base64.b64decode(found.group(1)), html.unescape(found.group(2))


def closest_pair(colours, simulation):
    """The smallest CIELAB distance between two of the colours, as seen under a simulation."""
    rgb = np.asarray(colours, dtype=np.float64)
    linear = np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    seen = np.clip(linear @ np.asarray(simulation).T, 0, 1)
    xyz = (
        seen
        @ np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]]).T
    )
    xyz /= np.array([0.95047, 1.0, 1.08883])
    f = np.where(xyz > (6 / 29) ** 3, np.cbrt(xyz), xyz / (3 * (6 / 29) ** 2) + 4 / 29)
    lab = np.stack([116 * f[:, 1] - 16, 500 * (f[:, 0] - f[:, 1]), 200 * (f[:, 1] - f[:, 2])], 1)
    return min(np.linalg.norm(a - b) for a, b in itertools.combinations(lab, 2))


@pytest.mark.parametrize("kind", SIMULATIONS)
def test_every_class_count_stays_distinct_under_colour_blindness(kind):
    for k in range(2, 11):
        assert closest_pair(plots.class_colours(k), SIMULATIONS[kind]) >= DISTINCT, (kind, k)
    # The measure is not vacuous: tab10, the palette the course used before, fails it.
    tab10 = matplotlib.color_sequences["tab10"]
    assert closest_pair(tab10[:4], SIMULATIONS[kind]) < DISTINCT or kind == "tritanopia"


def test_class_colours_come_from_okabe_ito_then_petroff():
    okabe_ito = matplotlib.color_sequences["okabe_ito"]  # matplotlib 3.11's copy
    np.testing.assert_allclose(plots.OKABE_ITO, okabe_ito, atol=1e-12)
    assert plots.class_colours(3) == tuple(okabe_ito[1:4])
    assert plots.class_colours(8)[-1] == okabe_ito[0]
    assert plots.class_colours(10) == tuple(matplotlib.color_sequences["petroff10"])
    with pytest.raises(ValueError, match="at most 10 classes"):
        plots.class_colours(11)


def test_two_classes_differ_in_shape_and_lightness_not_hue():
    fig, ax = plt.subplots()
    X = np.array([[0.0, 0.0], [1.0, 1.0], [0.0, 1.0]])
    zeros, ones = plots.scatter_classes(ax, X, np.array([0, 1, 1]))
    np.testing.assert_array_equal(zeros.get_offsets(), [[0.0, 0.0]])
    np.testing.assert_array_equal(ones.get_offsets(), [[1.0, 1.0], [0.0, 1.0]])
    np.testing.assert_array_equal(zeros.get_facecolors(), [[1, 1, 1, 1]])  # white
    np.testing.assert_array_equal(zeros.get_edgecolors(), [[0, 0, 0, 1]])  # black edge
    np.testing.assert_array_equal(ones.get_facecolors(), [[0, 0, 0, 1]])  # filled black
    assert zeros.get_paths()[0] != ones.get_paths()[0], "the two classes share a marker shape"
    assert [text.get_text() for text in ax.get_legend().get_texts()] == ["class 0", "class 1"]
    plt.close(fig)


def test_k_classes_have_the_palette_a_shape_each_and_a_named_legend():
    fig, ax = plt.subplots()
    X = np.arange(8.0).reshape(4, 2)
    groups = plots.scatter_classes(ax, X, np.eye(4)[[0, 1, 2, 1]], names=list("abcd"))
    assert len(groups) == 4 and len(groups[3].get_offsets()) == 0  # class 3 has no point
    faces = [tuple(group.get_facecolors()[0][:3]) for group in groups]
    np.testing.assert_allclose(faces, plots.class_colours(4))
    shapes = {tuple(map(tuple, group.get_paths()[0].vertices.round(3))) for group in groups}
    assert len(shapes) == 4, "each class has its own marker shape"
    assert [text.get_text() for text in ax.get_legend().get_texts()] == list("abcd")
    with pytest.raises(ValueError, match=r"X of shape \(m, 2\) and m labels"):
        plots.scatter_classes(ax, X, np.array([0, 1]))
    with pytest.raises(ValueError, match="got 2 names for 4 classes"):
        plots.scatter_classes(ax, X, np.array([0, 1, 2, 3]), names=["a", "b"])
    with pytest.raises(ValueError, match="needs labels 0 to 2; got 0 to 3"):
        plots.scatter_classes(ax, X, np.array([0, 1, 2, 3]), k=3)
    plt.close(fig)


def test_decision_boundaries_use_the_course_palette():
    fig, (binary, multi) = plt.subplots(1, 2)
    X = np.array([[0.0, 0.0], [1.0, 0.0], [2.0, 0.0]])
    image = plots.plot_decision_boundary(binary, lambda P: P[:, 0] / 2, X, [0, 1, 1], 10)
    assert image.get_cmap() is plots.DIVERGING
    assert len(binary.collections) == 2, "the points are drawn by scatter_classes"
    image = plots.plot_decision_boundary(
        multi, lambda P: np.eye(3)[np.clip(P[:, 0].round().astype(int), 0, 2)], X, [0, 1, 2], 10
    )
    np.testing.assert_allclose(image.get_cmap().colors, plots.class_colours(3))
    assert image.get_clim() == (-0.5, 2.5)
    plt.close(fig)


def test_show_puts_the_figure_and_its_alt_text_into_one_html_output(monkeypatch):
    shown = []
    monkeypatch.setattr("IPython.display.display", lambda data, raw: shown.append((data, raw)))
    fig, ax = plt.subplots(figsize=(2, 2), dpi=40)
    ax.plot([0, 1], [0, 1])
    alt = 'A straight line from (0, 0) to (1, 1): "y = x" & nothing else.'
    assert notebook.show(fig, alt) is None
    assert not plt.fignum_exists(fig.number), "the cell would show the figure a second time"
    [(data, raw)] = shown
    assert raw is True and set(data) == {"text/html", "text/plain"}
    png, said = png_and_alt(data["text/html"])
    assert png.startswith(b"\x89PNG") and said == alt and data["text/plain"] == alt


@pytest.mark.parametrize("alt", ["", "  ", "Image", "figure.", None, 3])
def test_a_figure_without_a_meaningful_alt_is_refused(alt):
    fig, _ = plt.subplots()
    with pytest.raises(ValueError, match="needs a text alternative that says what it shows"):
        notebook.show(fig, alt)
    with pytest.raises(ValueError, match="needs a text alternative"):
        notebook.LiveFigure(fig, alt=alt) if alt is not None else notebook.figure_html(b"", alt)
    plt.close(fig)


def test_describe_reads_the_figure_labels():
    fig, (left, right) = plt.subplots(1, 2)
    fig.suptitle("Training")
    left.plot([1, 2], [3, 4], label="training loss")
    left.plot([1, 2], [4, 5], label="validation loss")
    left.set(title="loss", xlabel="epoch", ylabel="loss")
    left.legend()
    right.set_axis_off()
    assert notebook.describe(fig) == (
        'Figure with 2 panels, "Training". Panel 1, "loss": x axis epoch; y axis loss; '
        "legend: training loss, validation loss. Panel 2."
    )
    plt.close(fig)


def test_live_figure_renders_once_per_update_and_its_alt_follows_the_redraw():
    fig, ax = plt.subplots(figsize=(3, 2), dpi=50)
    (line,) = ax.plot([0, 1], [0, 0])
    ax.set_title("too tall to fit", fontsize=30)  # sticks out of the figure until laid out
    live = notebook.LiveFigure(fig, alt=lambda: f"a line from 0 to {line.get_ydata()[1]}")
    assert not plt.fignum_exists(fig.number), "the cell would show the figure a second time"
    assert live.widget.value == ""

    draws = []
    fig.canvas.mpl_connect("draw_event", draws.append)
    live.update()
    first, said = png_and_alt(live.widget.value)
    assert first.startswith(b"\x89PNG") and said == "a line from 0 to 0"
    assert ax.title.get_window_extent().y1 <= fig.bbox.y1, "laid out so that the title fits"
    line.set_ydata([0, 1])
    live.update()
    second, said = png_and_alt(live.widget.value)
    assert second.startswith(b"\x89PNG") and second != first
    assert said == "a line from 0 to 1", "the text alternative follows the redraw"
    assert len(draws) == 2, "one render per update"


def test_live_figure_alt_is_a_fixed_text_or_the_figure_labels():
    fig, ax = plt.subplots(figsize=(2, 2), dpi=30)
    ax.set(title="boundary", xlabel="x₁", ylabel="x₂")
    fixed = notebook.LiveFigure(fig, alt="The decision boundary over the plane.")
    fixed.update()
    assert png_and_alt(fixed.widget.value)[1] == "The decision boundary over the plane."
    labelled = notebook.LiveFigure(fig)
    labelled.update()
    assert png_and_alt(labelled.widget.value)[1] == (
        'Figure with 1 panel. Panel 1, "boundary": x axis x₁; y axis x₂.'
    )
