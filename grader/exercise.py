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

import importlib
import pkgutil
import re
import warnings
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np

from grader.failures import CheckFailed, diagnosis_in
from grader.return_order import reordered
from grader.student import run_student

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
    autograder, so that both decide and word a verdict the same way. Every case is judged,
    not only up to the first failure: the first failure names a known mistake only when every
    case judged wrong names the same one (up to the numbers in it), so that a diagnosis drawn
    from one case is never stated for an answer that does something else on another.

    cases:   the exercise's cases.
    answers: an iterable giving, for each case in order, the student's outputs, or the
             CheckFailed that calling the student's function ended with (after which it may
             stop: nothing more is judged).
    seed:    the seed the hidden cases were drawn with, for the student to reproduce a
             failure; None for visible cases.
    Returns the first failure, ending with a line that says which case it was.
    """
    answers = iter(answers)
    first, diagnoses = None, []
    for number, case in enumerate(cases, start=1):
        answer = next(answers, _MISSING)
        if answer is _MISSING or isinstance(answer, CheckFailed):
            # The student's code gave no output here: nothing to weigh a diagnosis against.
            if first is None:
                first = _unanswered(exercise, answer).at(
                    where_case(exercise.name, number, cases, seed)
                )
            break
        failure = _judged(exercise, case, answer)
        if failure is not None:
            if first is None:
                first = failure.at(where_case(exercise.name, number, cases, seed))
            diagnoses.append((number, failure))
    return _named_parts(first, diagnoses, cases)


def _named_parts(first, diagnoses, cases) -> CheckFailed | None:
    """The first failure, naming what fits every case judged wrong.

    diagnoses: (case number, failure) of each case judged wrong, in order.
    A known mistake that every such case matches (the same up to the numbers in it): the
    first failure, naming it. Otherwise, when each case matches some known mistake (two
    slips, each in its own part of the exercise): the first failure, naming each one and the
    case it showed on. A wrong case that no known mistake explains: no cause named at all.
    """
    if first is None or not diagnoses or not first.candidates:
        return first
    if any(not failure.candidates for _, failure in diagnoses):
        return first.without_diagnosis()
    common = set.intersection(*({_kind(c) for c in f.candidates} for _, f in diagnoses))
    for candidate in first.candidates:
        if _kind(candidate) in common:
            return first.naming(candidate)
    parts, kinds = [first.diagnosis], {_kind(first.diagnosis)}
    for number, failure in diagnoses:
        if _kind(failure.diagnosis) not in kinds:
            kinds.add(_kind(failure.diagnosis))
            label = cases[number - 1].label
            parts.append(
                f"and on case {number}{f' ({label})' if label else ''}, {failure.diagnosis}"
            )
    return first.naming("; ".join(parts))


def _unanswered(exercise: Exercise, answer) -> CheckFailed:
    """The failure of a case the student's code gave no output for: the CheckFailed it ended
    with, its diagnosis recovered from its words when it travelled as text (from a kernel,
    see ``grader.protocol``), or "no result came back"."""
    if answer is _MISSING:
        return CheckFailed(f"{exercise.name}: no result came back for this case.")
    failure = CheckFailed(str(answer), answer.diagnosis or diagnosis_in(str(answer)))
    failure.__cause__ = answer.__cause__
    return failure


def _judged(exercise: Exercise, case: Case, answer) -> CheckFailed | None:
    """The failure that judging one case's answer ends with, or None when it is right."""
    try:
        judge_quietly(exercise, case, answer)
    except CheckFailed as failure:
        return reordered(
            failure, answer, lambda outputs: judge_quietly(exercise, case, outputs), exercise
        )
    except Exception as error:  # judge met a result of a kind it did not expect
        return CheckFailed(
            f"{exercise.name}: the result could not be checked ({type(error).__name__}: {error})"
        )
    return None


def _kind(diagnosis: str | None) -> str | None:
    """A diagnosis without the numbers in it (shapes, indices), which differ from case to case."""
    return None if diagnosis is None else re.sub(r"[-+.\de]*\d", "#", diagnosis)


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
