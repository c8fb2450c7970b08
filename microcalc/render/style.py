"""How pictures look: box-drawing glyphs (Unicode or plain ASCII), colour, and numbers.

Every renderer draws with one `Glyphs` set so that `ascii=True` changes all of them at once,
and paints through `paint` so that colour codes appear only when asked for.
"""

import re
from collections import namedtuple

from ..text import tidy_exponent


# tee: a child that has siblings after it; elbow: the last child; pipe: continues a
# parent's line past a child; blank: under a last child; arrow: a step along a path;
# times: multiplication in worked arithmetic; dot: a product of derivatives (dL/dd · dd/de);
# shade: a region of a picture (where a classifier says yes).
Glyphs = namedtuple("Glyphs", "tee elbow pipe blank ellipsis arrow times dot ok bad axis_corner "
                              "axis_vertical axis_horizontal shade")


UNICODE = Glyphs(tee="├─ ", elbow="└─ ", pipe="│  ", blank="   ", ellipsis="…", arrow="→",
                 times="×", dot="·", ok="✓", bad="✗",
                 axis_corner="└", axis_vertical="│", axis_horizontal="─", shade="░")
ASCII = Glyphs(tee="|- ", elbow="`- ", pipe="|  ", blank="   ", ellipsis="...",
               arrow="->", times="x", dot="*", ok="ok", bad="FAIL",
               axis_corner="+", axis_vertical="|", axis_horizontal="-", shade=".")


def glyphs(ascii=False):
    return ASCII if ascii else UNICODE


BRAILLE_SAMPLE = "\u2801\u28ff"     # line charts use the Braille block U+2800..U+28FF

# Every non-ASCII character a picture may contain: a front end whose output cannot encode
# all of them should draw with ascii=True.
UNICODE_CHARACTERS = "".join(sorted({ch for glyph in UNICODE for ch in glyph
                                     if ord(ch) > 127})) + BRAILLE_SAMPLE


# ANSI SGR codes by the role a piece of text plays in a picture.
_COLOURS = {
    "name": "1",          # bold
    "op": "36",           # cyan
    "value": "",
    "grad": "33",         # yellow
    "muted": "2",         # dim: references, cuts, headers
    "good": "32",
    "bad": "31",
    "positive": "44",     # decision regions, as backgrounds
    "negative": "41",
    "highlight": "7",     # reverse video: where a walk through the graph is
}


def paint(text, role, color):
    """text in the colour of its role, or unchanged when colour is off."""
    code = _COLOURS[role]
    if not color or not code or not text:
        return text
    return f"\x1b[{code}m{text}\x1b[0m"


_PAINT = re.compile(r"\x1b\[[0-9;]*m")


def unpainted(text):
    """text with the colour codes of paint taken out."""
    return _PAINT.sub("", str(text))


def number(x, digits=6):
    """x to `digits` significant digits in its shortest form: 6, -1.5, 0.707107, 1.15292e18.

    Pictures show rounded numbers so that columns stay narrow and a value such as
    -1.4999999999999996 reads as the -1.5 it is meant to be; the REPL prints full precision.
    Exponents are written as the language writes them: 1e16, 1.5e-7.
    """
    text = tidy_exponent(f"{float(x):.{digits}g}")
    return "0" if text == "-0" else text


def factor(x, first=False):
    """x as a factor or term of worked arithmetic: a negative number after the first is
    bracketed, -2 × (-3)."""
    text = number(x)
    return f"({text})" if text.startswith("-") and not first else text


def scientific(x, digits=2):
    """x in scientific notation with `digits` significant digits: 8.2e-11, 3.3e-1, 0."""
    if x == 0:
        return "0"
    mantissa, exponent = f"{float(x):.{digits - 1}e}".split("e")
    return f"{mantissa}e{int(exponent)}"
