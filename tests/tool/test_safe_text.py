"""Student text is shown as data: no terminal escapes, no spreadsheet formulas."""

from grader.tool.safe_text import spreadsheet_safe, terminal_safe


def test_escapes_are_shown_not_obeyed():
    assert terminal_safe("red \x1b[31m\x1b]52;c;aGk=\x07 done") == (
        "red \\x1b[31m\\x1b]52;c;aGk=\\x07 done"
    )
    assert terminal_safe("line one\n\tline two") == "line one\n\tline two"
    assert terminal_safe("\x9b2J") == "\\x9b2J"


def test_formulas_become_text_and_numbers_stay_numbers():
    assert spreadsheet_safe('=HYPERLINK("x")') == '\'=HYPERLINK("x")'
    assert [spreadsheet_safe(v) for v in ("+1", "-2", "@A1", "alice")] == [
        "'+1",
        "'-2",
        "'@A1",
        "alice",
    ]
    assert spreadsheet_safe(-2.5) == -2.5
