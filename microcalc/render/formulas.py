"""The local derivative of every operation as a formula a person reads: d(u*v)/du = v.

The formulas themselves live beside each op's derivative code in the engine's registry
(`Op.formulas`, written in terms of the operands u and v); this module writes them out.
"""

import re


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
    ("d(u*v)/du", "v")."""
    return f"d({expression(op)})/d{OPERANDS[index]}", op.formulas[index]


def substitute(formula, operand_texts):
    """formula with u and v replaced by the operands' names or numbers: "v" -> "b"."""
    texts = dict(zip(OPERANDS, operand_texts))
    return _OPERAND.sub(lambda m: _parenthesised(texts[m.group()]), formula)


def _parenthesised(text):
    # A negative number or an expression stays one factor when put in a formula: u*(-3).
    return f"({text})" if text.startswith("-") or " " in text else text
