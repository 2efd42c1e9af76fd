"""Every instructor command has --help, and every sandbox limit has an autograde option."""

import dataclasses

import pytest

from grader.tool.cli import build_parser, limits_from, main
from grader.tool.isolation import Limits


@pytest.mark.parametrize(
    "command",
    ["release", "bundle", "collect", "autograde", "feedback", "export", "report", "gradescope"],
)
def test_every_command_has_help(command, capsys):
    with pytest.raises(SystemExit) as exit_:
        main([command, "--help"])
    assert exit_.value.code == 0
    assert "usage: python -m grader " + command in capsys.readouterr().out


def test_autograde_without_limit_options_grades_with_the_default_limits():
    assert limits_from(build_parser().parse_args(["autograde", "05_backprop"])) == Limits()


def test_every_limit_option_reaches_its_field_in_its_unit():
    args = build_parser().parse_args(
        ["autograde", "05_backprop"]
        + ["--timeout", "7.5", "--notebook-timeout", "90", "--start-timeout", "12"]
        + ["--memory", "1.5", "--processes", "32", "--file-mib", "8", "--disk-mib", "64"]
        + ["--disk-files", "500", "--cell-output-mib", "0.5", "--output-mib", "4"]
        + ["--max-notebook-mib", "3", "--intake-memory-mib", "512"]
    )
    limits = limits_from(args)
    assert dataclasses.asdict(limits) == {
        "cell_timeout": 7.5,
        "notebook_timeout": 90.0,
        "start_timeout": 12.0,
        "memory_bytes": 3 * 2**29,
        "processes": 32,
        "file_bytes": 8 * 2**20,
        "disk_bytes": 64 * 2**20,
        "disk_files": 500,
        "output_bytes": 2**19,
        "notebook_output_bytes": 4 * 2**20,
        "notebook_bytes": 3 * 2**20,
        "intake_memory_bytes": 512 * 2**20,
    }
    assert all(type(getattr(limits, f.name)) is type(f.default) for f in dataclasses.fields(Limits))


@pytest.mark.parametrize(
    "command",
    [
        ["autograde", "05_backprop"],
        ["collect", "05_backprop", "export.zip"],
        ["feedback", "05_backprop"],
        ["export"],
        ["report", "05_backprop"],
    ],
    ids=lambda command: command[0],
)
def test_every_command_that_reads_the_gradebook_takes_db(command, capsys):
    assert main([*command, "--db", "mysql://grader@localhost/course"]) == 1
    assert capsys.readouterr().err == (
        "error: 'mysql://grader@localhost/course' is not a gradebook URL: use "
        "sqlite:///path/to/gradebook.db or postgresql://user:password@host:port/database\n"
    )
