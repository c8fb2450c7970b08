"""How microcalc writes a number: the one shortest form every layer shows.

Python's repr already finds the shortest digits that read back as the same float; microcalc
drops the ".0" of whole numbers, writes exponents without "+" or leading zeros (1e16,
1.5e-7) and shows -0.0 as 0, which compares equal to it.
"""

__all__ = ["shortest", "significant", "tidy_exponent", "escape_controls"]


def shortest(x):
    """The shortest text that reads back as the same float: 6, -1.5, 0.7071067811865477."""
    x = float(x)
    if x == 0:
        return "0"
    if x - x:                       # inf or nan: never a Value, but a float may be shown
        return repr(x)
    text = tidy_exponent(repr(x))
    return text[:-2] if text.endswith(".0") else text


def tidy_exponent(text):
    """A float's text with its exponent as the language writes it: 1.5e-07 -> 1.5e-7,
    1e+16 -> 1e16, 2.0e+16 -> 2e16."""
    if "e" not in text:
        return text
    mantissa, exponent = text.split("e")
    if mantissa.endswith(".0"):
        mantissa = mantissa[:-2]
    return f"{mantissa}e{int(exponent)}"


# C0 controls, DEL and C1 controls: each can start a terminal escape sequence or move the
# cursor. A newline is kept (it ends a line); everything else is shown as an escape.
_NAMED_CONTROLS = {"\t": "\\t", "\r": "\\r"}
_CONTROLS = {code: _NAMED_CONTROLS.get(chr(code), f"\\x{code:02x}")
             for code in (*range(0x00, 0x20), *range(0x7f, 0xa0)) if code != 0x0a}
# json.dumps escapes C0 controls but writes DEL and the C1 controls as they are; inside a
# JSON string each may be written as \u00XX instead, which a terminal shows harmlessly.
JSON_CONTROLS = {code: f"\\u{code:04x}" for code in range(0x7f, 0xa0)}
# A colour code (SGR: ESC [ digits and semicolons m) is the one sequence that may stay, and
# only when the front end paints colour itself: it changes how text looks, nothing else.
_COLOUR_CODE = None


def escape_controls(text, keep_colour=False):
    """text safe to write to a terminal: every control character but the newline written as
    an escape (ESC as \\x1b, CR as \\r, NUL as \\x00, ...), so that a program, a file or a file
    name cannot clear the screen, move the cursor or set the clipboard. With keep_colour,
    colour codes (ESC [ 1;31 m and the like) are left as they are."""
    if text.isprintable():          # the common case, at C speed
        return text
    if not keep_colour:
        return text.translate(_CONTROLS)
    global _COLOUR_CODE
    if _COLOUR_CODE is None:
        import re
        _COLOUR_CODE = re.compile(r"(\x1b\[[0-9;]*m)")
    parts = _COLOUR_CODE.split(text)
    return "".join(part if index % 2 else part.translate(_CONTROLS)
                   for index, part in enumerate(parts))


def significant(x, digits):
    """x rounded to `digits` significant digits, written as shortest() writes it:
    significant(2/3, 4) is 0.6667, significant(1234567, 3) is 1.23e6."""
    x = float(x)
    if x == 0 or x - x:
        return shortest(x)
    return shortest(float(f"{x:.{digits}g}"))
