"""Lesson 08's early stopping: where training stops, and which epoch's weights it keeps.

The convention: an epoch improves when its validation loss is strictly below the best so far;
training stops at the epoch whose count of epochs without improvement reaches ``patience``;
epochs count from 0. The hidden curves are built so that each decision shows: a tie with the
best right after it (a loss equal to the best is not an improvement), and a lower loss after
the stop (which early stopping never sees).
"""

from __future__ import annotations

import numpy as np

from grader.checks import compare
from grader.exercise import Case, Exercise, register
from grader.kit import expect_scalar, expect_tuple
from nnlib.training import early_stopping_point

TIES = (
    "a loss equal to the best is not an improvement: keep the first epoch that reached the "
    "best, and count a tie as an epoch without improvement"
)


def _visible_curves() -> tuple[np.ndarray, np.ndarray]:
    """Validation loss reaches 0.70 at epoch 3, wobbles (a tie at epoch 5), dips lower too late."""
    train = np.array([1.00, 0.80, 0.66, 0.58, 0.52, 0.47, 0.43, 0.40, 0.37, 0.35, 0.33])
    val = np.array([1.05, 0.86, 0.76, 0.70, 0.72, 0.70, 0.74, 0.73, 0.75, 0.68, 0.71])
    return train, val


def _random_curves(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """A falling training curve and a noisy U-shaped validation curve of 8 to 40 epochs."""
    n = int(rng.integers(8, 41))
    t = np.arange(n)
    train = 0.2 + np.exp(-t / rng.uniform(3, 10)) + rng.normal(0, 0.01, n)
    turn = rng.uniform(0.2, 0.9) * n
    val = 0.4 + 0.3 * ((t - turn) / n) ** 2 + 0.5 * np.exp(-t / 4) + rng.normal(0, 0.02, n)
    # Rounded like a printed log, so that ties happen.
    return np.round(train, 2), np.round(val, 2)


def _with_tie_and_late_dip(train, val, patience: int):
    """The curves, changed so that the rules students confuse give other answers, while the
    right answer stays the same.

    - The epoch after the best (among the epochs run) gets the best loss again: a tie, which
      is not an improvement; a rule that counts ties moves its best epoch there.
    - Where patience allows, the two epochs after that go up, then down but not below the
      best: a drop from the previous epoch that is no improvement.
    - If patience never runs out, epochs above the best are added until it does.
    - After the stop: one more tie (a rule that counts ties keeps going from there), then
      `patience` epochs that fall but stay above the best (where that rule stops, and a rule
      that compares with the previous epoch does not), then `patience` rising epochs (where
      that one stops), then one epoch below the best, which only the whole curve's minimum
      would pick.
    Returns (train, val), float arrays of one length.
    """
    val = val.copy()
    best, stop = early_stopping_point(val, patience)
    if stop == len(val) - 1:
        val = np.concatenate([val, np.full(patience, val.max() + 0.01)])
        best, stop = early_stopping_point(val, patience)
    if best + 1 <= stop:
        val[best + 1] = val[best]
    if best + 3 <= stop:
        val[best + 2], val[best + 3] = val[best] + 0.03, val[best] + 0.01
    falling_above_best = val[best] + 0.01 * np.arange(patience, 0, -1)
    rising = val.max() + 0.01 * np.arange(1, patience + 1)
    after_stop = [val[best], *falling_above_best, *rising, val[best] - 0.05]
    val = np.concatenate([val[: stop + 1], after_stop, val[stop + 1 :]])
    falling = train[-1] - 0.01 * np.arange(1, len(val) - len(train) + 1)
    return np.concatenate([train, falling]), val


def stop_point_comparing_previous(val_loss, patience: int) -> tuple[int, int]:
    """The mistaken rule that compares each epoch with the one before it, not with the best.
    Same inputs and outputs as ``nnlib.training.early_stopping_point``."""
    best_epoch, waited = 0, 0
    for epoch in range(1, len(val_loss)):
        if val_loss[epoch] < val_loss[epoch - 1]:
            best_epoch, waited = epoch, 0
        else:
            waited += 1
            if waited == patience:
                return best_epoch, epoch
    return best_epoch, len(val_loss) - 1


def stop_point_counting_ties(val_loss, patience: int) -> tuple[int, int]:
    """The mistaken rule that counts a loss equal to the best as an improvement.

    Same inputs and outputs as ``nnlib.training.early_stopping_point``, which is the answer key.
    """
    best_epoch, waited = 0, 0
    for epoch in range(1, len(val_loss)):
        if val_loss[epoch] <= val_loss[best_epoch]:
            best_epoch, waited = epoch, 0
        else:
            waited += 1
            if waited == patience:
                return best_epoch, epoch
    return best_epoch, len(val_loss) - 1


@register
class EarlyStopping(Exercise):
    """early_stopping(train_loss, val_loss, patience) -> (best_epoch, stop_epoch)."""

    name = "early_stopping"
    reference = ("nnlib.training.early_stopping_point",)

    def cases(self, rng, hidden):
        if not hidden:
            train, val = _visible_curves()
            return [Case({"train_loss": train, "val_loss": val, "patience": 3}, label="patience 3")]
        cases = []
        for trial in range(6):
            # The first case waits at least 3 epochs, room for every trap described above.
            patience = int(rng.integers(3 if trial == 0 else 1, 6))
            train, val = _with_tie_and_late_dip(*_random_curves(rng), patience)
            cases.append(
                Case(
                    {"train_loss": train, "val_loss": val, "patience": patience},
                    label=f"{len(val)} epochs, patience {patience}",
                )
            )
        return cases

    def judge(self, case, outputs):
        __tracebackhide__ = True
        train, val, patience = case.inputs.values()
        best_epoch, stop_epoch = (
            expect_scalar(name, value)
            for name, value in zip(
                ("best_epoch", "stop_epoch"),
                expect_tuple(self.name, outputs, ("best_epoch", "stop_epoch")),
                strict=True,
            )
        )
        best, stop = early_stopping_point(val, patience)
        # What each mistaken rule returns, as a pair: a rule is named only when both numbers
        # are the ones it gives (None: any), so that two rules that agree on one number are
        # told apart.
        rules = {
            "this is the lowest loss of the whole curve; early stopping cannot see the "
            "epochs after it stops": (int(np.argmin(val)), None),
            "you watched the training loss; early stopping watches the validation loss": (
                early_stopping_point(train, patience)
            ),
            TIES: stop_point_counting_ties(val, patience),
            "each epoch was compared with the epoch before it; compare it with the best "
            "loss so far, which is what an improvement means here": stop_point_comparing_previous(
                val, patience
            ),
            "epochs are counted from 0 here, as Python indexes": (best + 1, stop + 1),
            "one epoch too late: stop_epoch is the index (from 0) of the epoch whose wait "
            "reaches patience, not the number of epochs run": (best, stop + 1),
        }
        if patience > 1:
            rules[
                "one epoch too early: stop when `patience` epochs in a row have not improved, "
                "not patience - 1"
            ] = (best, early_stopping_point(val, patience - 1)[1])
        got = (best_epoch, stop_epoch)
        fitting = [
            rule
            for rule, pair in rules.items()
            if all(want is None or want == have for want, have in zip(pair, got, strict=True))
        ]
        # Two rules that give the same pair here cannot be told apart: name both.
        fitting = {"; or ".join(fitting): got} if fitting else {}
        compare("best_epoch", best_epoch, best, mistakes={r: p[0] for r, p in fitting.items()})
        compare("stop_epoch", stop_epoch, stop, mistakes={r: p[1] for r, p in fitting.items()})
