"""Is an input finished, or does the user have more to type? The REPL asks on every Enter.

Open brackets and braces, or a last line ending in a backslash, mean more is coming. This is
found by one scan that skips strings and comments, never by the parser: Enter must answer
at once, even for a 200,000-character paste, and the input is parsed once, when it runs.
Anything else, a syntax error included, is complete: running it shows the error.
"""

import re

from .parser import first_long_line

__all__ = ["is_complete"]

# A string (closed or not: an unclosed one ends at the line's end), a comment, or a bracket.
_PIECES = re.compile(r'"(?:[^"\\\n]|\\.)*"?|#[^\n]*|[()\[\]{}]')
_OPENERS = "([{"


def is_complete(text):
    if text.rstrip(" \t").endswith("\\"):
        return False
    if first_long_line(text) is not None:
        return True        # nothing typed next can make it readable: show the error
    depth = 0
    for piece in _PIECES.finditer(text):
        char = piece.group()
        if char in _OPENERS:
            depth += 1
        elif char in ")]}":
            if depth == 0:
                return True        # a closing bracket with no opening one: an error now
            depth -= 1
    return depth == 0
