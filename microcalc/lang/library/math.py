"""The engine's operations that are called by name (tanh, exp, log, ...), as builtins.

Nothing is listed here: every op of the engine's registry that is a function rather than an
operator becomes a builtin with the op's own description and example, so a new op in
`microcalc.engine.ops` is a new builtin at once.
"""

import inspect

from ...engine import FUNCTIONS, OPS
from ...errors import MicrocalcError
from ..arguments import is_number
from ..format import describe_kind
from .registry import builtin

OPERAND_NAMES = ("x", "y")


def _as_builtin(op):
    apply = FUNCTIONS[op.name]

    def call(ctx, *operands):
        for operand in operands:
            if not is_number(operand):
                raise MicrocalcError(f"{op.name} needs a number, not {describe_kind(operand)}")
        return apply(*operands)

    parameters = [inspect.Parameter(name, inspect.Parameter.POSITIONAL_ONLY)
                  for name in ("ctx",) + OPERAND_NAMES[:op.arity]]
    call.__signature__ = inspect.Signature(parameters)
    call.__name__ = op.name
    return call


def _sentence(text):
    return text if text.endswith(".") else text + "."


for _op in OPS.values():
    if _op.is_function:
        builtin(_op.name, _sentence(_op.doc), example=_op.example, category="math")(
            _as_builtin(_op))
