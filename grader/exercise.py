"""Exercises: what a test cell checks, split so that the verdict can be decided elsewhere.

A test cell in a lesson says only::

    check("dense_backward", dense_backward)               # visible, one fixed example
    check("dense_backward", dense_backward, hidden=True)  # hidden, random shapes and seeds

The name points into the registry (the modules of ``grader/exercises``, named after their
lesson: ``l05_backprop.py``, ``l05_network.py``). Each ``Exercise`` has three parts:

- ``cases(rng, hidden)`` builds the inputs. It runs on the trusted side.
- ``call(fn, inputs)`` calls the student's function and returns plain data; by default it
  passes the inputs as arguments, in order. It is the only part that runs in the student's
  process when the instructor's autograder grades.
- ``judge(case, outputs)`` compares the outputs with nnlib's answer and raises ``CheckFailed``
  with a message that says what is wrong. It runs on the trusted side.

``verdict`` is the one loop that judges a check's cases and words its failure, in the student's
kernel (through ``check``, where all three parts run) and in the autograder alike.
"""

from __future__ import annotations

import copy
import importlib
import pkgutil
import warnings
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np

from grader.checks import CheckFailed

VISIBLE_SEED = 2024


@dataclass
class Case:
    """One example to run the student's function on.

    inputs: plain data handed to ``Exercise.call`` (and so to the student's code).
    secret: plain data only ``judge`` sees, such as the labels of a test set.
    label:  a few words that say which example this is, for messages.
    """

    inputs: dict[str, Any]
    secret: dict[str, Any] = field(default_factory=dict)
    label: str = ""


class Exercise:
    """Base class of a graded exercise. Subclasses set ``name`` and define the three parts.

    ``reference`` lists the nnlib names that answer this exercise, as "module.attribute"
    (e.g. "nnlib.layers.dense_backward"). The autograder makes them unavailable while it
    runs the student's code, so a submission cannot hand in nnlib's answer as its own.
    """

    name: ClassVar[str]
    reference: ClassVar[tuple[str, ...]] = ()
    hidden_trials: ClassVar[int] = 5

    def cases(self, rng: np.random.Generator, hidden: bool) -> list[Case]:
        raise NotImplementedError

    def call(self, fn, inputs: dict[str, Any]) -> Any:
        """Call the student's function; by default with the inputs as arguments, in order."""
        return fn(*inputs.values())

    def judge(self, case: Case, outputs: Any) -> None:
        raise NotImplementedError


_REGISTRY: dict[str, Exercise] = {}


def register(cls: type[Exercise]) -> type[Exercise]:
    """Class decorator: add an exercise to the registry under its ``name``."""
    if cls.name in _REGISTRY:
        raise ValueError(f"two exercises are named {cls.name!r}; names must be unique")
    _REGISTRY[cls.name] = cls()
    return cls


def get(name: str) -> Exercise:
    """The exercise registered as ``name``, importing the lesson modules on first use."""
    if name not in _REGISTRY:
        broken = _import_lessons()
        if name not in _REGISTRY:
            known = ", ".join(sorted(_REGISTRY))
            message = f"no exercise is named {name!r}; known exercises: {known}"
            if broken:
                message += "\n  these exercise modules failed to import: " + "; ".join(broken)
            raise KeyError(message)
    return _REGISTRY[name]


def _import_lessons() -> list[str]:
    """Import every module of ``grader.exercises``, which registers the lessons' exercises.

    Importing is what registers, so this runs even when some exercises are registered
    already (a test fixture may register its own first); a module imported twice does not
    register twice. Each module is imported on its own, so that one lesson's broken module
    does not take every other lesson's checks down with it.
    Returns "module: error" for each module that failed to import.
    """
    import grader.exercises as package

    broken = []
    for info in pkgutil.iter_modules(package.__path__):
        try:
            importlib.import_module(f"{package.__name__}.{info.name}")
        except Exception as error:
            broken.append(f"{info.name}: {type(error).__name__}: {error}")
    return broken


def run_student(exercise: Exercise, fn, case: Case) -> Any:
    """Call the student's function on one case, turning what goes wrong into a CheckFailed.

    Warnings are recorded rather than printed: nbgrader scores any output on stderr as a
    failure, and a correct answer that makes numpy warn must keep its points.
    """
    __tracebackhide__ = True
    with warnings.catch_warnings(record=True):
        warnings.simplefilter("always")
        try:
            # A copy, so that a function that changes its arguments in place cannot
            # change what judge compares against.
            return exercise.call(fn, copy.deepcopy(case.inputs))
        except NotImplementedError:
            raise CheckFailed(
                f"{exercise.name}: not written yet. Replace the `raise NotImplementedError()` "
                "line in the answer cell with your code, run that cell, then run this one."
            ) from None
        except CheckFailed:
            raise
        except Exception as error:
            raise CheckFailed(
                f"{exercise.name} raised {type(error).__name__}: {error}\n"
                f"  on {describe_inputs(case.inputs)}"
            ) from error


def describe_inputs(inputs: dict[str, Any]) -> str:
    """A short description of the inputs, with shapes for arrays: 'X (4, 3), W (3, 2), p=0.5'."""
    parts = []
    for key, value in inputs.items():
        if isinstance(value, np.ndarray):
            parts.append(f"{key} {value.shape}")
        elif isinstance(value, (int, float, str, bool)):
            parts.append(f"{key}={value!r}")
        else:
            parts.append(key)
    return ", ".join(parts) if parts else "no inputs"


def check(name: str, fn, *, hidden: bool = False, seed: int | None = None) -> None:
    """Run exercise ``name`` on the student's ``fn`` and say what is wrong, if anything.

    Visible checks use one fixed seed, so the student sees the same example every time.
    Hidden checks draw a fresh seed each run (printed when a case fails, to reproduce it).
    Raises CheckFailed for the first case that fails; prints one line when all pass.
    """
    __tracebackhide__ = True
    exercise = get(name)
    if not callable(fn):
        raise CheckFailed(f"{name}: expected a function, got {type(fn).__name__}.")
    if seed is None:
        seed = int(np.random.SeedSequence().entropy % 2**32) if hidden else VISIBLE_SEED
    cases = exercise.cases(np.random.default_rng(seed), hidden)
    failure = verdict(exercise, cases, _answers(exercise, fn, cases), seed if hidden else None)
    if failure is not None:
        raise failure
    print(passed_line(name, len(cases), hidden))


def _answers(exercise: Exercise, fn, cases: list[Case]):
    """The student's outputs for each case in turn, computed when asked for; after a call
    that fails, its CheckFailed, and nothing more."""
    for case in cases:
        try:
            yield run_student(exercise, fn, case)
        except CheckFailed as failure:
            yield failure
            return


def verdict(exercise: Exercise, cases: list[Case], answers, seed: int | None) -> CheckFailed | None:
    """Judge the answers to a check's cases in order: the first failure, or None if all pass.

    This is the one loop behind every check, in the student's kernel (``check``) and in the
    autograder, so that both decide and word a verdict the same way.

    cases:   the exercise's cases.
    answers: an iterable giving, for each case in order, the student's outputs, or the
             CheckFailed that calling the student's function ended with; it may stop early.
    seed:    the seed the hidden cases were drawn with, for the student to reproduce a
             failure; None for visible cases.
    Returns the first failure, ending with a line that says which case it was.
    """
    answers = iter(answers)
    for number, case in enumerate(cases, start=1):
        where = where_case(exercise.name, number, cases, seed)
        answer = next(answers, _MISSING)
        if answer is _MISSING:
            return CheckFailed(f"{exercise.name}: no result came back for this case.").at(where)
        if isinstance(answer, CheckFailed):
            return answer.at(where)
        try:
            judge_quietly(exercise, case, answer)
        except CheckFailed as failure:
            return failure.at(where)
        except Exception as error:  # judge met a result of a kind it did not expect
            return CheckFailed(
                f"{exercise.name}: the result could not be checked "
                f"({type(error).__name__}: {error})"
            ).at(where)
    return None


_MISSING = object()


def judge_quietly(exercise: Exercise, case: Case, outputs) -> None:
    """``exercise.judge(case, outputs)`` with numpy's warnings silenced; raises CheckFailed.

    Judging builds the results of known mistakes, some of which overflow on purpose; their
    warnings must not reach stderr, which nbgrader scores as a failure.
    """
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        exercise.judge(case, outputs)


def where_case(name: str, number: int, cases: list[Case], seed: int | None) -> str:
    """The line that ends a failure: '[name, case 2 of 5 (label), seed 7]'.

    seed: the seed of hidden cases, which the student needs to reproduce one; None if visible.
    """
    where = f"case {number} of {len(cases)}"
    if cases[number - 1].label:
        where += f" ({cases[number - 1].label})"
    if seed is not None:
        where += f", seed {seed}"
    return f"[{name}, {where}]"


def passed_line(name: str, count: int, hidden: bool) -> str:
    """What a passing check prints: '✔ name: 3 hidden checks passed'."""
    noun = "check" if count == 1 else "checks"
    return f"✔ {name}: {count} {'hidden ' if hidden else ''}{noun} passed"
