"""The instructor's command line: ``python -m grader SUBCOMMAND`` (or ``course-grader``).

Each subcommand is one small function that takes the parsed arguments and returns an exit
status; ``build_parser`` wires them up. To add a subcommand, write its function and add its
parser in ``build_parser``.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from grader.tool import course, release


def run_release(args: argparse.Namespace) -> int:
    """Regenerate lessons/ from solutions/ for the named lessons, or for all of them."""
    if args.execute:
        for path in release.execute_solutions(args.lessons or None):
            print(f"ran {path.relative_to(course.ROOT)}")
    for path in release.release(args.lessons or None):
        print(f"wrote {path.relative_to(course.ROOT)}")
    return 0


def run_bundle(args: argparse.Namespace) -> int:
    """Write the student zip."""
    from grader.tool.bundle import bundle

    names = bundle(course.ROOT, args.output)
    print(f"wrote {args.output} ({len(names)} files)")
    return 0


def _print_problems(problems: list[str], what: str) -> int:
    """Print the summary lines; the exit status is 1 when there are any."""
    if problems:
        print(f"\n{len(problems)} {what} need attention:")
        print("\n".join(f"  {line}" for line in problems))
    return 1 if problems else 0


def run_autograde(args: argparse.Namespace) -> int:
    """Grade the assignment in the sandbox; list what needs attention."""
    from grader.tool.autograde import autograde
    from grader.tool.isolation import isolation
    from grader.tool.safe_text import terminal_safe

    course.put_python_on_path()
    config = course.course_config(db=args.db)
    box = isolation()
    if box.missing and args.cluster is None:
        print(
            f"warning: sandbox mode {box.mode}; not enforced: {'; '.join(box.missing)}",
            file=sys.stderr,
        )
    limits = limits_from(args)
    summary = autograde(
        config,
        args.assignment.split(","),
        args.students or None,
        workers=args.workers,
        limits=limits,
        seed=args.seed,
        unsafe=args.unsafe,
        cluster=args.cluster,
        force=args.force,
    )
    for outcome in summary.outcomes:
        mark = f"{outcome.score:g}/{outcome.max_score:g}" if outcome.graded else "not graded"
        retried = f"  retried on {outcome.worker}" if outcome.retried else ""
        print(terminal_safe(f"{outcome.student:<24}{outcome.notebook_name:<28}{mark}{retried}"))
    for worker, mode in summary.workers.items():
        print(f"warning: worker {worker} grades in sandbox mode {mode}", file=sys.stderr)
    if summary.skipped:
        print(f"{summary.skipped} notebooks graded before from the same file were left alone "
              "(--force grades them again)")  # fmt: skip
    return _print_problems([terminal_safe(line) for line in summary.attention], "submissions")


def run_report(args: argparse.Namespace) -> int:
    """Print pass rates and frequent mistakes; write the chart."""
    from grader.tool.report import report
    from grader.tool.safe_text import terminal_safe

    print(terminal_safe(report(course.course_config(db=args.db), args.assignment, args.png)))
    if args.png:
        print(f"\nwrote {args.png}")
    return 0


# autograde's options for the sandbox's limits: (option, Limits field, unit, help). The unit
# turns the option's value (seconds, GiB, MiB, a count) into the field's.
LIMIT_OPTIONS = [
    ("--timeout", "cell_timeout", 1, "seconds per cell or check"),
    ("--notebook-timeout", "notebook_timeout", 1, "seconds per notebook, restarts and replays in"),
    ("--start-timeout", "start_timeout", 1, "seconds a kernel may take to start"),
    ("--memory", "memory_bytes", 2**30, "GiB of memory per submission"),
    ("--processes", "processes", 1, "processes and threads the kernel may run"),
    ("--file-mib", "file_bytes", 2**20, "MiB of the largest file the kernel may write"),
    ("--disk-mib", "disk_bytes", 2**20, "MiB the kernel may write"),
    ("--disk-files", "disk_files", 1, "files and folders the kernel may create"),
    ("--cell-output-mib", "output_bytes", 2**20, "MiB of output per cell"),
    ("--output-mib", "notebook_output_bytes", 2**20, "MiB of output kept per notebook"),
    ("--max-notebook-mib", "notebook_bytes", 2**20, "largest notebook accepted, in MiB"),
    ("--intake-memory-mib", "intake_memory_bytes", 2**20, "MiB that reading one notebook may take"),
]


def limits_from(args: argparse.Namespace):
    """The ``Limits`` that autograde's options ask for."""
    from grader.tool.isolation import Limits

    values = {}
    for option, field, unit, _ in LIMIT_OPTIONS:
        value = getattr(args, option[2:].replace("-", "_")) * unit
        values[field] = round(value) if isinstance(getattr(Limits, field), int) else value
    return Limits(**values)


def add_db_option(command) -> None:
    """--db: the gradebook of this run, over nbgrader_config.py's."""
    command.add_argument(
        "--db",
        metavar="URL",
        default=None,
        help="the gradebook: sqlite:///path/gradebook.db or postgresql://user@host/name "
        "(default: nbgrader_config.py's)",
    )


def _add_limit_options(command) -> None:
    """autograde's limits; the defaults are ``Limits``'s."""
    from grader.tool.isolation import Limits

    for option, field, unit, text in LIMIT_OPTIONS:
        default = getattr(Limits, field) / unit
        kind = int if unit == 1 and isinstance(getattr(Limits, field), int) else float
        command.add_argument(
            option, type=kind, default=kind(default), help=f"{text} (default {default:g})"
        )
    command.add_argument(
        "--unsafe",
        action="store_true",
        help="grade even where no sandbox can be built (the students' code runs as you)",
    )


def _add_grading_commands(commands) -> None:
    """The instructor's subcommands after release: bundle to report."""
    from grader.tool import platforms  # imports this module's _print_problems

    command = commands.add_parser(
        "bundle", help="zip the lessons, nnlib and requirements for students"
    )
    command.add_argument("--output", type=Path, default=Path("nn-course.zip"), help="zip to write")
    command.set_defaults(run=run_bundle)

    platforms.add_collect(commands)

    command = commands.add_parser("autograde", help="grade submissions in the sandbox")
    command.add_argument(
        "assignment", help="lesson folder name, e.g. 05_backprop; several: 05_backprop,06_losses"
    )
    command.add_argument("students", nargs="*", metavar="STUDENT", help="only these (default: all)")
    command.add_argument(
        "--workers",
        type=int,
        default=os.cpu_count() or 1,
        help="submissions graded at once (default: one per core)",
    )
    _add_limit_options(command)
    command.add_argument(
        "--seed",
        type=int,
        default=None,
        help="seed of the hidden cases (default: a fresh secret one)",
    )
    command.add_argument(
        "--cluster",
        metavar="ADDRESS",
        default=None,
        help="grade on the workers of this Dask scheduler, e.g. tcp://host:8786 "
        "(docs/platforms/cluster.md); --workers is then the cluster's",
    )
    add_db_option(command)
    command.add_argument(
        "--force",
        action="store_true",
        help="grade again the notebooks graded before from the same file (default: a rerun "
        "grades only what is new or changed)",
    )
    command.set_defaults(run=run_autograde)

    platforms.add_returns(commands)

    command = commands.add_parser("report", help="pass rates and frequent mistakes")
    add_db_option(command)
    command.add_argument("assignment", help="lesson folder name")
    command.add_argument("--png", type=Path, default=None, help="also write a bar chart here")
    command.set_defaults(run=run_report)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser, one subparser per subcommand, each with its ``run`` function."""
    parser = argparse.ArgumentParser(
        prog="python -m grader", description="The instructor's tool around nbgrader."
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    command = commands.add_parser(
        "release", help="regenerate lessons/ from solutions/ with nbgrader"
    )
    command.add_argument(
        "lessons",
        nargs="*",
        metavar="LESSON",
        help="lesson folders, e.g. 05_backprop (default: all)",
    )
    command.add_argument(
        "--execute",
        action="store_true",
        help="first run each solution notebook top to bottom and save its outputs,"
        " which nbval compares in the tests (do this after editing a solution)",
    )
    command.set_defaults(run=run_release)
    _add_grading_commands(commands)

    return parser


def main(argv: list[str] | None = None) -> int:
    """Parse ``argv`` (default: the command line), run the subcommand, return its exit status."""
    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except (ValueError, release.ReleaseError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
