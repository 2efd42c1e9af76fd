"""Lesson 06's softmax explorer, without its sliders: one example's logits, a true class and a
shift added to every logit, drawn as the probabilities a = softmax(z + shift), the loss
−log a_y and the gradient dZ = a − y of the fused softmax + cross-entropy.

- ``softmax_state(z, shift, true_class, softmax=..., fused=...)`` computes what is drawn, with
  any softmax and fused loss (the lesson passes the student's, with nnlib's as the fallback).
- ``SoftmaxFigure`` is the figure, built once and redrawn in place: ``draw(state, before)``
  updates the bars, outlining the probabilities ``before`` the last move.
- ``describe_change(before, after)`` says in words what the last move did, measured: raising
  one logit raises its probability and multiplies every other by one common factor below 1;
  a shift changes no probability and not the loss.

The lesson's sliders (ipywidgets) are built in the notebook; ``tests/exercises/
test_l06_claims.py`` sweeps their whole range through these functions.
"""

from dataclasses import dataclass

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import FixedFormatter

from nnlib.activations import softmax as nnlib_softmax
from nnlib.losses import softmax_cross_entropy
from nnlib.plots import OKABE_ITO

START = (7.0, 5.0, 2.0, -1.0, 3.0)  # the lecture notes' worked example
LOGIT_RANGE = (-10.0, 10.0, 0.5)  # each logit slider: min, max, step
SHIFT_RANGE = (-1000.0, 1000.0, 10.0)  # the shift slider: min, max, step


@dataclass(frozen=True)
class SoftmaxState:
    """What the explorer shows for one setting of its sliders.

    z: (k,) the logits as set, before the shift.  shift: the number added to every logit.
    true_class: the index of the example's class, 0..k-1.
    a: (k,) softmax(z + shift).  loss: the cross-entropy −log a[true_class], a float.
    dZ: (k,) the gradient of the loss with respect to the logits, a − y for one example.
    """

    z: np.ndarray
    shift: float
    true_class: int
    a: np.ndarray
    loss: float
    dZ: np.ndarray


def softmax_state(z, shift, true_class, softmax=nnlib_softmax, fused=softmax_cross_entropy):
    """The probabilities, loss and gradient for logits z + shift and one true class.

    z: (k,) logits.  shift: a number added to every logit.  true_class: an int in 0..k-1.
    softmax: a function (m, k) -> (m, k), row by row.
    fused:   a function (Z, Y) -> (J, dZ), the softmax + cross-entropy of a batch.
    Returns a SoftmaxState; the loss and dZ come from ``fused`` on a batch of one example.
    """
    z = np.asarray(z, dtype=np.float64)
    if not 0 <= true_class < z.size:
        raise ValueError(f"true_class must be one of 0..{z.size - 1}, got {true_class}")
    Z = (z + shift)[None, :]
    Y = np.eye(z.size)[[true_class]]
    J, dZ = fused(Z, Y)
    return SoftmaxState(
        z=z,
        shift=float(shift),
        true_class=int(true_class),
        a=np.asarray(softmax(Z), dtype=np.float64)[0],
        loss=float(np.squeeze(J)),
        dZ=np.asarray(dZ, dtype=np.float64).reshape(-1),
    )


def common_factor(before, after, moved):
    """The factor by which every probability but ``moved``'s changed, or None when the
    factors differ (by more than 1e-9 of their size) or are not finite.

    before, after: SoftmaxStates with the same k.  moved: the index of the logit that moved.
    """
    others = np.arange(before.a.size) != moved
    with np.errstate(all="ignore"):
        ratios = after.a[others] / before.a[others]
    if not np.all(np.isfinite(ratios)) or np.ptp(ratios) > 1e-9 * np.max(np.abs(ratios)):
        return None
    return float(np.mean(ratios))


def describe_change(before, after):
    """One sentence on what the move from ``before`` to ``after`` did, from the numbers.

    before, after: SoftmaxStates differing in one logit, the shift, or the true class (or not
    at all). Returns a str.
    """
    moved = np.flatnonzero(after.z != before.z)
    if moved.size == 1:
        j = int(moved[0])
        factor = common_factor(before, after, j)
        verb = "raised" if after.z[j] > before.z[j] else "lowered"
        others = (
            f"every other probability was multiplied by {factor:.4f}"
            if factor is not None
            else "the other probabilities did not all change by one factor"
        )
        return (
            f"Your last move {verb} z{j} from {before.z[j]:g} to {after.z[j]:g}: a{j} went from "
            f"{before.a[j]:.4f} to {after.a[j]:.4f}, {others}, and the loss went from "
            f"{before.loss:.4f} to {after.loss:.4f}."
        )
    if after.shift != before.shift:
        largest = float(np.max(np.abs(after.a - before.a)))
        same = "no probability changed" if largest == 0 else f"probabilities moved by {largest:.1e}"
        return (
            f"Your last move shifted every logit by {after.shift:g} instead of "
            f"{before.shift:g}: {same}, and the loss went from {before.loss:.4f} to "
            f"{after.loss:.4f}."
        )
    if after.true_class != before.true_class:
        return (
            f"Your last move made class {after.true_class} the true class: the probabilities "
            f"stay as they were, and the loss is now −log a{after.true_class} = {after.loss:.4f}."
        )
    return "Move a slider: the outlines keep the probabilities from before your last move."


def describe_state(state):
    """What the figure shows for ``state``, in words: the probabilities, the loss and dZ.

    state: a SoftmaxState. Returns a str.
    """

    def row(values):
        return "[" + ", ".join(f"{v:.4f}" for v in values) + "]"

    y = state.true_class
    return (
        f"Left: the probabilities of the {state.a.size} classes, softmax of the logits "
        f"[{', '.join(f'{v:g}' for v in state.z)}] plus a shift of {state.shift:g}: "
        f"{row(state.a)}, summing to {np.sum(state.a):.4f}. The true class is {y}, with "
        f"probability {state.a[y]:.4f}, so the loss −log a{y} is {state.loss:.4f}. Right: "
        f"dZ = a − y = {row(state.dZ)}, summing to {np.sum(state.dZ):.1e}."
    )


class SoftmaxFigure:
    """The explorer's figure for k classes: probabilities on the left, dZ = a − y on the right.

    Built once; ``draw`` changes bar heights, labels and titles only, so that a redraw is one
    render. Attributes: figure (a matplotlib Figure without a layout engine, for
    ``nnlib.notebook.LiveFigure``).
    """

    def __init__(self, k=5):
        fig, (self.ax_a, self.ax_dz) = plt.subplots(1, 2, figsize=(9, 3.4))
        self.figure = fig
        classes = np.arange(k)
        colour, true_colour = OKABE_ITO[2], OKABE_ITO[1]  # sky blue; the true class orange
        self.colours = (colour, true_colour)
        self.bars_a = self.ax_a.bar(classes, np.zeros(k), color=colour, edgecolor="black")
        self.outline = self.ax_a.bar(
            classes, np.zeros(k), fill=False, edgecolor="0.3", linestyle="--", linewidth=1.2
        )
        self.labels = [self.ax_a.text(c, 0, "", ha="center", va="bottom") for c in classes]
        self.ax_a.set(ylim=(0, 1.12), xticks=classes, yticks=(0, 0.5, 1), ylabel="probability a")
        self.ax_a.tick_params(axis="x", labelsize=8)
        self.bars_dz = self.ax_dz.bar(classes, np.zeros(k), color=colour, edgecolor="black")
        self.ax_dz.axhline(0, color="grey", linewidth=0.6)
        self.ax_dz.set(ylim=(-1.05, 1.05), xticks=classes, yticks=(-1, 0, 1), ylabel="dZ = a − y")
        self.ax_dz.tick_params(axis="x", labelsize=8)

    def draw(self, state, before):
        """Show ``state``, with dashed outlines at the probabilities of ``before``.

        state, before: SoftmaxStates with this figure's k.
        """
        y = state.true_class
        for c, (bar, ghost, label, bar_dz) in enumerate(
            zip(self.bars_a, self.outline, self.labels, self.bars_dz, strict=True)
        ):
            colour = self.colours[c == y]
            hatch = "//" if c == y else None
            bar.set_height(state.a[c])
            bar.set_facecolor(colour)
            bar.set_hatch(hatch)
            ghost.set_height(before.a[c])
            label.set_text(f"{state.a[c]:.3f}")
            label.set_y(max(state.a[c], before.a[c]) + 0.01)
            bar_dz.set_height(state.dZ[c])
            bar_dz.set_facecolor(colour)
            bar_dz.set_hatch(hatch)
        ticks = [f"z{c} = {v:g}" + (" (true)" if c == y else "") for c, v in enumerate(state.z)]
        for ax in (self.ax_a, self.ax_dz):
            ax.xaxis.set_major_formatter(FixedFormatter(ticks))
        shift = f"z {'−' if state.shift < 0 else '+'} {abs(state.shift):g}"
        self.ax_a.set_title(f"a = softmax({shift}); dashed: before the last move")
        self.ax_dz.set_title(f"loss −log a{y} = {state.loss:.3f}; dZ = a − y sums to 0")
