"""The local derivative of every operation as a formula a person reads (d(u*v)/du = v), and
its value at the operands' current numbers.

The formulas themselves live beside each op's derivative code in the engine's registry
(`Op.formulas`, written in terms of the operands u and v, and `Op.derivative`); this module
writes them out and works them: `dL/dd = d(u*v)/du = v = f = -2`.
"""

import re

from ..errors import DomainError
from .style import number


OPERANDS = ("u", "v")
_OPERAND = re.compile(r"\b(?:[uv]|u\d+)\b")
# A home-made node's partials have no formula: they are what its own _backward adds.
FROM_BACKWARD = "(from its own _backward)"
_INFIX = ("+", "-", "*", "/", "**")


class HomeMade:
    """Stands in for the op of a node built by hand (micrograd's `Value(x, (a, b, c), 'f')`
    with a `_backward` closure): its name, its arity, and no formulas."""

    def __init__(self, node):
        self.name = node.op_label or "f"
        self.arity = len(node.operands)
        # micrograd's own '+' and '*' nodes read as u+v and u*v
        self.symbol = self.name if self.arity == 2 and self.name in _INFIX else None
        self.formulas = (FROM_BACKWARD,) * self.arity


def op_of(node):
    """The op that made node: its registered op, or a stand-in for a home-made node."""
    return node.op or HomeMade(node)


def operand_letter(index):
    """u, v, then u3, u4, ... (a home-made node can have any number of operands)."""
    return OPERANDS[index] if index < len(OPERANDS) else f"u{index + 1}"


def expression(op):
    """The op applied to the operands u (and v), as written: u*v, -u, tanh(u)."""
    if op.symbol and op.arity == 2:
        return f"u{op.symbol}v"
    if op.symbol:
        return f"{op.symbol}u"
    return f"{op.name}({', '.join(operand_letter(i) for i in range(op.arity))})"


def rule(op, index):
    """The generic rule for the partial derivative of op by its operand number index:
    ("d(u*v)/du", "v")."""
    return f"d({expression(op)})/d{operand_letter(index)}", op.formulas[index]


def substitute(formula, operand_texts):
    """formula with u and v replaced by the operands' names or numbers: "v" -> "b"."""
    texts = {operand_letter(i): text for i, text in enumerate(operand_texts)}
    return _OPERAND.sub(lambda m: _parenthesised(texts[m.group()]), formula)


def _parenthesised(text):
    # A negative number or an expression stays one factor when put in a formula: u*(-3).
    return f"({text})" if text.startswith("-") or " " in text else text


def local_derivative(parent, index):
    """d(parent)/d(its operand number index) at the current values, from the op registry
    (or a home-made node's own _backward)."""
    try:
        return parent.local_derivatives()[index]
    except (ArithmeticError, ValueError):
        operands = [c.data for c in parent.operands]
        raise DomainError(op_of(parent).name, operands,
                          "its derivative is infinite or undefined here") from None


def worked_rule(parent, index, operand_texts, value, generic=True):
    """The rule of one local derivative worked out: its generic form, its formula, the
    formula with the operands put in, and its value, each once: "d(u*v)/du = v = f = -2",
    "d(u+v)/du = 1". generic=False leaves out the first two: "f = -2"."""
    general, formula = rule(op_of(parent), index)
    if parent.op is None:
        return f"{general} = {number(value)} {FROM_BACKWARD}" if generic else number(value)
    here = substitute(formula, operand_texts)
    steps = [general, formula] if generic else []
    steps += [s for s in (here, number(value)) if s != formula or not generic]
    kept = []
    for step in steps:
        if not kept or kept[-1] != step:
            kept.append(step)
    return " = ".join(kept)
