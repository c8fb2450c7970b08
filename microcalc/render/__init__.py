"""Seeing the graph: trees, Graphviz DOT, the chain rule spelled out, gradient checks and
terminal plots, as functions returning text (`Picture`s: strings carrying `.data`).

The language commands built on them (tree, dot, explain, check, watch, plot, boundary) live
in `microcalc.render.commands`, which is imported by `microcalc.session` and not here, so
that the Python API does not load the language.
"""

from .check import check
from .dot import dot, write_dot
from .explain import explain
from .plot import decision_boundary, line_chart
from .tree import tree

__all__ = ["tree", "dot", "write_dot", "explain", "check", "line_chart", "decision_boundary"]
