"""The line that separates two classes of points in the plane with the widest margin.

A line with unit normal u and offset c splits the plane into u·x + c ≥ 0 and < 0. Its margin on
labelled points is the smallest distance from the line to a point, counted negative for a point
on the wrong side. For a few points (the four corners of a truth table, seen by a hidden layer)
trying every direction u on a fine grid of angles is exact enough and instant.
"""

import numpy as np

from nnlib.errors import LabelError, ShapeError


def widest_margin_line(X, y, angles=1440):
    """The separating line with the widest margin between the classes of 2-D points.

    X: points, shape (m, 2); y: labels, shape (m,), 0 or 1, both present.
    angles: how many directions of the normal to try, evenly spread over the circle.
    Returns (w, margin): w = [w1, w2, w0] with (w1, w2) a unit vector, so that the points of
    class 1 have w1 x1 + w2 x2 + w0 > 0, with the line midway between the classes; margin, the
    distance from the line to the nearest point. margin <= 0 means no line separates them.
    """
    X, y = np.asarray(X, dtype=np.float64), np.asarray(y)
    if X.ndim != 2 or X.shape[1] != 2 or y.shape != (X.shape[0],):
        raise ShapeError(f"need points X (m, 2) and labels y (m,); got X {X.shape}, y {y.shape}")
    if not (np.any(y == 1) and np.any(y == 0)) or np.any((y != 0) & (y != 1)):
        raise LabelError("need labels 0 and 1, with at least one point of each class")
    theta = np.linspace(0.0, 2 * np.pi, angles, endpoint=False)
    normals = np.column_stack([np.cos(theta), np.sin(theta)])  # (angles, 2)
    along = normals @ X.T  # (angles, m): each point's position along each normal
    low_ones = along[:, y == 1].min(axis=1)
    high_zeros = along[:, y == 0].max(axis=1)
    best = int(np.argmax(low_ones - high_zeros))
    margin = (low_ones[best] - high_zeros[best]) / 2
    offset = -(low_ones[best] + high_zeros[best]) / 2
    return np.array([*normals[best], offset]), float(margin)
