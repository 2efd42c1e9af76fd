"""How a class did: per-exercise pass rates and the most frequent diagnosed mistakes.

Read from the results files that ``autograde`` writes. A failure's "mistake" is the diagnosis
its check named, carried as data in the results, else the first line of its message with the
numbers blanked out, so that the same failure on different random cases counts once.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

from nbgrader.coursedir import CourseDirectory

from grader.tool.penalties import Late, late_notebooks
from grader.tool.results import load_results


def mistake(check: dict) -> str:
    """The short name of the mistake that a failed check (a CheckResult as a dict) shows."""
    if check.get("diagnosis"):
        return check["diagnosis"]
    message = check["message"]
    first = message.splitlines()[0] if message else "no message"
    return re.sub(r"-?\d+(\.\d+)?(e[-+]?\d+)?", "N", first)


def summarise(results: list[dict]) -> tuple[list[tuple[str, int, int]], Counter]:
    """([(exercise, passed, graded)], Counter of (exercise, mistake)) over all results.

    An exercise counts as passed for a student when all its checks passed.
    """
    verdicts: dict[tuple[str, str], bool] = {}
    mistakes: Counter = Counter()
    for result in results:
        for check in result["checks"]:
            key = (check["exercise"], result["student"])
            verdicts[key] = verdicts.get(key, True) and check["passed"]
            if not check["passed"]:
                mistakes[(check["exercise"], mistake(check))] += 1
    exercises = sorted({name for name, _ in verdicts})
    rates = [
        (
            name,
            sum(ok for (n, _), ok in verdicts.items() if n == name),
            sum(1 for n, _ in verdicts if n == name),
        )
        for name in exercises
    ]
    return rates, mistakes


def table(rates, mistakes: Counter, top: int = 10) -> str:
    """The report as plain text."""
    lines = [f"{'exercise':<28}{'passed':>8}{'of':>5}{'rate':>8}"]
    for name, passed, graded in rates:
        lines.append(f"{name:<28}{passed:>8}{graded:>5}{passed / graded:>8.0%}")
    lines += ["", "most frequent mistakes:"]
    for (name, text), count in mistakes.most_common(top):
        lines.append(f"{count:>4} × {name}: {text}")
    return "\n".join(lines)


def chart(rates, destination: Path) -> Path:
    """A bar chart of pass rates per exercise, written as PNG to ``destination``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=(7, 0.4 * len(rates) + 1.2))
    names = [name for name, _, _ in rates]
    axes.barh(names, [passed / graded for _, passed, graded in rates], color="#4c78a8")
    axes.set_xlim(0, 1)
    axes.set_xlabel("share of students who passed")
    axes.invert_yaxis()
    figure.tight_layout()
    figure.savefig(destination, dpi=100)
    plt.close(figure)
    return Path(destination)


def report(config, assignment: str, png: Path | None = None) -> str:
    """The text report for ``assignment``; with ``png``, also the chart there."""
    results = load_results(CourseDirectory(config=config), assignment)
    if not results:
        raise ValueError(f"no graded submissions of {assignment!r}; run autograde first")
    rates, mistakes = summarise(results)
    if png is not None:
        chart(rates, png)
    return table(rates, mistakes) + late_table(late_notebooks(config, assignment))


def late_table(late: list[Late]) -> str:
    """The late notebooks, each penalty beside its raw score ("" when none is late)."""
    if not late:
        return ""
    lines = ["", "late submissions (after any extension):"]
    for item in late:
        lines.append(
            f"  {item.student:<24}{item.notebook:<24}{item.seconds_late / 3600:>7.1f} h late"
            f"   raw {item.raw_score:g}, penalty {item.penalty:g}"
        )
    return "\n".join(lines)
