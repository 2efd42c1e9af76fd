"""Text that came from a student, made safe to show: on a terminal, and in a spreadsheet.

A student's exception message, output type or file name can hold escape sequences that move
the cursor, clear the screen or write the clipboard of the instructor's terminal, and a cell
value that a spreadsheet runs as a formula. Everything the tool prints or exports that a
student could have written goes through one of these.
"""

from __future__ import annotations

import re

# C0 and C1 control characters and DEL, except tab and newline, which a message may use.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def terminal_safe(text: str) -> str:
    """``text`` with every control character but tab and newline shown as an escape (\\x1b)."""
    return _CONTROL.sub(lambda match: f"\\x{ord(match.group(0)):02x}", str(text))


def spreadsheet_safe(value):
    """A cell value that a spreadsheet shows as text: a string that would start a formula gets
    a leading apostrophe, and control characters are escaped. Numbers pass unchanged."""
    if not isinstance(value, str):
        return value
    value = terminal_safe(value)
    return "'" + value if value.startswith(FORMULA_STARTS) else value
