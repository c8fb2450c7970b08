"""A number that remembers how it was made, and the one registry of operations.

    ops.py        every operation's forward rule and local derivative, side by side (`OPS`)
    value.py      `Value`, laid out as micrograd's
    rules.py      the table compiled into Value's operators and the backward step
    graph.py      walking a graph: the backward pass, `grad`, recomputation
    collector.py  keeping the cyclic garbage collector off a graph being built
    check.py      `gradcheck`: autodiff against finite differences

Layers above the engine read a node through its public accessors (`op`, `operands`,
`is_input`), never its private fields.
"""

from ..errors import DomainError
from .ops import FUNCTIONS, OPS, Op
from .value import Value
from .graph import grad, recompute, topological_order
from .check import GradCheck, gradcheck
from .collector import builds_graph, collector_paused

__all__ = ["Value", "Op", "OPS", "FUNCTIONS", "grad", "gradcheck", "recompute",
           "topological_order", "DomainError", "GradCheck", "collector_paused", "builds_graph"]
