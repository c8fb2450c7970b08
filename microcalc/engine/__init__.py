"""A number that remembers how it was made, and the one registry of operations.

    ops.py     every operation's forward rule and local derivative, side by side (`OPS`)
    value.py   `Value` and the machinery that applies those rules: the backward pass,
               recomputation, the functional `grad` and `gradcheck`

Layers above the engine read a node through its public accessors (`op`, `operands`,
`is_input`), never its private fields.
"""

from ..errors import DomainError
from .value import GradCheck, Value, grad, gradcheck, recompute, topological_order
from .ops import FUNCTIONS, OPS, Op

__all__ = ["Value", "Op", "OPS", "FUNCTIONS", "grad", "gradcheck", "recompute",
           "topological_order", "DomainError", "GradCheck"]
