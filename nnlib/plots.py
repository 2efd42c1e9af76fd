"""Figures the lessons draw, in one colour-blind-safe look: a decision boundary, class labels
as points, loss curves, and first-layer weights as images. Each draws on axes the caller owns
and returns quickly, so that the lessons can redraw them on every slider move.

The course's colours come from the Okabe-Ito palette, which people with any common form of
colour blindness can tell apart. Colour never carries a class alone: every class also has
its own marker shape, and the legend names it. Two-class points are black (class 1) and
white with a black edge (class 0), so they read the same in grey print.
"""

import matplotlib
import numpy as np
from matplotlib.colors import LinearSegmentedColormap, ListedColormap, to_rgb

from nnlib.metrics import to_labels

# Okabe and Ito's eight colours: black, orange, sky blue, bluish green, yellow, blue,
# vermillion, reddish purple. matplotlib ships them as "okabe_ito" from 3.11 on; Colab's 3.10
# does not, so they are written out here.
OKABE_ITO = tuple(
    to_rgb(code)
    for code in (
        "#000000",
        "#E69F00",
        "#56B4E9",
        "#009E73",
        "#F0E442",
        "#0072B2",
        "#D55E00",
        "#CC79A7",
    )
)
# Class colours: the seven colours first, black last (it hides the points drawn on it).
CLASS_COLOURS = OKABE_ITO[1:] + OKABE_ITO[:1]
# Beyond eight classes, Petroff's ten colours (also chosen to be colour-blind safe; in
# matplotlib since 3.10).
MANY_CLASS_COLOURS = tuple(matplotlib.color_sequences["petroff10"])
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*", "p", "h")
# Two classes: shape and lightness tell them apart, without any hue.
BINARY_STYLE = (
    {"marker": "o", "facecolors": "white", "edgecolors": "black"},  # class 0
    {"marker": "s", "facecolors": "black", "edgecolors": "black"},  # class 1
)
# Values either side of a midpoint (probabilities, signed weights): Okabe-Ito blue for low,
# white in the middle, vermillion for high.
DIVERGING = LinearSegmentedColormap.from_list(
    "course_diverging", [OKABE_ITO[5], (1.0, 1.0, 1.0), OKABE_ITO[6]]
)


def class_colours(k):
    """The colours of k classes: Okabe-Ito up to 8 classes, Petroff's ten up to 10.

    k: the number of classes, 1 to 10.
    Returns a tuple of k RGB tuples; class i has colour i.
    """
    if not 1 <= k <= len(MARKERS):
        raise ValueError(
            f"the course's figures tell at most {len(MARKERS)} classes apart by colour and "
            f"shape; got {k} classes. Plot a subset of the classes."
        )
    return (CLASS_COLOURS if k <= len(CLASS_COLOURS) else MANY_CLASS_COLOURS)[:k]


def scatter_classes(ax, X, y, names=None, k=None, size=30, legend=True):
    """Points coloured and shaped by class, with a legend: the course's one way to show labels.

    ax:     a matplotlib Axes.
    X:      (m, 2) points.
    y:      (m,) integer labels, or one-hot rows / probabilities (m, k).
    names:  what to call each class in the legend (default "class 0", "class 1", ...).
    k:      the number of classes (default: the largest label + 1, and at least 2).
    size:   the marker area in points².
    legend: whether to add the legend.
    Returns the list of k PathCollections, one per class (a class with no points has one too,
    so that the legend always lists every class).
    """
    X = np.asarray(X, dtype=np.float64)
    labels = to_labels(y)
    if X.ndim != 2 or X.shape[1] != 2 or X.shape[0] != labels.shape[0]:
        raise ValueError(
            f"scatter_classes needs points X of shape (m, 2) and m labels; got X {X.shape} "
            f"and {labels.shape[0]} labels."
        )
    if k is None:
        y = np.asarray(y)
        k = y.shape[1] if y.ndim == 2 and y.shape[1] > 1 else max(2, int(labels.max(initial=0)) + 1)
    if labels.min(initial=0) < 0 or labels.max(initial=0) >= k:
        raise ValueError(
            f"scatter_classes needs labels 0 to {k - 1}; got {labels.min()} to {labels.max()}."
        )
    names = names or [f"class {c}" for c in range(k)]
    if len(names) != k:
        raise ValueError(f"scatter_classes got {len(names)} names for {k} classes.")
    if k == 2:
        styles = BINARY_STYLE
    else:
        styles = [
            {"marker": marker, "facecolors": [colour], "edgecolors": "black"}
            for marker, colour in zip(MARKERS, class_colours(k), strict=False)
        ]
    groups = [
        ax.scatter(*X[labels == c].T, s=size, linewidths=0.8, label=names[c], zorder=3, **style)
        for c, style in enumerate(styles)
    ]
    if legend:
        ax.legend(handles=groups, loc="best", fontsize="small", framealpha=0.8)
    return groups


def plot_decision_boundary(ax, predict, X, y, resolution=200):
    """A heatmap of the prediction over the plane, with the points on top (``scatter_classes``).

    ax:         a matplotlib Axes.
    predict:    a function from points (N, 2) to probabilities: (N,) or (N, 1) for class 1
                (the heatmap shows P(class 1), blue to vermillion), or (N, k) for k classes
                (the heatmap shows the predicted class in the class colours).
    X:          (m, 2) points.  y: (m,) integer labels (or one-hot rows).
    resolution: grid points along each axis.
    Returns the image artist of the heatmap.
    """
    X = np.asarray(X, dtype=np.float64)
    labels = to_labels(y)
    pad = 0.1 * (X.max(axis=0) - X.min(axis=0)) + 1e-3
    (x0, y0), (x1, y1) = X.min(axis=0) - pad, X.max(axis=0) + pad
    values, classes = _heat(predict, (x0, x1, y0, y1), resolution)
    if classes > 1:
        k = max(classes, int(labels.max()) + 1)
        cmap, vmin, vmax = ListedColormap(class_colours(k)), -0.5, k - 0.5
    else:
        k, cmap, vmin, vmax = 2, DIVERGING, 0.0, 1.0
    image = ax.imshow(
        values,
        origin="lower",
        extent=(x0, x1, y0, y1),
        cmap=cmap,
        vmin=vmin,
        vmax=vmax,
        alpha=0.6,
        aspect="auto",
        interpolation="nearest",
    )
    scatter_classes(ax, X, labels, k=k, size=18)
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    return image


def update_decision_boundary(image, predict):
    """Redraw, for a new predictor, a heatmap that ``plot_decision_boundary`` made: the same
    grid, the same points. Cheaper than drawing the axes again when a slider moves.

    image:   the artist that ``plot_decision_boundary`` returned.
    predict: as there, with the same kind of output (binary or k classes).
    """
    resolution = image.get_array().shape[0]
    values, _ = _heat(predict, image.get_extent(), resolution)
    image.set_data(values)


def _heat(predict, extent, resolution):
    """The heatmap's values on a resolution × resolution grid over extent (x0, x1, y0, y1):
    P(class 1), or the predicted class when predict gives k > 1 columns. Returns
    (values (resolution, resolution), k), with k = 1 for a probability of class 1."""
    x0, x1, y0, y1 = extent
    gx, gy = np.meshgrid(np.linspace(x0, x1, resolution), np.linspace(y0, y1, resolution))
    out = np.asarray(predict(np.column_stack([gx.ravel(), gy.ravel()])), dtype=np.float64)
    classes = out.shape[1] if out.ndim == 2 else 1
    values = out.argmax(axis=1) if classes > 1 else out.reshape(-1)
    return values.reshape(resolution, resolution), classes


def plot_history(ax, history):
    """Training and validation loss per epoch, with the best epoch marked. The two curves
    differ in line style as well as colour.

    ax: a matplotlib Axes.  history: a ``nnlib.training.History``.
    """
    epochs = np.arange(1, history.epochs + 1)
    ax.plot(epochs, history.train_loss, color=CLASS_COLOURS[4], label="training loss")
    if history.val_loss:
        ax.plot(
            epochs[: len(history.val_loss)],
            history.val_loss,
            color=CLASS_COLOURS[5],
            linestyle="--",
            label="validation loss",
        )
    if history.best_epoch is not None:
        ax.axvline(history.best_epoch + 1, color="grey", linestyle=":", label="best epoch")
    ax.set_xlabel("epoch")
    ax.set_ylabel("loss")
    ax.legend()


def show_weight_images(axes, W, shape=(8, 8)):
    """Each hidden unit's incoming weights drawn as an image (blue negative, white zero,
    vermillion positive).

    axes:  an array of matplotlib Axes; unit j goes on axes.flat[j] (extra axes are blanked).
    W:     (n_in, n_units) first-layer weights, n_in = shape[0] * shape[1].
    shape: the image shape of one input.
    """
    W = np.asarray(W, dtype=np.float64)
    limit = np.abs(W).max() or 1.0
    for j, ax in enumerate(np.ravel(axes)):
        ax.set_axis_off()
        if j < W.shape[1]:
            ax.imshow(W[:, j].reshape(shape), cmap=DIVERGING, vmin=-limit, vmax=limit)
