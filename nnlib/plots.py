"""Figures the lessons redraw on every slider move: a decision boundary, loss curves, and
first-layer weights as images. Each draws on axes the caller owns and returns quickly.
"""

import numpy as np

from nnlib.metrics import to_labels


def plot_decision_boundary(ax, predict, X, y, resolution=200):
    """A heatmap of the predicted probability over the plane, with the points on top.

    ax:         a matplotlib Axes.
    predict:    a function from points (N, 2) to probabilities: (N,) or (N, 1) for class 1,
                or (N, k) for k classes (then the heatmap shows the predicted class).
    X:          (m, 2) points.  y: (m,) integer labels (or one-hot rows), for the colours.
    resolution: grid points along each axis.
    Returns the image artist of the heatmap.
    """
    X = np.asarray(X, dtype=np.float64)
    labels = to_labels(y)
    pad = 0.1 * (X.max(axis=0) - X.min(axis=0)) + 1e-3
    (x0, y0), (x1, y1) = X.min(axis=0) - pad, X.max(axis=0) + pad
    values, multiclass = _heat(predict, (x0, x1, y0, y1), resolution)
    if multiclass:
        cmap, vmin, vmax = "tab10", -0.5, 9.5
    else:
        cmap, vmin, vmax = "RdBu_r", 0.0, 1.0
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
    point_colours = labels if multiclass else np.where(labels == 1, 1.0, 0.0)
    ax.scatter(
        X[:, 0],
        X[:, 1],
        c=point_colours,
        cmap=cmap,
        vmin=vmin,
        vmax=vmax,
        edgecolors="k",
        linewidths=0.5,
        s=18,
    )
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
    (values (resolution, resolution), multiclass)."""
    x0, x1, y0, y1 = extent
    gx, gy = np.meshgrid(np.linspace(x0, x1, resolution), np.linspace(y0, y1, resolution))
    out = np.asarray(predict(np.column_stack([gx.ravel(), gy.ravel()])), dtype=np.float64)
    multiclass = out.ndim == 2 and out.shape[1] > 1
    values = out.argmax(axis=1) if multiclass else out.reshape(-1)
    return values.reshape(resolution, resolution), multiclass


def plot_history(ax, history):
    """Training and validation loss per epoch, with the best epoch marked.

    ax: a matplotlib Axes.  history: a ``nnlib.training.History``.
    """
    epochs = np.arange(1, history.epochs + 1)
    ax.plot(epochs, history.train_loss, label="training loss")
    if history.val_loss:
        ax.plot(epochs[: len(history.val_loss)], history.val_loss, label="validation loss")
    if history.best_epoch is not None:
        ax.axvline(history.best_epoch + 1, color="grey", linestyle=":", label="best epoch")
    ax.set_xlabel("epoch")
    ax.set_ylabel("loss")
    ax.legend()


def show_weight_images(axes, W, shape=(8, 8)):
    """Each hidden unit's incoming weights drawn as an image (blue negative, red positive).

    axes:  an array of matplotlib Axes; unit j goes on axes.flat[j] (extra axes are blanked).
    W:     (n_in, n_units) first-layer weights, n_in = shape[0] * shape[1].
    shape: the image shape of one input.
    """
    W = np.asarray(W, dtype=np.float64)
    limit = np.abs(W).max() or 1.0
    for j, ax in enumerate(np.ravel(axes)):
        ax.set_axis_off()
        if j < W.shape[1]:
            ax.imshow(W[:, j].reshape(shape), cmap="RdBu_r", vmin=-limit, vmax=limit)
