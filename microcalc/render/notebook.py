"""How a notebook (IPython, Jupyter) shows microcalc's pictures and Values, without anyone
writing draw_dot: a graph as an SVG laid out by Graphviz when its `dot` program is
installed, else as its text tree in a <pre>; a line chart or a decision boundary as an SVG
drawn by microcalc itself; any other picture as its text in a <pre>.

A notebook asks for `_repr_svg_` and `_repr_html_` and shows what is not None, preferring
HTML: so exactly one of the two answers for each object.
"""

from html import escape

from . import svg
from .dot import dot, graphviz_svg, has_graphviz


DRAWN = {"line_chart": svg.line_chart, "boundary": svg.decision_boundary}


def svg_of(picture):
    """The picture as an SVG element, or None when it is text (or a graph without Graphviz)."""
    kind = getattr(picture, "kind", "text")
    if kind in DRAWN:
        try:
            return DRAWN[kind](picture.data)
        except (KeyError, TypeError, ValueError, IndexError, ZeroDivisionError):
            return None         # data of a shape this drawing does not know: show the text
    if kind == "dot":
        return graphviz_svg(str(picture))
    return None


def html_of(picture):
    """The picture as <pre> text, or None when it is shown as an SVG."""
    kind = getattr(picture, "kind", "text")
    if (kind == "dot" and has_graphviz()) or (kind in DRAWN and svg_of(picture) is not None):
        return None
    text = picture.fallback() if kind == "dot" and picture.fallback else picture
    return pre(text)


def pre(text):
    """Text as a <pre> block, every character that HTML would read escaped."""
    return f'<pre class="microcalc">{escape(str(text))}</pre>'


def value_svg(value):
    """A Value's graph as Graphviz lays it out, or None without Graphviz."""
    return graphviz_svg(str(dot(value))) if has_graphviz() else None


def value_html(value):
    """A Value's graph as a text tree in a <pre>, when there is no Graphviz to draw it."""
    if has_graphviz():
        return None
    from .tree import tree
    return pre(tree(value))
