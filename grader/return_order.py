"""A right answer returned in the wrong order: ``return keep, A`` where the exercise asks for
``return A, keep``.

The values cannot always be told apart by their kinds (``kit.expect_tuple`` does that for a
number beside an array), so ``reordered`` asks the judge itself: when another order of the
student's two or three values passes, that order is the only thing wrong, and the failure says
so, with the names to return them as, read from the exercise's docstring.
"""

from __future__ import annotations

import itertools
import re

from grader.failures import CheckFailed


def reordered(failure: CheckFailed, answer, judge, exercise) -> CheckFailed:
    """``failure``, naming the mistake when another order of ``answer`` passes.

    failure:  how judging ``answer`` failed; one that already names a mistake is kept as it is.
    answer:   the student's outputs.
    judge:    judge(outputs), raising when they are wrong.
    exercise: the exercise, whose docstring "name(...) -> (a, b)" names the values.
    Returns the failure, naming the order to return the values in when that is all that is
    wrong.
    """
    if failure.diagnosis is not None or not isinstance(answer, (tuple, list)):
        return failure
    if not 2 <= len(answer) <= 3:
        return failure
    given = tuple(range(len(answer)))
    for order in itertools.permutations(given):
        if order == given:
            continue
        try:
            judge(type(answer)(answer[i] for i in order))
        except Exception:  # still wrong, or not even of the right kinds in this order
            continue
        names = returned_names(exercise)
        where = f"as `return {', '.join(names)}`" if names else "in the order the docstring gives"
        return failure.naming(f"the right values came back in the wrong order: return them {where}")
    return failure


def returned_names(exercise) -> list[str] | None:
    """The names of the values an exercise's function returns, from its class docstring's
    "name(...) -> (a, b)"; None when the docstring does not list them as plain names."""
    found = re.search(r"\) -> \(([^()]*)\)", type(exercise).__doc__ or "")
    names = found and [name.strip() for name in found.group(1).split(",")]
    return names if names and all(name.isidentifier() for name in names) else None
