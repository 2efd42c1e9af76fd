"""The results that the usual mistakes produce, so that a check can name the one a student made.

Every builder returns ``{diagnosis: result}``, ready for ``compare(..., mistakes=...)``:
``compare`` reports the first diagnosis whose result the student's answer matches. A result is
either the array the mistake would produce or, where the mistake cannot be reproduced exactly
(a freshly drawn dropout mask), a predicate ``result(actual) -> bool`` that recognises it.

Combine builders with ``|``:

    mistakes = bias_not_summed("db", dZ) | batch_scale("db", expected_db, m)

Each diagnosis is a sentence without a final full stop; it names the array and says what to do.
Builders use float64 and never warn: where a mistake overflows, so does its result, silently.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

Mistakes = dict[str, "np.ndarray | Callable[[np.ndarray], bool]"]


def _sigmoid(z: np.ndarray) -> np.ndarray:
    """σ(z) = 1 / (1 + exp(-z)) without overflow warnings. z: any shape; returns z's shape."""
    return np.exp(-np.logaddexp(0.0, -z))


def _times_upstream(local: np.ndarray, dA: np.ndarray | None) -> np.ndarray:
    """local * dA, or local itself when there is no upstream gradient (dA is None)."""
    return local if dA is None else local * dA


def flipped_sign(name: str, expected) -> Mistakes:
    """expected: the right answer, any shape. Returns {diagnosis: -expected}."""
    expected = np.asarray(expected, dtype=np.float64)
    return {f"{name} has the wrong sign everywhere: check the sign of each term": -expected}


def transposed(name: str, expected) -> Mistakes:
    """expected: the right answer, a matrix (a square one too: its transpose differs in
    values, and the mistake must be named on every case it is made on).
    Returns {diagnosis: expected.T}, or {} when expected is not a matrix."""
    expected = np.asarray(expected, dtype=np.float64)
    if expected.ndim != 2:
        return {}
    return {
        f"{name} looks transposed: its shape should be {expected.shape}; check the order of "
        "the factors in the product": expected.T
    }


def batch_scale(name: str, expected, m: int) -> Mistakes:
    """A cost averaged over the batch, or not.

    expected: the right answer, any shape, which includes one factor 1/m.
    m:        the number of examples in the batch.
    Returns the results of a missing 1/m (expected * m) and of an extra one (expected / m).
    """
    expected = np.asarray(expected, dtype=np.float64)
    if m == 1:
        return {}
    return {
        f"{name} is {m} times too large: the 1/m of the mean over the batch "
        f"(m = {m}) is missing": expected * m,
        f"{name} is {m} times too small: it is divided by m = {m} once too often": expected / m,
    }


def bias_not_summed(name: str, dZ) -> Mistakes:
    """The bias gradient of Z = XW + b is dZ summed over the batch (axis 0).

    dZ: the upstream gradient, shape (m, n_out).
    Returns the results of not summing (dZ itself) and of summing over the wrong axis.
    """
    dZ = np.asarray(dZ, dtype=np.float64)
    return {
        f"{name} was not summed over the batch: b is added to each of the m rows of Z, so "
        f"{name} = dZ summed over axis 0, shape {dZ.shape[1:]}": dZ,
        f"{name} was summed over the wrong axis: sum dZ over the examples (axis 0), which "
        f"gives one value per unit, shape {dZ.shape[1:]}": dZ.sum(axis=1),
    }


def missing_upstream(name: str, local) -> Mistakes:
    """local: the derivative of the layer alone, f'(Z), without the upstream factor dA.
    Returns {diagnosis: local}: the result of forgetting to multiply by dA."""
    return {
        f"{name} is the local derivative alone: multiply it by the upstream gradient dA "
        "(the chain rule)": np.asarray(local, dtype=np.float64)
    }


def sigmoid_derivative(name: str, Z, dA=None) -> Mistakes:
    """σ'(z) = σ(z)(1 − σ(z)), computed from the wrong quantity.

    Z:  the pre-activation, any shape.
    dA: the upstream gradient, Z's shape, for a backward pass; None for σ'(Z) alone.
    Returns the results of σ' applied to A = σ(Z), i.e. σ(σ(z))(1 − σ(σ(z))); of z(1 − z),
    the formula meant for A; and, when dA is given, of forgetting dA.
    """
    Z = np.asarray(Z, dtype=np.float64)
    A = _sigmoid(Z)
    twice = _sigmoid(A)
    found = {
        f"{name} applies σ' to A = σ(z) instead of to z, giving σ(σ(z))(1 − σ(σ(z))): "
        "use σ(z)(1 − σ(z)), which is A(1 − A)": _times_upstream(twice * (1 - twice), dA),
        f"{name} computes z(1 − z): that formula is for A = σ(z), not z; "
        "use A(1 − A) with A = σ(z)": _times_upstream(Z * (1 - Z), dA),
    }
    if dA is not None:
        found |= missing_upstream(name, A * (1 - A))
    return found


def relu_derivative(name: str, Z, dA=None) -> Mistakes:
    """ReLU'(z) is 1 where z > 0 and 0 elsewhere, taken on the wrong side.

    Z:  the pre-activation, any shape.
    dA: the upstream gradient, Z's shape, for a backward pass; None for ReLU'(Z) alone.
    Returns the results of using z < 0 and z <= 0, and, when dA is given, of forgetting dA.
    """
    Z = np.asarray(Z, dtype=np.float64)
    side = (
        "the ReLU derivative is taken on the wrong side: it is 1 where z > 0 and 0 where "
        "z <= 0, but {name} uses {test}"
    )
    found = {
        side.format(name=name, test="z < 0"): _times_upstream((Z < 0).astype(float), dA),
        side.format(name=name, test="z <= 0"): _times_upstream((Z <= 0).astype(float), dA),
    }
    if dA is not None:
        found |= missing_upstream(name, (Z > 0).astype(float))
    return found


def l2_gradient(name: str, data_gradient, W, lam: float) -> Mistakes:
    """The gradient of loss + λ Σ w² is data_gradient + 2λW.

    data_gradient: the loss's gradient with respect to W, W's shape.
    W:             the weights.  lam: λ.
    Returns the results of a missing factor 2 (+ λW) and of a missing penalty altogether.
    """
    data_gradient = np.asarray(data_gradient, dtype=np.float64)
    W = np.asarray(W, dtype=np.float64)
    return {
        f"{name} is missing the factor 2 of the L2 gradient: the derivative of λw² is 2λw, "
        "not λw": data_gradient + lam * W,
        f"{name} has no L2 term: add 2λW to the loss's gradient": data_gradient,
    }


def l2_on_bias(name: str, db, b, lam: float) -> Mistakes:
    """db: the right bias gradient (no penalty); b: the biases; lam: λ.
    Returns {diagnosis: db + 2λb}: the result of penalising the biases too."""
    db = np.asarray(db, dtype=np.float64)
    return {
        f"{name} includes an L2 term, but the penalty applies to the weights only, never the "
        "biases": db + 2 * lam * np.asarray(b, dtype=np.float64)
    }


def dropout_forward(name: str, X, keep, p: float) -> Mistakes:
    """Inverted dropout keeps a unit with probability 1 − p and scales it by 1/(1 − p).

    X:    the input, any shape.  keep: the boolean mask of kept units, X's shape.
    p:    the probability of dropping a unit.
    Returns the results of not rescaling, and of reading p as the probability of keeping.
    """
    X = np.asarray(X, dtype=np.float64)
    keep = np.asarray(keep, dtype=bool)
    return {
        f"{name} is not rescaled: inverted dropout divides the kept units by 1 − p "
        "so that the expected output equals the input": X * keep,
        f"{name} keeps units with probability p, but p is the probability of dropping one: "
        "keep where rng.random(X.shape) >= p": X * ~keep / (1 - p),
        f"{name} keeps units with probability p and divides by p, but p is the probability "
        "of dropping one: keep where rng.random(X.shape) >= p, divide by 1 − p": X * ~keep / p,
    }


def dropout_backward(name: str, dA, keep, p: float) -> Mistakes:
    """The backward pass of inverted dropout is dA * keep / (1 − p), with the forward mask.

    dA:   the upstream gradient, any shape.  keep: the forward pass's mask, dA's shape.
    p:    the probability of dropping a unit.
    Returns the result of not rescaling, and a predicate that recognises a new mask: a result
    that is dA / (1 − p) or 0 in every entry (as a mask gives), but zero where the forward
    pass kept a unit, or nonzero where it dropped one.
    """
    dA = np.asarray(dA, dtype=np.float64)
    keep = np.asarray(keep, dtype=bool)
    passes = keep & (dA != 0)

    def new_mask(actual: np.ndarray) -> bool:
        if actual.shape != dA.shape:
            return False
        masked = (actual == 0) | np.isclose(actual, dA / (1 - p), rtol=1e-6, atol=0.0)
        return bool(np.all(masked)) and bool(np.any((actual != 0) != passes))

    return {
        f"{name} is not rescaled: divide by 1 − p in the backward pass too": dA * keep,
        f"{name} is not zero exactly where the forward pass dropped units: reuse the forward "
        "pass's mask (from the cache) instead of drawing a new one": new_mask,
    }


def softmax(name: str, Z) -> Mistakes:
    """softmax over each row of Z, computed without subtracting the row maximum, or per column.

    Z: the scores, shape (m, n_classes).
    Returns the overflowing result (only when it overflows, i.e. is not finite) and the result
    of normalising over the wrong axis.
    """
    Z = np.asarray(Z, dtype=np.float64)
    with np.errstate(all="ignore"):
        naive = np.exp(Z) / np.exp(Z).sum(axis=1, keepdims=True)
        by_column = np.exp(Z - Z.max(axis=0, keepdims=True))
        per_column = by_column / by_column.sum(axis=0, keepdims=True)
    found = {}
    if not np.all(np.isfinite(naive)):
        found[
            f"{name} overflowed: exp(z) is inf for large z and inf/inf is nan; subtract each "
            "row's maximum from Z before exp (the result is the same, the numbers stay small)"
        ] = naive
    found[f"{name} is normalised over the wrong axis: each row (one example) must sum to 1"] = (
        per_column
    )
    return found


def cross_entropy_log0(name: str, A, Y, *, binary: bool = False) -> Mistakes:
    """A cross-entropy that takes log(0) when a predicted probability is exactly 0 or 1.

    A:      predicted probabilities, shape (m, n) (or (m,) for binary).
    Y:      targets of A's shape.  binary: True for binary cross-entropy.
    Returns {diagnosis: the naive mean cost}, only when that cost is not finite.
    """
    A = np.asarray(A, dtype=np.float64)
    Y = np.asarray(Y, dtype=np.float64)
    m = A.shape[0]
    with np.errstate(all="ignore"):
        if binary:
            naive = -np.sum(Y * np.log(A) + (1 - Y) * np.log(1 - A)) / m
        else:
            naive = -np.sum(Y * np.log(A)) / m
    if np.isfinite(naive):
        return {}
    return {
        f"{name} took log(0) = -inf (and 0 * log(0) is nan): a predicted probability is "
        "exactly 0 or 1; clip A to [ε, 1 − ε] before the log, or compute from the scores Z": naive
    }
