"""What every renderer returns: the text to show, carrying its structure for --json;
and the one way tables are laid out in columns."""

from .style import paint


class Picture(str):
    """A string (print it, compare it, write it to a file) with `.data`: the same content
    as JSON-serialisable structure (nodes and edges, table rows, series).

    kind says what it draws ("text", "line_chart", "boundary", "dot"), so that a document or
    a notebook can show a line chart or a boundary as an image drawn from its data, and the
    DOT text of a graph through Graphviz; fallback() gives the text to show instead of the
    DOT text where Graphviz is missing (the graph's tree).
    """

    def __new__(cls, text, data=None, kind="text", fallback=None):
        picture = super().__new__(cls, text)
        picture.data = data
        picture.kind = kind
        picture.fallback = fallback
        return picture

    # How a notebook (IPython, Jupyter) shows a picture: see render/notebook.py.
    def _repr_svg_(self):
        from .notebook import svg_of
        return svg_of(self)

    def _repr_html_(self):
        from .notebook import html_of
        return html_of(self)


def table(rows, align, color=False, gap="  "):
    """Rows of cells as lines padded to column widths, each piece painted by its role.

    A cell is (text, role) or a list of such pieces (a tree's branch glyphs and its label
    share a column). align holds "<" or ">" per column. Widths are measured on the plain
    text, so colour codes never skew the columns; trailing spaces are dropped.
    """
    rows = [[[cell] if isinstance(cell, tuple) else cell for cell in row] for row in rows]
    widths = [0] * len(align)
    for row in rows:
        for i, cell in enumerate(row):
            widths[i] = max(widths[i], sum(len(text) for text, _ in cell))
    lines = []
    for row in rows:
        parts = []
        for cell, width, side in zip(row, widths, align):
            padding = " " * (width - sum(len(text) for text, _ in cell))
            painted = "".join(paint(text, role, color) for text, role in cell)
            parts.append(padding + painted if side == ">" else painted + padding)
        lines.append(gap.join(parts).rstrip())
    return lines
