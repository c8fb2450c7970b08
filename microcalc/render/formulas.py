"""The local derivative of every operation as a formula a person reads: d(u*v)/du = v.

The engine's registry (`microcalc.engine.OPS`) holds each op's derivative as code; this is
the one table of the same derivatives as text, keyed by op name, one formula per operand,
written in terms of the operands u (and v). Test `test_render_explain` checks that every op
in the registry has its formulas here, so a new op cannot be forgotten.
"""

import re

from ..engine import OPS

LOCAL_DERIVATIVES = {
    "add": ("1", "1"),
    "sub": ("1", "-1"),
    "mul": ("v", "u"),
    "div": ("1/v", "-u/v**2"),
    "pow": ("v*u**(v-1)", "u**v*log(u)"),
    "neg": ("-1",),
    "tanh": ("1 - tanh(u)**2",),
    "exp": ("exp(u)",),
    "log": ("1/u",),
    "relu": ("1 if u > 0 else 0",),
    "sigmoid": ("sigmoid(u)*(1 - sigmoid(u))",),
    "sqrt": ("1/(2*sqrt(u))",),
    "abs": ("sign(u)",),
    "sin": ("cos(u)",),
    "cos": ("-sin(u)",),
}

OPERANDS = ("u", "v")
_OPERAND = re.compile(r"\b[uv]\b")


def expression(op):
    """The op applied to the operands u (and v), as written: u*v, -u, tanh(u)."""
    if op.symbol and op.arity == 2:
        return f"u{op.symbol}v"
    if op.symbol:
        return f"{op.symbol}u"
    return f"{op.name}({', '.join(OPERANDS[:op.arity])})"


def rule(op, index):
    """The generic rule for the partial derivative of op by its operand number index:
    ("d(u*v)/du", "v"). An op missing from the table gets its own name as the formula."""
    formulas = LOCAL_DERIVATIVES.get(op.name)
    formula = formulas[index] if formulas else f"{op.name}'"
    return f"d({expression(op)})/d{OPERANDS[index]}", formula


def substitute(formula, operand_texts):
    """formula with u and v replaced by the operands' names or numbers: "v" -> "b"."""
    texts = dict(zip(OPERANDS, operand_texts))
    return _OPERAND.sub(lambda m: _parenthesised(texts[m.group()]), formula)


def _parenthesised(text):
    # A negative number or an expression stays one factor when put in a formula: u*(-3).
    return f"({text})" if text.startswith("-") or " " in text else text


def missing_ops():
    """Ops in the engine's registry with no formula here (should be none)."""
    return sorted(name for name in OPS if name not in LOCAL_DERIVATIVES)
