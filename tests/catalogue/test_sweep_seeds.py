"""A sample of ``scripts/sweep_seeds.py``: the model answers and correct variants of lessons 06
to 10 pass a few hidden seeds in a row (the script runs 200)."""

import importlib.util
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).parents[2] / "scripts" / "sweep_seeds.py"
spec = importlib.util.spec_from_file_location("sweep_seeds", SCRIPT)
sweep_seeds = importlib.util.module_from_spec(spec)
sys.modules["sweep_seeds"] = sweep_seeds  # dataclasses look their module up there
spec.loader.exec_module(sweep_seeds)

SLOW = {"train_digit_network"}  # three trainings per hidden check: one seed is sample enough


@pytest.mark.parametrize("lesson", ["06", "07", "08", "09", "10"])
def test_model_answers_and_correct_variants_pass_hidden_seeds_in_a_row(lesson):
    answers = sweep_seeds.answers_of([lesson])
    assert {a.source for a in answers} >= {f"catalogue_l{lesson}"}
    assert any(a.source.startswith("solution") for a in answers), "no model answer was found"
    failures = []
    for answer in answers:
        seeds = range(1, 2) if answer.exercise in SLOW else range(1, 6)
        row = sweep_seeds.sweep(answer, seeds)
        if row.passed < row.seeds:
            failures.append(
                f"{answer.exercise} {answer.name} ({answer.source}): {row.first_failure}"
            )
    assert not failures, "\n".join(failures)


def test_the_sweep_reports_a_failing_answer():
    wrong = sweep_seeds.Answer("one_hot", "wrong", lambda y, k: None, "test")
    row = sweep_seeds.sweep(wrong, range(1, 3))
    assert (row.passed, row.seeds) == (0, 2)
    assert row.first_failure.startswith("seed 1: one_hot returned None")
