"""The two kinds of entry in the catalogue of student answers.

Each ``catalogue_lNN.py`` beside this file lists, for its lesson's exercises, the mistakes
students really make and correct answers written in unusual ways::

    def dense_backward_dW_transposed(dZ, X, W):
        return dZ @ W.T, dZ.T @ X, dZ.sum(axis=0)

    MISTAKES = [Mistake("dense_backward", dense_backward_dW_transposed, "dW looks transposed")]
    CORRECT = [Correct("dense_backward", dense_backward_with_einsum)]

``test_catalogue.py`` runs every entry through ``check()`` and through the autograder's path,
on the visible case and on many hidden seeds.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Mistake:
    """A wrong answer, as a student writes it.

    exercise:    the exercise's registry name.
    function:    the student's function.
    diagnosis:   words that the failure's diagnosis must contain, to count as diagnosed; None
                 when no known cause fits, and then the failure must name none.
    hidden_only: True for a mistake that only the hidden cases are built to catch (such as a
                 gradient by central differences, which only large inputs expose): the visible
                 case, a small example that teaches, may let it pass.
    """

    exercise: str
    function: Callable
    diagnosis: str | None
    hidden_only: bool = False


@dataclass(frozen=True)
class Correct:
    """A right answer written in an unusual but valid way (a loop, einsum, float32, ...)."""

    exercise: str
    function: Callable
