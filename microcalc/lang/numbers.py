"""Builtins on numbers that the engine's operations do not cover: value and round.

Both give plain numbers, not graphs: a plain number does not change when an input changes
in place, which is what a snapshot (every gradient taken before any input moves) needs.
"""

from ..engine import Value
from ..errors import MicrocalcError
from .builtins import builtin
from .format import describe_kind
from .values import is_number, whole_number


def _plain(x, name):
    if isinstance(x, (list, tuple)):
        return [_plain(item, name) for item in x]
    if not is_number(x):
        raise MicrocalcError(f"{name} needs a number or a list of numbers, not {describe_kind(x)}")
    return float(x.data if isinstance(x, Value) else x)


@builtin("value", "value(x)",
         "the number x holds now, as a plain number with no graph (lists too): a snapshot",
         example="a = 2; g = grad(a**2, a); value(g)", category="math")
def value(ctx, x):
    return _plain(x, "value")


@builtin("round", "round(x, digits=0)",
         "x rounded to a number of decimal digits, halves to even (lists too); a plain number",
         example="round(0.7071067811865476, 4)", category="math")
def round_(ctx, x, digits=0):
    places = whole_number(digits, "round's digits")
    plain = _plain(x, "round")

    def rounded(item):
        return [rounded(i) for i in item] if isinstance(item, list) else round(item, places) + 0.0
    return rounded(plain)
