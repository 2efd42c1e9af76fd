"""The instructor's commands that talk to a platform: ``collect`` (an LMS export in),
``feedback`` and ``export`` (pages and grades back out), and ``gradescope`` (an autograder
zip). ``cli.build_parser`` adds them with ``add_collect`` and ``add_returns``; each ``run_*``
function takes the parsed arguments and returns an exit status, as in ``cli``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from grader.tool import course
from grader.tool.cli import _print_problems, add_db_option


def run_collect(args: argparse.Namespace) -> int:
    """Import submissions from a folder or LMS zip into grading/submitted."""
    from grader.tool import lms
    from grader.tool.archive import IntakeLimits
    from grader.tool.collect import collect
    from grader.tool.roster import read_roster

    layout = lms.custom(args.pattern) if args.pattern else args.source_format
    result = collect(
        course.course_config(db=args.db),
        args.assignment,
        args.source,
        layout=layout,
        roster=read_roster(args.roster) if args.roster else None,
        timezone=args.timezone,
        limits=IntakeLimits(notebook_bytes=int(args.max_notebook_mb * 2**20)),
    )
    how = "detected" if result.detected else "as told"
    print(f"layout: {result.format} ({how}); times without a zone read as {result.zone}")
    if result.late:
        print(f"marked late by the LMS: {', '.join(result.late)}")
    print(f"imported {len(result.written)} notebooks")
    return _print_problems(result.problems, "files")


def run_feedback(args: argparse.Namespace) -> int:
    """Write each student's feedback page; with --zip, also the LMS's bulk-upload zip."""
    from grader.tool.feedback import feedback, feedback_zip

    config = course.course_config(db=args.db)
    for path in feedback(config, args.assignment, args.students or None):
        print(f"wrote {path}")
    if args.zip:
        names = feedback_zip(config, args.assignment, args.zip, args.students or None)
        print(f"wrote {args.zip} ({len(names)} pages)")
    return 0


def run_export(args: argparse.Namespace) -> int:
    """Export the gradebook as the CSV that nbgrader, Canvas or Moodle reads."""
    from grader.tool.export import export
    from grader.tool.roster import read_roster

    problems: list[str] = []
    path = export(
        course.course_config(db=args.db),
        args.output,
        args.assignments or None,
        to=args.to,
        roster=read_roster(args.roster) if args.roster else None,
        problems=problems,
    )
    print(f"wrote {path} ({args.to})")
    return _print_problems(problems, "students")


def run_gradescope(args: argparse.Namespace) -> int:
    """Write a Gradescope autograder zip for one lesson."""
    from grader.tool.gradescope import build

    names = build(args.lesson, args.output)
    print(f"wrote {args.output} ({len(names)} files)")
    return 0


def add_collect(commands) -> None:
    """``collect``: an LMS export in, with its layout, roster and time zone."""
    from grader.tool.lms import FORMATS

    command = commands.add_parser("collect", help="import submissions from a folder or LMS zip")
    add_db_option(command)
    command.add_argument("assignment", help="lesson folder name, e.g. 05_backprop")
    command.add_argument("source", type=Path, help="the LMS's bulk download: a zip or a folder")
    command.add_argument(
        "--from",
        dest="source_format",
        choices=list(FORMATS),
        default=None,
        help="the LMS that made the export (default: detected, and printed)",
    )
    command.add_argument(
        "--pattern",
        default=None,
        help="a regular expression with the groups (?P<id>...) and (?P<file>...) for any"
        " other layout (optional groups: name, late)",
    )
    command.add_argument(
        "--roster", type=Path, default=None, help="the LMS's gradebook or participants CSV"
    )
    command.add_argument(
        "--timezone",
        default="UTC",
        help="IANA zone of the LMS's local times (zip entries, Blackboard), e.g. Europe/Berlin"
        " (default UTC)",
    )
    command.add_argument(
        "--max-notebook-mb", type=float, default=32.0, help="largest notebook taken (default 32)"
    )
    command.set_defaults(run=run_collect)


def add_returns(commands) -> None:
    """``feedback``, ``export`` and ``gradescope``: what goes back to the platform."""
    command = commands.add_parser("feedback", help="write an HTML page per student")
    add_db_option(command)
    command.add_argument("assignment", help="lesson folder name")
    command.add_argument("students", nargs="*", metavar="STUDENT", help="only these (default: all)")
    command.add_argument(
        "--zip", type=Path, default=None, help="also write the pages as the LMS's bulk upload"
    )
    command.set_defaults(run=run_feedback)

    command = commands.add_parser("export", help="export the grades for nbgrader, Canvas or Moodle")
    add_db_option(command)
    command.add_argument("assignments", nargs="*", metavar="ASSIGNMENT", help="default: all")
    command.add_argument("--output", type=Path, default=Path("grades.csv"), help="CSV to write")
    command.add_argument(
        "--to", choices=["nbgrader", "canvas", "moodle"], default="nbgrader", help="file format"
    )
    command.add_argument(
        "--roster", type=Path, default=None, help="the LMS's gradebook or participants CSV"
    )
    command.set_defaults(run=run_export)

    command = commands.add_parser("gradescope", help="write a Gradescope autograder zip")
    command.add_argument("lesson", help="lesson folder name, e.g. 05_backprop")
    command.add_argument("--output", type=Path, default=Path("autograder.zip"), help="zip to write")
    command.set_defaults(run=run_gradescope)
