"""Run the catalogue of student answers through the checks, the way a class would meet them.

Every ``catalogue_*.py`` module beside this file defines ``MISTAKES`` and ``CORRECT`` (see
``entries.py``); modules added later are found without changing this file. Each entry runs

- through ``check()``, as a test cell runs it: the visible case, then ``HIDDEN_SEEDS`` hidden
  draws, each with its own seed;
- through the autograder's path without a kernel: ``grader.protocol.answer`` calls the
  function on inputs that went through the wire format, and ``verdict`` judges what came
  back, as ``grader.tool.grading`` does with a real kernel's reply.

A mistake must fail every time, with a ``.diagnosis`` that contains the entry's words (or no
diagnosis at all when the entry's diagnosis is None); a correct answer must pass every time.
Each module's test reports three counts, printed at the end of the run:

    caught    mistakes that failed on every run;
    diagnosed mistakes whose every failure named the entry's diagnosis;
    accepted  correct answers that passed on every run.

The bar: caught 100 %, diagnosed at least 85 % of the catalogue's mistakes, accepted 100 %.
"""

from __future__ import annotations

import importlib.util
import io
import sys
from contextlib import redirect_stdout
from pathlib import Path

import numpy as np
import pytest

from grader import CheckFailed, check, protocol
from grader.exercise import VISIBLE_SEED, get, verdict
from grader.tool.grading import _answer
from grader.wire import encode

HERE = Path(__file__).parent
HIDDEN_SEEDS = range(1, 21)
DIAGNOSED_BAR = 0.85

sys.path.insert(0, str(HERE))  # so that catalogue modules can import entries.py
from entries import Correct, Mistake  # noqa: E402


def catalogue_modules() -> dict[str, object]:
    """Every catalogue module beside this file, imported by path, by its file's stem."""
    modules = {}
    for path in sorted(HERE.glob("catalogue_*.py")):
        spec = importlib.util.spec_from_file_location(f"catalogue.{path.stem}", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        modules[path.stem] = module
    return modules


MODULES = catalogue_modules()


def runs(entry):
    """The runs of one entry: (hidden, seed) for the visible case and each hidden seed; a
    mistake marked hidden_only skips the visible case."""
    if not getattr(entry, "hidden_only", False):
        yield False, None
    for seed in HIDDEN_SEEDS:
        yield True, seed


def through_check(entry, hidden: bool, seed: int | None) -> CheckFailed | None:
    """The failure that ``check()`` raises for the entry's function, or None if it passes."""
    try:
        with redirect_stdout(io.StringIO()):  # a passing check prints; a student's may too
            check(entry.exercise, entry.function, hidden=hidden, seed=seed)
    except CheckFailed as failure:
        return failure
    return None


def through_autograder(entry, hidden: bool, seed: int | None) -> CheckFailed | None:
    """The verdict the autograder reaches for the entry's function, without a kernel: the
    inputs go through the wire format to ``protocol.answer``, its reply is read back, and
    ``verdict`` judges it, as ``grader.tool.grading`` does."""
    exercise = get(entry.exercise)
    draw = seed if hidden else VISIBLE_SEED
    cases = exercise.cases(np.random.default_rng(draw), hidden)
    displayed = []

    def display(data, raw=False):
        displayed.append({"output_type": "display_data", "data": data, "metadata": {}})

    import IPython.display

    real = IPython.display.display
    IPython.display.display = display
    try:
        with redirect_stdout(io.StringIO()):
            protocol.answer(
                entry.exercise, lambda: entry.function, encode([c.inputs for c in cases]), "n"
            )
    finally:
        IPython.display.display = real
    results = protocol.read_reply(displayed, "n")
    answers = (_answer(entry.exercise, result) for result in results)
    return verdict(exercise, cases, answers, seed if hidden else None)


def problems_of(entry) -> list[tuple[str, str]]:
    """What is wrong with how the checks treat one entry, as (kind, text): kind is "crashed"
    (the check itself broke), "passed" (a mistake got through), "rejected" (a correct answer
    failed), "misnamed" or "undiagnosed". Empty when all is as it should be."""
    problems = []
    for path, run in (("check", through_check), ("autograder", through_autograder)):
        for hidden, seed in runs(entry):
            where = f"{path}, {'hidden seed ' + str(seed) if hidden else 'visible'}"
            try:
                failure = run(entry, hidden, seed)
            except Exception as error:  # the checks themselves broke
                problems.append(("crashed", f"{where}: {type(error).__name__}: {error}"))
                continue
            if isinstance(entry, Correct):
                if failure is not None:
                    problems.append(("rejected", f"{where}: {failure}"))
            elif failure is None:
                problems.append(("passed", where))
            elif entry.diagnosis is None and failure.diagnosis is not None:
                problems.append(("misnamed", f"{where}: named {failure.diagnosis!r}"))
            elif entry.diagnosis is not None and entry.diagnosis not in (failure.diagnosis or ""):
                problems.append(("undiagnosed", f"{where}: not {entry.diagnosis!r}: {failure}"))
    return problems


def entry_id(entry) -> str:
    return f"{entry.exercise}:{entry.function.__name__}"


@pytest.mark.parametrize("stem", sorted(MODULES))
def test_catalogue(stem, record_property):
    module = MODULES[stem]
    mistakes, correct = list(module.MISTAKES), list(module.CORRECT)
    assert all(isinstance(e, Mistake) for e in mistakes), "MISTAKES holds only Mistake entries"
    assert all(isinstance(e, Correct) for e in correct), "CORRECT holds only Correct entries"
    report = {entry_id(entry): problems_of(entry) for entry in mistakes + correct}

    def clean(entry):
        return not report[entry_id(entry)]

    def failed_always(entry):
        return not any(kind in ("passed", "crashed") for kind, _ in report[entry_id(entry)])

    caught = sum(failed_always(e) for e in mistakes)
    diagnosed = sum(clean(e) and e.diagnosis is not None for e in mistakes)
    accepted = sum(clean(e) for e in correct)
    record_property(
        "figure",
        f"catalogue {stem}: caught {caught}/{len(mistakes)} mistakes, diagnosed "
        f"{diagnosed}/{len(mistakes)}, accepted {accepted}/{len(correct)} correct answers "
        f"(visible + {len(HIDDEN_SEEDS)} hidden seeds, in check() and the autograder)",
    )
    wrong = [
        f"{name}: {kind}: {text}"
        for name, problems in report.items()
        for kind, text in problems[:3]
    ]
    assert not wrong, "\n".join(wrong)


def test_most_mistakes_have_a_diagnosis(record_property):
    """The diagnosed bar, over the whole catalogue: each module's test holds every entry to its
    diagnosis, so the share of entries that name one is the share diagnosed when all pass."""
    mistakes = [entry for module in MODULES.values() for entry in module.MISTAKES]
    correct = [entry for module in MODULES.values() for entry in module.CORRECT]
    named = sum(entry.diagnosis is not None for entry in mistakes)
    record_property(
        "figure",
        f"catalogue, all modules: {len(mistakes)} mistakes, {named} with a diagnosis "
        f"({named / len(mistakes):.1%}), {len(correct)} correct answers",
    )
    assert named >= DIAGNOSED_BAR * len(mistakes), (
        f"only {named} of {len(mistakes)} mistakes name a diagnosis; the bar is {DIAGNOSED_BAR:.0%}"
    )


def test_every_entry_names_a_registered_exercise():
    names = {e.exercise for m in MODULES.values() for e in [*m.MISTAKES, *m.CORRECT]}
    unknown = []
    for name in sorted(names):
        try:
            get(name)
        except KeyError:
            unknown.append(name)
    assert not unknown, f"catalogue entries for exercises that do not exist: {unknown}"


def test_the_runner_reports_a_mistake_that_passes_and_a_right_answer_rejected(monkeypatch):
    monkeypatch.setattr(sys.modules[__name__], "HIDDEN_SEEDS", range(1, 3))

    def right(y, num_classes):
        return np.eye(num_classes)[y]

    def wrong(y, num_classes):
        return np.eye(num_classes)[y] * 2

    kinds = [kind for kind, _ in problems_of(Mistake("one_hot", right, "anything"))]
    assert kinds == ["passed"] * 6  # visible and 2 hidden seeds, in both paths
    kinds = [kind for kind, _ in problems_of(Correct("one_hot", wrong))]
    assert kinds == ["rejected"] * 6
    kinds = [kind for kind, _ in problems_of(Mistake("one_hot", wrong, "not what it says"))]
    assert kinds == ["undiagnosed"] * 6
