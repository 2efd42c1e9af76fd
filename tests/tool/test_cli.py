"""Every instructor command has --help."""

import pytest

from grader.tool.cli import main


@pytest.mark.parametrize(
    "command",
    ["release", "bundle", "collect", "autograde", "feedback", "export", "report", "gradescope"],
)
def test_every_command_has_help(command, capsys):
    with pytest.raises(SystemExit) as exit_:
        main([command, "--help"])
    assert exit_.value.code == 0
    assert "usage: python -m grader " + command in capsys.readouterr().out
