"""Seeing the graph: trees, Graphviz DOT, the chain rule spelled out, backpropagation walked
node by node and as the textbook's table, gradient checks and terminal plots, as functions
returning text (`Picture`s: strings carrying `.data`).

Pure pictures: nothing here knows the language. The language's commands built on them
(tree, dot, explain, check, watch, plot, boundary) live in `microcalc.lang.library.graphs`.
Each renderer is imported when first asked for, so `from microcalc.render import tree`
loads only what trees need.
"""

import sys
import types

from ..lazy import lazy_names

_HOMES = {"tree": "tree", "dot": "dot", "write_dot": "dot", "explain": "explain",
          "check": "check", "line_chart": "plot", "decision_boundary": "plot",
          "backward": "backprop", "Walk": "backprop", "chain_table": "textbook",
          "function_chart": "plot"}

__all__ = list(_HOMES)

TYPE_CHECKING = False      # for type checkers, what the lazy imports below give
if TYPE_CHECKING:
    from .check import check
    from .dot import dot, write_dot
    from .explain import explain
    from .plot import decision_boundary, line_chart
    from .backprop import Walk, backward
    from .textbook import chain_table
    from .tree import tree


__getattr__, __dir__ = lazy_names(__name__, _HOMES)


class _Pictures(types.ModuleType):
    """This package. Its pictures are functions named as the modules that draw them (tree in
    tree.py, dot in dot.py), and importing a module sets it as an attribute of its package:
    so a module may not take the place of its function (`render.tree` stays callable
    whichever was imported first)."""

    def __setattr__(self, name, value):
        if isinstance(value, types.ModuleType) and _HOMES.get(name) == name:
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Pictures
