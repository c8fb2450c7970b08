"""Inputs at and past the limits: each ends with results or a clear error, never a crash, a
traceback or a hang.

- brackets nested 100,000 deep, and sums of 100,000 terms written out;
- a number with 100,000 digits;
- a line of 10 MB;
- overflow and NaN: a result that is not a finite number is an error, at the operation that
  made it (docs/security.md states the policy);
- a `repeat` of a billion steps, stopped by SIGINT (exit 130 in a script, the prompt again in
  the REPL, with every variable kept);
- graphs too large to draw in full: tree, explain and dot draw part of them and say so.
"""

import math

import pytest

from microcalc.lang.errors import Source, SourceError
from microcalc.session import new_session


def run(text):
    """Run text in a fresh session: (printed texts, the SourceError or None)."""
    session = new_session()
    events = []
    try:
        session.run(text, emit=events.append)
    except SourceError as error:
        return [event.text for event in events], error
    return [event.text for event in events], None


# -- long lines in error reports -------------------------------------------------------------

def test_an_error_on_a_long_line_shows_the_part_around_it():
    line = "x = 1 + " + "1 + " * 50_000 + "nope + " + "2 + " * 50_000 + "3"
    error = Source(line).error("unknown name 'nope'", 1, line.index("nope") + 1,
                               end_column=line.index("nope") + 5)
    report = error.format().splitlines()
    assert report[0] == "error: unknown name 'nope'"
    assert all(len(row) < 200 for row in report)
    source_row, caret_row = report[2], report[3]
    caret = caret_row.index("^")
    assert source_row[caret:caret + 4] == "nope" and caret_row[caret:].strip() == "^^^^"
    assert source_row.startswith("1 | ...") and source_row.endswith("...")


def test_a_short_line_is_shown_whole():
    error = Source("y = tahn(x)").error("unknown name 'tahn'", 1, 5, end_column=9)
    assert error.format().splitlines()[2:] == ["1 | y = tahn(x)", "  |     ^^^^"]
