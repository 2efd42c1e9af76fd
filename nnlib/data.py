"""Data sets and pre-processing, all offline and seeded.

- ``truth_table``: the four rows of AND, OR, NAND or XOR.
- 2-D toy sets for decision boundaries: circles, moons, spirals, Gaussian blobs, XOR clouds.
  Each takes n points, a noise level (the standard deviation of Gaussian noise added to the
  points) and a seed, and returns X (n, 2) float64 and y (n,) int64, classes as balanced as n
  allows, rows in random order.
- ``load_digits``: scikit-learn's bundled 8×8 handwritten digits (no download).
- Splitting, one-hot encoding, min–max and z-score scaling, and noise augmentation.
"""

import numpy as np

from nnlib.errors import LabelError, ShapeError

_TRUTH_TABLES = {
    "and": [0, 0, 0, 1],
    "or": [0, 1, 1, 1],
    "nand": [1, 1, 1, 0],
    "xor": [0, 1, 1, 0],
}


def truth_table(name):
    """The truth table of a two-input logic gate.

    name: "and", "or", "nand" or "xor" (any case).
    Returns (X, y): X (4, 2) float64, rows (0,0), (0,1), (1,0), (1,1); y (4,) float64.
    """
    key = str(name).lower()
    if key not in _TRUTH_TABLES:
        raise ValueError(f"truth_table knows {sorted(_TRUTH_TABLES)}; got {name!r}.")
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float64)
    return X, np.array(_TRUTH_TABLES[key], dtype=np.float64)


def _class_sizes(n, k):
    """n split into k class sizes differing by at most one."""
    return [n // k + (1 if c < n % k else 0) for c in range(k)]


def _finish(parts, rng, noise):
    """Stack per-class point arrays, add N(0, noise²) to every coordinate, shuffle rows."""
    X = np.vstack(parts)
    y = np.concatenate([np.full(len(p), c, dtype=np.int64) for c, p in enumerate(parts)])
    X = X + rng.normal(0.0, noise, size=X.shape)
    order = rng.permutation(len(y))
    return X[order], y[order]


def make_circles(n=200, noise=0.05, factor=0.5, seed=0):
    """Two concentric circles: class 0 on radius 1, class 1 on radius ``factor``.

    Returns (X (n, 2) float64, y (n,) int64).
    """
    rng = np.random.default_rng(seed)
    parts = []
    for radius, size in zip((1.0, factor), _class_sizes(n, 2), strict=True):
        angle = rng.uniform(0, 2 * np.pi, size)
        parts.append(radius * np.column_stack([np.cos(angle), np.sin(angle)]))
    return _finish(parts, rng, noise)


def make_moons(n=200, noise=0.1, seed=0):
    """Two interleaving half circles: class 0 the upper arc, class 1 the lower one shifted by
    (1, -0.5).

    Returns (X (n, 2) float64, y (n,) int64).
    """
    rng = np.random.default_rng(seed)
    n0, n1 = _class_sizes(n, 2)
    a0, a1 = rng.uniform(0, np.pi, n0), rng.uniform(0, np.pi, n1)
    upper = np.column_stack([np.cos(a0), np.sin(a0)])
    lower = np.column_stack([1.0 - np.cos(a1), 0.5 - np.sin(a1)])
    return _finish([upper, lower], rng, noise)


def make_spirals(n=200, noise=0.1, classes=2, turns=1.0, seed=0):
    """``classes`` interleaved spiral arms from the origin out to radius 1.

    turns: how many times each arm winds around the origin.
    Returns (X (n, 2) float64, y (n,) int64 in [0, classes)).
    """
    rng = np.random.default_rng(seed)
    parts = []
    for c, size in enumerate(_class_sizes(n, classes)):
        r = rng.uniform(0.05, 1.0, size)
        angle = 2 * np.pi * (turns * r + c / classes)
        parts.append(r[:, None] * np.column_stack([np.cos(angle), np.sin(angle)]))
    return _finish(parts, rng, noise)


def make_blobs(n=200, noise=0.5, centers=2, seed=0):
    """Gaussian blobs of standard deviation ``noise`` around ``centers`` points.

    centers: the number of classes (their centres are evenly spaced on a circle of radius 2),
             or an array (k, 2) of the centres.
    Returns (X (n, 2) float64, y (n,) int64 in [0, k)).
    """
    rng = np.random.default_rng(seed)
    if np.ndim(centers) == 0:
        angle = 2 * np.pi * np.arange(int(centers)) / int(centers)
        centers = 2.0 * np.column_stack([np.cos(angle), np.sin(angle)])
    centers = np.asarray(centers, dtype=np.float64)
    parts = [
        np.tile(c, (size, 1))
        for c, size in zip(centers, _class_sizes(n, len(centers)), strict=True)
    ]
    return _finish(parts, rng, noise)


def make_xor(n=200, noise=0.2, seed=0):
    """XOR clouds: Gaussian clouds around the corners (±1, ±1); class 1 where exactly one
    coordinate of the corner is positive, as XOR of the signs.

    Returns (X (n, 2) float64, y (n,) int64).
    """
    rng = np.random.default_rng(seed)
    sizes = _class_sizes(n, 4)
    corners = [(-1, -1), (1, 1), (-1, 1), (1, -1)]  # the first two are class 0
    points = [np.tile(c, (s, 1)).astype(np.float64) for c, s in zip(corners, sizes, strict=True)]
    parts = [np.vstack(points[:2]), np.vstack(points[2:])]
    return _finish(parts, rng, noise)


def load_digits():
    """scikit-learn's bundled 8×8 handwritten digits (1797 images; no download needed).

    Returns (X, y): X (1797, 64) float64, pixel intensities in [0, 16], each row an image read
    row by row; y (1797,) int64, the digit 0–9.
    """
    from sklearn.datasets import load_digits as sklearn_digits

    X, y = sklearn_digits(return_X_y=True)
    return X.astype(np.float64), y.astype(np.int64)


def train_val_test_split(X, y, val=0.15, test=0.15, seed=0):
    """Shuffle and split into training, validation and test sets.

    X: (m, ...) examples.  y: (m, ...) targets.
    val, test: the fractions of m for validation and test (rounded to whole examples).
    Returns ((X_train, y_train), (X_val, y_val), (X_test, y_test)).
    """
    X, y = np.asarray(X), np.asarray(y)
    if len(X) != len(y):
        raise ShapeError(f"X has {len(X)} rows but y has {len(y)}; they must match.")
    if val < 0 or test < 0 or val + test >= 1:
        raise ValueError(
            f"val and test must be ≥ 0 and leave something to train on; got {val}, {test}."
        )
    m = len(X)
    n_val, n_test = round(m * val), round(m * test)
    order = np.random.default_rng(seed).permutation(m)
    test_idx, val_idx = order[:n_test], order[n_test : n_test + n_val]
    train_idx = order[n_test + n_val :]
    return (X[train_idx], y[train_idx]), (X[val_idx], y[val_idx]), (X[test_idx], y[test_idx])


def one_hot(y, k=None):
    """One-hot rows for integer labels.

    y: (m,) integer labels in [0, k).  k: the number of classes (default: max(y) + 1).
    Returns Y (m, k) float64 with Y[i, y[i]] = 1 and zeros elsewhere.
    """
    y = np.asarray(y)
    if y.ndim != 1:
        raise LabelError(f"one_hot needs integer labels of shape (m,); got shape {y.shape}.")
    if y.size and not np.all(y == np.round(y)):
        raise LabelError("one_hot needs integer labels; got non-integer values.")
    y = y.astype(np.int64)
    if k is None:
        k = int(y.max()) + 1 if y.size else 0
    if y.size and (y.min() < 0 or y.max() >= k):
        raise LabelError(
            f"one_hot labels must lie in [0, {k}); got values from {y.min()} to {y.max()}."
        )
    Y = np.zeros((y.size, k))
    Y[np.arange(y.size), y] = 1.0
    return Y


class _Scaler:
    """Shared fit/transform plumbing: subclasses set ``self.shift`` and ``self.scale`` in fit."""

    def fit(self, X):
        raise NotImplementedError

    def transform(self, X):
        """X: (m, n). Returns the scaled copy, (m, n) float64, using the statistics of fit."""
        if not hasattr(self, "scale"):
            raise RuntimeError(f"call {type(self).__name__}.fit on the training data first.")
        X = np.asarray(X, dtype=np.float64)
        if X.shape[1:] != self.scale.shape:
            raise ShapeError(
                f"{type(self).__name__} was fitted on {self.scale.shape[0]} columns; "
                f"got X of shape {X.shape}."
            )
        return (X - self.shift) / self.scale + self._offset

    def fit_transform(self, X):
        """fit(X), then transform(X)."""
        return self.fit(X).transform(X)


class MinMaxScaler(_Scaler):
    """Min–max scaling of each column to [low, high]: x' = low + (x - min)(high - low)/(max - min).

    Fit on the training set only, then transform every set with the same min and max.
    A constant column maps to ``low`` (no division by zero).
    """

    def __init__(self, low=0.0, high=1.0):
        if not high > low:
            raise ValueError(f"MinMaxScaler needs high > low; got low={low}, high={high}.")
        self.low, self.high = low, high
        self._offset = low

    def fit(self, X):
        """X: (m, n). Stores each column's min and range. Returns self."""
        X = np.asarray(X, dtype=np.float64)
        lo, hi = X.min(axis=0), X.max(axis=0)
        span = np.where(hi > lo, hi - lo, 1.0)
        self.shift = lo
        self.scale = span / (self.high - self.low)
        return self


# A column whose standard deviation is at most this fraction of its largest |x| is constant:
# the mean of m equal numbers can round, leaving a σ of about 1e-16·|x| instead of 0, and
# dividing that rounding noise by itself would give ±1 where the answer is 0.
CONSTANT_RTOL = 1e-9


class StandardScaler(_Scaler):
    """z-score scaling of each column: x' = (x - mean) / std.

    Fit on the training set only, then transform every set with the same mean and std.
    A constant column maps to exactly 0 (no division by zero). A column counts as constant
    when its std is at most CONSTANT_RTOL (1e-9) times its largest absolute value, so that
    the rounding of the mean of equal numbers cannot make it look otherwise.
    """

    _offset = 0.0

    def fit(self, X):
        """X: (m, n), m >= 1. Stores each column's mean and standard deviation. Returns self."""
        X = np.asarray(X, dtype=np.float64)
        if X.ndim != 2 or X.shape[0] == 0:
            raise ShapeError(
                f"StandardScaler.fit needs X of shape (m, n) with m >= 1; got {X.shape}."
            )
        std = X.std(axis=0)
        constant = std <= CONSTANT_RTOL * np.abs(X).max(axis=0)
        # A constant column is shifted by its own value, which is exact, not by its mean.
        self.shift = np.where(constant, X[0], X.mean(axis=0))
        self.scale = np.where(constant, 1.0, std)
        return self


def add_gaussian_noise(X, sigma, mu=0.0, seed=0):
    """Noise augmentation X' = X + N(μ, σ²), drawn independently for every element.

    X: array of any shape.  sigma: σ ≥ 0.  mu: μ.  seed: seeds the noise.
    Returns a new float64 array of X's shape.
    """
    if sigma < 0:
        raise ValueError(f"sigma is a standard deviation and must be ≥ 0; got {sigma}.")
    X = np.asarray(X, dtype=np.float64)
    return X + np.random.default_rng(seed).normal(mu, sigma, size=X.shape)
