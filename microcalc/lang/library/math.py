"""The engine's operations that are called by name (tanh, exp, log, ...), as builtins.

Every op of the engine's registry that is a function rather than an operator becomes a
builtin with the op's own description and example, so a new op in `microcalc.engine.ops`
is a new builtin at once. Three builtins are written here by hand because one name calls
more than one op or folds one over a list: `log(x)` or `log(x, base)`, and `max` and `min`
of a list or of several numbers.
"""

import inspect

from ...engine import FUNCTIONS, OPS
from ...errors import DomainError, MicrocalcError
from ..arguments import is_number
from ..format import describe_kind
from ..sequences import items_of
from .registry import builtin

OPERAND_NAMES = ("x", "y")
# Ops reached through the builtins below rather than by their own names.
CALLED_OTHERWISE = {"log", "log_base", "max", "min"}


def _as_builtin(op):
    apply = FUNCTIONS[op.name]

    def call(ctx, *operands):
        _check_numbers(op.name, operands)
        return apply(*operands)

    parameters = [inspect.Parameter(name, inspect.Parameter.POSITIONAL_ONLY)
                  for name in ("ctx",) + OPERAND_NAMES[:op.arity]]
    call.__signature__ = inspect.Signature(parameters)
    call.__name__ = op.name
    return call


def _check_numbers(name, operands):
    for operand in operands:
        if not is_number(operand):
            raise MicrocalcError(f"{name} needs a number, not {describe_kind(operand)}")


for _op in OPS.values():
    if _op.is_function and _op.name not in CALLED_OTHERWISE:
        builtin(_op.name, _op.doc, example=_op.example, category="math")(
            _as_builtin(_op))


@builtin("log", "The natural logarithm of x, for x > 0; log'(x) = 1/x. log(x, base) is the "
         "logarithm to that base (positive, not 1): log(x)/log(base).",
         example="log(1)\nlog(8, 2)", category="math")
def log(ctx, x, base=None):
    if base is None:
        _check_numbers("log", (x,))
        return FUNCTIONS["log"](x)
    _check_numbers("log", (x, base))
    try:
        return FUNCTIONS["log_base"](x, base)
    except DomainError as exc:           # said as it was written: log(8, 1), not log_base
        raise DomainError("log", exc.operands, exc.reason) from None


def _fold(name, values):
    """max or min of a list, or of several numbers, pair by pair from the first: the
    gradient reaches the element chosen (the first of equal ones)."""
    if len(values) == 1 and not is_number(values[0]):
        items = items_of(values[0])
        if items is None:
            raise MicrocalcError(f"{name} needs a list or numbers, not "
                                 f"{describe_kind(values[0])}")
        values = items
    if not values:
        raise MicrocalcError(f"{name} needs at least one number, and the list is empty")
    for position, value in enumerate(values):
        if not is_number(value):
            raise MicrocalcError(f"{name} compares numbers, and item {position} is "
                                 f"{describe_kind(value)}")
    choose = FUNCTIONS[name]
    chosen = values[0]
    for value in values[1:]:
        chosen = choose(chosen, value)
    return chosen


@builtin("max", "The largest of a list of numbers, or of several numbers; the gradient goes "
         "to the one chosen (the first of equal ones).",
         example="max([3, 1, 4, 1, 5])\nmax(2, 7)\na = 2; b = 3\ngrad(max(a, b), b)",
         category="math")
def maximum(ctx, *xs):
    return _fold("max", xs)


@builtin("min", "The smallest of a list of numbers, or of several numbers; the gradient goes "
         "to the one chosen (the first of equal ones).",
         example="min([3, 1, 4])\nmin(2, 7)", category="math")
def minimum(ctx, *xs):
    return _fold("min", xs)
