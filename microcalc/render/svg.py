"""Pictures of training as SVG, drawn by microcalc itself from a picture's data: the line
chart of a loss curve and the decision boundary of a classifier, for documents and
notebooks. No Graphviz, no plotting library: a few rectangles, a polyline and some text.

Each function takes the `.data` of the terminal picture (render/plot.py) and returns one
self-contained <svg> element: no scripts, no fonts or images from elsewhere.
"""

import math
from xml.sax.saxutils import escape

from .style import number

WIDTH, HEIGHT = 640, 320
LEFT, RIGHT, TOP, BOTTOM = 72, 20, 34, 46
LINE = "#1f6fb4"
POSITIVE, NEGATIVE = "#cfe3f7", "#f7d6d2"
FONT = 'font-family="DejaVu Sans, Helvetica, Arial, sans-serif" font-size="12"'


def line_chart(data, width=WIDTH, height=HEIGHT):
    """A line chart of data["series"] (one number per step), on a logarithmic y axis when
    data["log"] is set, with data["title"] above it."""
    ys = [float(y) for y in data["series"]]
    log = bool(data.get("log"))
    scaled = [math.log10(y) for y in ys] if log else ys
    low, high = min(scaled), max(scaled)
    if low == high:
        low, high = low - 1, high + 1
    plot_w, plot_h = width - LEFT - RIGHT, height - TOP - BOTTOM
    last = max(len(ys) - 1, 1)

    def x_at(k):
        return LEFT + plot_w * k / last

    def y_at(v):
        return TOP + plot_h * (high - v) / (high - low)

    parts = [_open(width, height, data.get("title") or "line chart")]
    parts.append(_frame(plot_w, plot_h))
    for v in _ticks(low, high, log):
        y = y_at(v)
        label = number(10 ** v if log else v, 4)
        parts.append(f'<line x1="{LEFT - 4}" y1="{y:.1f}" x2="{LEFT + plot_w}" y2="{y:.1f}" '
                     f'stroke="#e2e2e2"/>')
        parts.append(_text(LEFT - 8, y + 4, label, anchor="end"))
    for k in _step_ticks(len(ys)):
        parts.append(_text(x_at(k), TOP + plot_h + 16, str(k), anchor="middle"))
    points = " ".join(f"{x_at(k):.2f},{y_at(v):.2f}" for k, v in enumerate(scaled))
    if len(ys) == 1:
        parts.append(f'<circle cx="{x_at(0):.2f}" cy="{y_at(scaled[0]):.2f}" r="3" '
                     f'fill="{LINE}"/>')
    else:
        parts.append(f'<polyline points="{points}" fill="none" stroke="{LINE}" '
                     f'stroke-width="1.8" stroke-linejoin="round"/>')
    x_label = data.get("x_label") or ""
    if x_label:
        x_label += " (log y)" if log else ""
        parts.append(_text(LEFT + plot_w / 2, height - 10, x_label, anchor="middle"))
    if data.get("title"):
        parts.append(_text(LEFT, 20, data["title"], weight="bold"))
    parts.append("</svg>")
    return "\n".join(parts)


def decision_boundary(data, width=WIDTH, height=None):
    """Where a classifier's score is positive (blue) or not (red) over the box of its data,
    with every point: a dot for label > 0, a cross otherwise, ringed when on the wrong side."""
    grid = data["positive"]
    rows, cols = len(grid), len(grid[0])
    (x_low, x_high), (y_low, y_high) = data["x_range"], data["y_range"]
    plot_w = width - LEFT - RIGHT
    # A terminal's character cell is about twice as tall as it is wide: keep its proportions.
    plot_h = plot_w * 2 * rows / cols if height is None else height - TOP - BOTTOM
    height = TOP + plot_h + BOTTOM + 18
    cell_w, cell_h = plot_w / cols, plot_h / rows

    def x_at(x):
        return LEFT + plot_w * (x - x_low) / (x_high - x_low)

    def y_at(y):
        return TOP + plot_h * (y_high - y) / (y_high - y_low)

    parts = [_open(width, height, "decision boundary")]
    for r, row in enumerate(grid):
        c = 0
        while c < cols:               # one rectangle per run of cells on the same side
            end = c
            while end < cols and row[end] == row[c]:
                end += 1
            parts.append(f'<rect x="{LEFT + c * cell_w:.2f}" y="{TOP + r * cell_h:.2f}" '
                         f'width="{(end - c) * cell_w + 0.3:.2f}" height="{cell_h + 0.3:.2f}" '
                         f'fill="{POSITIVE if row[c] else NEGATIVE}"/>')
            c = end
    parts.append(_frame(plot_w, plot_h))
    rights = data.get("right") or [True] * len(data.get("points", []))
    for (x, y), label, right in zip(data.get("points", []), data.get("labels", []), rights):
        cx, cy = x_at(x), y_at(y)
        if label > 0:
            parts.append(f'<circle cx="{cx:.2f}" cy="{cy:.2f}" r="3.5" fill="{LINE}"/>')
        else:
            parts.append(f'<path d="M{cx - 3.5:.2f},{cy - 3.5:.2f}L{cx + 3.5:.2f},'
                         f'{cy + 3.5:.2f}M{cx - 3.5:.2f},{cy + 3.5:.2f}L{cx + 3.5:.2f},'
                         f'{cy - 3.5:.2f}" stroke="#b3261e" stroke-width="2"/>')
        if not right:
            parts.append(f'<circle cx="{cx:.2f}" cy="{cy:.2f}" r="6.5" fill="none" '
                         f'stroke="#000" stroke-width="1.4"/>')
    parts.append(_text(LEFT - 8, TOP + 10, number(y_high, 4), anchor="end"))
    parts.append(_text(LEFT - 8, TOP + plot_h, number(y_low, 4), anchor="end"))
    parts.append(_text(LEFT, TOP + plot_h + 16, number(x_low, 3), anchor="start"))
    parts.append(_text(LEFT + plot_w, TOP + plot_h + 16, number(x_high, 3), anchor="end"))
    correct, total = data.get("correct"), data.get("total")
    legend = "blue where the score > 0;  dot: label > 0, cross: label <= 0"
    parts.append(_text(LEFT, height - 26, legend))
    legend = "ringed: on the wrong side"
    if total:
        legend += f";  {correct}/{total} correct ({100 * correct / total:.0f}%)"
    parts.append(_text(LEFT, height - 10, legend))
    parts.append("</svg>")
    return "\n".join(parts)


def _open(width, height, title):
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height:.0f}" '
            f'viewBox="0 0 {width} {height:.0f}" role="img">\n<title>{escape(title)}</title>\n'
            f'<rect width="100%" height="100%" fill="#ffffff"/>')


def _frame(plot_w, plot_h):
    return (f'<rect x="{LEFT}" y="{TOP}" width="{plot_w}" height="{plot_h:.2f}" fill="none" '
            f'stroke="#555555"/>')


def _text(x, y, text, anchor="start", weight="normal"):
    return (f'<text x="{x:.2f}" y="{y:.2f}" text-anchor="{anchor}" font-weight="{weight}" '
            f'{FONT} fill="#222222">{escape(text)}</text>')


def _ticks(low, high, log):
    """Where the y axis is labelled: whole powers of ten on a log axis (or its ends when it
    spans less than one), else five even steps."""
    if log:
        near = (high - low) / 12          # a power this close to an end would overprint it
        return [low, high] + [p for p in range(math.ceil(low), math.floor(high) + 1)
                              if p - low > near and high - p > near]
    return [low + (high - low) * k / 4 for k in range(5)]


def _step_ticks(count):
    """A few step numbers along the x axis: the first, the last and some between."""
    if count <= 1:
        return [0]
    last = count - 1
    every = max(1, round(last / 5))
    ticks = list(range(0, last, every))
    if last - ticks[-1] < every / 2 and len(ticks) > 1:
        ticks.pop()
    return ticks + [last]
