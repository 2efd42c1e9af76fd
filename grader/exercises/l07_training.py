"""Lesson 07, training: the mini-batch iterator and one epoch of mini-batch gradient descent.

The conventions the exercises state, and the checks hold the student to:
- mini-batches: one ``order = rng.permutation(m)`` per epoch, then consecutive slices
  ``order[0:B], order[B:2B], ...``; the last batch is smaller when B does not divide m;
- one epoch: for each batch, forward, loss, backward, then ``value -= lr * grad`` for every
  parameter; return the batch costs in order.

Lesson 07's other exercises, learning-rate decay and scaling, are in l07_schedule_and_scaling.
"""

from __future__ import annotations

import numpy as np

from grader.checks import CheckFailed, failure
from grader.exercise import Case, Exercise, register
from nnlib.training import minibatches

# ---------------------------------------------------------------- the mini-batch iterator


def batch_size_for(rng, m: int, trial: int, largest: int | None = None) -> int:
    """A batch size for m >= 4 examples: in trial 0 one that divides m, in trial 1 one that
    does not (so the last batch is smaller), later any from 1 to ``largest`` (default m)."""
    if trial == 0:
        choices = [b for b in range(2, m) if m % b == 0] or [1]
    elif trial == 1:
        choices = [b for b in range(2, m) if m % b]
    else:
        choices = list(range(1, (largest or m) + 1))
    return int(rng.choice(choices))


def _epochs_of(fn, m, batch_size, seed, n_epochs=2):
    """The batches the student's iterator yields in ``n_epochs`` calls sharing one generator.

    Returns a list (one per epoch) of lists of int arrays.
    """
    rng = np.random.default_rng(seed)
    return [[np.asarray(batch) for batch in fn(m, batch_size, rng)] for _ in range(n_epochs)]


def _same(batches, others) -> bool:
    """True when two lists of index batches are equal, batch by batch."""
    return len(batches) == len(others) and all(
        np.array_equal(a, b) for a, b in zip(batches, others, strict=True)
    )


def _describe(batches) -> str:
    """'[3 1 2] [0 4]': the batches as a student would print them."""
    return " ".join(np.array2string(np.asarray(batch)) for batch in batches)


def _judge_epoch(epoch: int, got: list, expected: list, m: int, batch_size: int) -> None:
    """Say what is wrong with one epoch's batches, most telling problem first."""
    __tracebackhide__ = True
    where = f"epoch {epoch + 1}"
    sizes = [int(np.size(batch)) for batch in got]
    expected_sizes = [len(batch) for batch in expected]
    flat = np.concatenate([np.ravel(batch) for batch in got]) if got else np.array([], int)
    if flat.size and not np.all(np.equal(np.mod(flat, 1), 0)):
        raise CheckFailed(f"{where}: the batches should hold integer indices, got {flat[:5]}.")
    flat = flat.astype(np.int64)
    counts = np.bincount(flat[(flat >= 0) & (flat < m)], minlength=m)
    missing = np.flatnonzero(counts == 0)
    repeated = np.flatnonzero(counts > 1)
    if np.any((flat < 0) | (flat >= m)):
        raise CheckFailed(f"{where}: indices must lie in 0..{m - 1}; got {_describe(got)}.")
    if repeated.size:
        raise failure(
            f"{where}: index {repeated[0]} appears {counts[repeated[0]]} times; every example "
            "must appear exactly once per epoch.",
            "indices were drawn with replacement: draw one permutation (rng.permutation(m)), "
            "not random indices (rng.integers, rng.choice)",
        )
    if missing.size:
        raise failure(
            f"{where}: example(s) {missing.tolist()} never appear; every example must appear "
            f"once per epoch.\n  Your batches: {_describe(got)}",
            "the last, smaller batch was dropped: keep it, even if it has fewer examples"
            if sizes == expected_sizes[:-1]
            else None,
        )
    if sizes != expected_sizes:
        if len(sizes) == batch_size != len(expected_sizes):
            raise failure(
                f"{where}: {len(sizes)} batches of sizes {sizes}; expected sizes {expected_sizes}.",
                "batch_size is the number of examples per batch, not the number of batches",
            )
        raise CheckFailed(
            f"{where}: batch sizes {sizes}, expected {expected_sizes} for m={m} and "
            f"batch_size={batch_size}: consecutive slices of batch_size, the last one smaller "
            "if batch_size does not divide m."
        )
    expected_flat = np.concatenate(expected)
    if np.array_equal(flat, np.arange(m)) and not np.array_equal(expected_flat, flat):
        raise failure(
            f"{where}: the batches are in the original order 0, 1, 2, ...",
            "the examples were not shuffled: shuffle first, with order = rng.permutation(m)",
        )
    for number, (mine, theirs) in enumerate(zip(got, expected, strict=True), start=1):
        if not np.array_equal(mine, theirs):
            raise CheckFailed(
                f"{where}, batch {number}: every example appears once, but the order is not "
                "the one rng.permutation(m) gives. Call order = rng.permutation(m) once per "
                "epoch, on the rng you are given (not np.random, not a new generator), then "
                "slice order[0:B], order[B:2B], ...\n"
                f"  expected: {_describe(expected)}\n  got:      {_describe(got)}"
            )


@register
class MinibatchIndices(Exercise):
    """minibatch_indices(m, batch_size, rng): yields one epoch's shuffled index batches."""

    name = "minibatch_indices"
    reference = ("nnlib.training.minibatches",)

    def cases(self, rng, hidden):
        if not hidden:
            return [Case({"m": 10, "batch_size": 4, "seed": 0}, label="m=10, batch_size=4")]
        cases = []
        for trial in range(5):
            m = int(rng.integers(4, 60))
            batch_size = batch_size_for(rng, m, trial, largest=m + 2)
            seed = int(rng.integers(2**31))
            cases.append(
                Case(
                    {"m": m, "batch_size": batch_size, "seed": seed},
                    label=f"m={m}, batch_size={batch_size}",
                )
            )
        return cases

    def call(self, fn, inputs):
        return _epochs_of(fn, inputs["m"], inputs["batch_size"], inputs["seed"])

    def judge(self, case, outputs):
        __tracebackhide__ = True
        m, batch_size = case.inputs["m"], case.inputs["batch_size"]
        expected = _epochs_of(minibatches, m, batch_size, case.inputs["seed"])
        # With few examples two permutations can coincide, so compare with the answer key.
        # (Batches in the original order repeat too; _judge_epoch names that first.)
        unshuffled = [np.arange(m)[i : i + batch_size] for i in range(0, m, batch_size)]
        repeated = _same(outputs[1], outputs[0]) and not _same(outputs[0], unshuffled)
        if repeated and not _same(expected[1], expected[0]):
            raise failure(
                "epoch 2 repeats the order of epoch 1.",
                "the same order every epoch: shuffle anew every epoch, with the rng you "
                "are given (a new default_rng(seed) inside the function restarts the "
                "same sequence each time)",
            )
        for epoch, (got, want) in enumerate(zip(outputs, expected, strict=True)):
            _judge_epoch(epoch, got, want, m, batch_size)
