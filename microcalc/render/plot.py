"""Pictures of training in a terminal: a line chart (a loss curve) and the decision boundary
of a classifier with two inputs over its data points.

Both take plain numbers and callables, nothing from the network library, so they draw any
history and any scoring function. The line chart draws with Braille dots (2 x 4 per
character cell) or, in ASCII, one `*` per cell.
"""

from __future__ import annotations

import math

from ..errors import MicrocalcError
from .picture import Picture
from .style import glyphs, number, paint

TYPE_CHECKING = False      # typing is not imported when microcalc runs
if TYPE_CHECKING:
    from typing import Any, Callable, Optional, Sequence

_BRAILLE_BASE = 0x2800      # see style.BRAILLE_SAMPLE
# The bit of each dot in a Braille cell, by [row][column] (Unicode's dot numbering).
_BRAILLE_BITS = ((0x01, 0x08), (0x02, 0x10), (0x04, 0x20), (0x40, 0x80))


def line_chart(values: Sequence[float], width: int = 60, height: int = 12, ascii: bool = False,
               color: bool = False, title: Optional[str] = None, x_label: str = "step",
               log: bool = False) -> Picture:
    """values (a list of numbers, e.g. a loss per step) as a line chart with labelled axes.

    width and height are the plot's size in characters; log=True uses a logarithmic y axis
    (all values must then be positive). Returns a `Picture` whose .data holds the series.
    """
    ys = [_finite(v, "line_chart") for v in values]
    if not ys:
        raise MicrocalcError("nothing to plot: the list of values is empty")
    if width < 2 or height < 2:
        raise MicrocalcError("a chart needs width >= 2 and height >= 2")
    if log and min(ys) <= 0:
        raise MicrocalcError("a logarithmic axis needs positive values")
    g = glyphs(ascii)
    scale = math.log10 if log else (lambda y: y)
    scaled = [scale(y) for y in ys]
    low, high = min(scaled), max(scaled)
    if low == high:            # a flat line: give it room above and below
        low, high = low - 1, high + 1
    _on_one_axis(low, high, min(ys), max(ys))

    cell_w, cell_h = (1, 1) if ascii else (2, 4)
    dots_w, dots_h = width * cell_w, height * cell_h
    lit = set()

    def dot_at(k, y):
        x = 0 if len(ys) == 1 else round(k * (dots_w - 1) / (len(ys) - 1))
        return x, round((high - y) * (dots_h - 1) / (high - low))

    previous = dot_at(0, scaled[0])
    lit.add(previous)
    for k in range(1, len(ys)):
        current = dot_at(k, scaled[k])
        lit.update(_segment(previous, current))
        previous = current

    unscale = (lambda y: 10 ** y) if log else (lambda y: y)
    ticks = {0: unscale(high), height - 1: unscale(low)}
    if height >= 5:
        middle = (height - 1) // 2
        ticks[middle] = unscale(high - (high - low) * middle / (height - 1))
    rows = []
    for row in range(height):
        cells = []
        for col in range(width):
            if ascii:
                cells.append("*" if (col, row) in lit else " ")
            else:
                bits = 0
                for dy in range(4):
                    for dx in range(2):
                        if (col * 2 + dx, row * 4 + dy) in lit:
                            bits |= _BRAILLE_BITS[dy][dx]
                cells.append(chr(_BRAILLE_BASE + bits) if bits else " ")
        rows.append(paint("".join(cells).rstrip(), "op", color))
    label = f"{x_label} (log y)" if x_label and log else x_label
    lines = ([title] if title else []) + _framed(rows, ticks, "0", str(len(ys) - 1), width, g,
                                                 label)
    return Picture("\n".join(lines), {"series": ys, "log": log, "title": title,
                                      "x_label": x_label}, kind="line_chart")


# How the curves of a function chart are told apart: a colour each, or an ASCII mark each.
_CURVE_ROLES = ("op", "grad", "good", "bad")
_CURVE_MARKS = ("*", "+", ".", "o")


def function_chart(xs: Sequence[float],
                   curves: Sequence[tuple[str, Sequence[Optional[float]]]], width: int = 60,
                   height: int = 12, ascii: bool = False, color: bool = False,
                   title: Optional[str] = None) -> Picture:
    """Curves over the same evenly spaced xs on one pair of axes: curves is a list of
    (label, ys), a y being None where the curve is undefined (the line breaks there). Each
    curve is labelled at the right of the row where it ends, and drawn in a colour of its
    own (ASCII: a mark of its own). Returns a `Picture` whose .data holds the curves."""
    defined = [_finite(y, "plot") for _, ys in curves for y in ys if y is not None]
    if not defined or len(xs) < 2:
        raise MicrocalcError("nothing to plot: the function is undefined all over the range")
    if width < 2 or height < 2:
        raise MicrocalcError("a chart needs width >= 2 and height >= 2")
    low, high = min(defined), max(defined)
    if low == high:
        low, high = low - 1, high + 1
    _on_one_axis(low, high, min(defined), max(defined))
    cell_w, cell_h = (1, 1) if ascii else (2, 4)
    dots_w, dots_h = width * cell_w, height * cell_h
    lit, ends = [], {}
    for number_, (label, ys) in enumerate(curves):
        dots, previous = set(), None
        for k, y in enumerate(ys):
            if y is None:
                previous = None
                continue
            current = (round(k * (dots_w - 1) / (len(ys) - 1)),
                       round((high - y) * (dots_h - 1) / (high - low)))
            dots.update(_segment(previous, current) if previous else {current})
            previous = current
            ends[number_] = current[1] // cell_h
        lit.append(dots)
    rows = []
    for row in range(height):
        cells = []
        for col in range(width):
            cells.append(_curve_cell(lit, col, row, ascii, color))
        labels = ", ".join(label for number_, (label, _) in enumerate(curves)
                           if ends.get(number_) == row)
        rows.append(("".join(cells).rstrip() + (" " + labels if labels else "")).rstrip())
    ticks = {0: high, height - 1: low}
    if height >= 5:
        middle = (height - 1) // 2
        ticks[middle] = high - (high - low) * middle / (height - 1)
    lines = ([title] if title else []) + _framed(rows, ticks, xs[0], xs[-1], width,
                                                 glyphs(ascii), "x")
    if ascii or color:          # without either, the curves look alike: their labels tell
        lines.append("  ".join(f"{paint(_CURVE_MARKS[k] if ascii else '⠤⠤', _CURVE_ROLES[k], color)}"
                               f" {label}" for k, (label, _) in enumerate(curves)))
    return Picture("\n".join(lines), {"x": list(xs), "curves": {label: list(ys)
                                                                for label, ys in curves}})


def _curve_cell(lit: list, col: int, row: int, ascii: bool, color: bool) -> str:
    """One character cell of a function chart: the dots of every curve in it, in the colour
    (or mark) of the first curve that has a dot there."""
    if ascii:
        for k, dots in enumerate(lit):
            if (col, row) in dots:
                return _CURVE_MARKS[k % len(_CURVE_MARKS)]
        return " "
    bits, owner = 0, None
    for k, dots in enumerate(lit):
        for dy in range(4):
            for dx in range(2):
                if (col * 2 + dx, row * 4 + dy) in dots:
                    bits |= _BRAILLE_BITS[dy][dx]
                    owner = k if owner is None else owner
    if not bits:
        return " "
    return paint(chr(_BRAILLE_BASE + bits), _CURVE_ROLES[owner % len(_CURVE_ROLES)], color)


def decision_boundary(predict: Callable[[Sequence[float]], Any], points: Sequence[Sequence[float]],
                      labels: Sequence[float], width: int = 60, height: int = 20,
                      ascii: bool = False, color: bool = False) -> Picture:
    """Where predict(x, y) is positive, shaded over the bounding box of points, with every
    point drawn as `o` (label > 0) or `x` (label <= 0); a capital marks a point on the wrong
    side. predict returns a number (or anything with .data, such as a Value).
    """
    points = [(_finite(p[0], "boundary"), _finite(p[1], "boundary")) for p in points]
    labels = [_finite(label, "boundary") for label in labels]
    if not points:
        raise MicrocalcError("decision boundary: no data points")
    if len(points) != len(labels):
        raise MicrocalcError(f"decision boundary: {len(points)} points but {len(labels)} labels")
    if width < 2 or height < 2:
        raise MicrocalcError("a picture needs width >= 2 and height >= 2")
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    x_low, x_high = _padded(min(xs), max(xs))
    y_low, y_high = _padded(min(ys), max(ys))

    def centre(col, row):
        return (x_low + (col + 0.5) * (x_high - x_low) / width,
                y_high - (row + 0.5) * (y_high - y_low) / height)

    def score(x, y):
        s = predict(x, y)
        return float(getattr(s, "data", s))

    positive = [[score(*centre(col, row)) > 0 for col in range(width)] for row in range(height)]

    marks = {}
    correct = 0
    rights = []
    for (x, y), label in zip(points, labels):
        col = min(width - 1, int((x - x_low) / (x_high - x_low) * width))
        row = min(height - 1, int((y_high - y) / (y_high - y_low) * height))
        wanted = label > 0
        right = (score(x, y) > 0) == wanted
        rights.append(right)
        correct += right
        glyph = "o" if wanted else "x"
        glyph = glyph if right else glyph.upper()
        before = marks.get((col, row))
        marks[(col, row)] = glyph if before in (None, glyph) else "*"

    g = glyphs(ascii)
    rows = []
    for row in range(height):
        cells = []
        for col in range(width):
            mark = marks.get((col, row))
            if color:
                region = "positive" if positive[row][col] else "negative"
                cells.append(paint(mark or " ", region, True))
            else:
                cells.append(mark or (g.shade if positive[row][col] else " "))
        rows.append("".join(cells))
    region_text = "coloured blue" if color else f"shaded {g.shade}"
    legend = (f"score > 0 {region_text};  o label > 0, x label <= 0, capitals on the wrong "
              f"side;  {correct}/{len(points)} correct ({100 * correct / len(points):.0f}%)")
    lines = _framed(rows, {0: y_high, height - 1: y_low}, x_low, x_high, width, g) + [legend]
    data = {"x_range": [x_low, x_high], "y_range": [y_low, y_high],
            "positive": [[int(p) for p in row] for row in positive],
            "correct": correct, "total": len(points),
            "points": [list(p) for p in points], "labels": labels,
            "right": rights}
    return Picture("\n".join(lines), data, kind="boundary")


def _framed(rows, y_ticks, x_first, x_last, width, g, x_label=""):
    """rows of a picture between a y axis (labels at the rows given) and an x axis (labels
    at both ends, x_label between them when it fits)."""
    ticks = {row: y if isinstance(y, str) else number(y, 4) for row, y in y_ticks.items()}
    margin = max(len(t) for t in ticks.values())
    lines = [f"{ticks.get(k, ''):>{margin}} {g.axis_vertical}{row}".rstrip()
             for k, row in enumerate(rows)]
    lines.append(" " * margin + " " + g.axis_corner + g.axis_horizontal * width)
    first = x_first if isinstance(x_first, str) else number(x_first, 3)
    last = x_last if isinstance(x_last, str) else number(x_last, 3)
    gap = width - len(first) - len(last)
    if x_label and gap >= len(x_label) + 2:
        axis = first + f"{x_label:^{gap}}" + last
    else:
        axis = first + " " * max(1, gap) + last
    lines.append(" " * (margin + 2) + axis)
    return lines


def _finite(x, who):
    try:
        x = float(getattr(x, "data", x))
    except (TypeError, ValueError):
        raise MicrocalcError(f"{who} needs numbers, not {type(x).__name__}") from None
    if x - x:
        raise MicrocalcError(f"{who} needs finite numbers, not {x}")
    return x


def _padded(low, high):
    """A range around [low, high] with a margin, never empty."""
    span = high - low or max(abs(low), 1.0)
    padded = low - 0.1 * span, high + 0.1 * span
    _on_one_axis(*padded, low, high)
    return padded


def _on_one_axis(start, end, low, high):
    """Refuse an axis from start to end whose length is past the largest float: positions
    on it would be nan (the numbers drawn run from low to high)."""
    if not math.isfinite(end - start):
        raise MicrocalcError(f"these numbers are too far apart to draw on one axis "
                             f"(from {number(low)} to {number(high)})")


def _segment(start, end):
    """The dots on a straight line from start to end (inclusive)."""
    (x0, y0), (x1, y1) = start, end
    steps = max(abs(x1 - x0), abs(y1 - y0), 1)
    return {(round(x0 + (x1 - x0) * t / steps), round(y0 + (y1 - y0) * t / steps))
            for t in range(steps + 1)}
