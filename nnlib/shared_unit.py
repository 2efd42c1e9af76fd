"""A unit that feeds several others: the chain rule summed over every road to the loss.

The smallest graph where it matters: inputs x (n,) feed one hidden sigmoid unit,

    e_h = w_in · x,        f_h = σ(e_h),

and f_h feeds K sigmoid output units, each through its own weight,

    e_k = w_out[k] f_h,    f_k = σ(e_k),    loss = ½ Σ_k (y_k − f_k)².

No biases, as in the small network of the lecture notes. δ is the course's convention, the
derivative of the loss with respect to a unit's OUTPUT: δ_k = ∂loss/∂f_k, δ_h = ∂loss/∂f_h.
(Nielsen's δ is the derivative with respect to the weighted input e instead: δ f'(e) here.)
"""

from dataclasses import dataclass

import numpy as np

from nnlib.activations import sigmoid
from nnlib.errors import ShapeError


@dataclass
class SharedUnitValues:
    """Every value of the forward pass: e_h, f_h numbers; e_out, f_out (K,); loss a number."""

    e_h: float
    f_h: float
    e_out: np.ndarray
    f_out: np.ndarray
    loss: float


def _inputs(x, w_in, w_out, y):
    """The four arguments as float64 arrays, with shapes checked: x, w_in (n,); w_out, y (K,)."""
    x, w_in, w_out, y = (np.asarray(v, dtype=np.float64) for v in (x, w_in, w_out, y))
    if x.ndim != 1 or x.shape != w_in.shape:
        raise ShapeError(f"x {x.shape} and w_in {w_in.shape} must be vectors of one length n")
    if w_out.ndim != 1 or w_out.shape != y.shape:
        raise ShapeError(f"w_out {w_out.shape} and y {y.shape} must be vectors of one length K")
    return x, w_in, w_out, y


def shared_unit_forward(x, w_in, w_out, y):
    """The forward pass of the graph above.

    x: inputs (n,); w_in: input-to-hidden weights (n,); w_out: hidden-to-output weights (K,);
    y: the K targets (K,).
    Returns a SharedUnitValues.
    """
    x, w_in, w_out, y = _inputs(x, w_in, w_out, y)
    e_h = float(w_in @ x)
    f_h = float(sigmoid(e_h))
    e_out = w_out * f_h
    f_out = sigmoid(e_out)
    return SharedUnitValues(e_h, f_h, e_out, f_out, float(0.5 * np.sum((y - f_out) ** 2)))


def shared_unit_roads(x, w_in, w_out, y):
    """The forward pass, and the gradient that comes back along each of the K roads.

    Arguments as ``shared_unit_forward``.
    Returns (values, dloss_de_out, roads):
    - values: the SharedUnitValues of the forward pass;
    - dloss_de_out: ∂loss/∂e_k for each output, (K,): δ_k σ'(e_k), with δ_k = f_k − y_k;
    - roads: what each road contributes to δ_h, (K,): ∂loss/∂e_k · w_out[k].
    """
    v = shared_unit_forward(x, w_in, w_out, y)
    y, w_out = np.asarray(y, dtype=np.float64), np.asarray(w_out, dtype=np.float64)
    dloss_de_out = (v.f_out - y) * v.f_out * (1.0 - v.f_out)  # the ½ cancels the 2 of the square
    return v, dloss_de_out, dloss_de_out * w_out


def shared_unit_backward(x, w_in, w_out, y):
    """The backward pass: the hidden unit's δ, summed over its K roads, and every gradient.

    Arguments as ``shared_unit_forward``.
    Returns (delta_h, dw_in, dw_out):
    - delta_h: ∂loss/∂f_h, a number: Σ_k δ_k σ'(e_k) w_out[k], one term per output it feeds;
    - dw_in:   ∂loss/∂w_in, (n,): δ_h σ'(e_h) x;
    - dw_out:  ∂loss/∂w_out, (K,): δ_k σ'(e_k) f_h.
    """
    x = np.asarray(x, dtype=np.float64)
    v, dloss_de_out, roads = shared_unit_roads(x, w_in, w_out, y)
    delta_h = float(np.sum(roads))
    return delta_h, delta_h * v.f_h * (1.0 - v.f_h) * x, dloss_de_out * v.f_h
