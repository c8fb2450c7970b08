"""Builtins on lists and plain numbers: len, value and round.

value and round give plain numbers, not graphs: a plain number does not change when an
input changes in place, which is what a snapshot (every gradient taken before any input
moves) needs.
"""

from ...engine import Value
from ...errors import MicrocalcError
from ..arguments import is_number, whole
from ..format import describe_kind
from .registry import builtin


@builtin("len", "The number of items in a list, or of characters in a string.",
         example="len([1, 2, [3, 4]])", category="lists")
def length(ctx, xs):
    if not isinstance(xs, (list, tuple, str)):
        raise MicrocalcError(f"len needs a list, not {describe_kind(xs)}")
    return float(len(xs))


def _plain(x, name):
    if isinstance(x, (list, tuple)):
        return [_plain(item, name) for item in x]
    if not is_number(x):
        raise MicrocalcError(f"{name} needs a number or a list of numbers, not {describe_kind(x)}")
    return float(x.data if isinstance(x, Value) else x)


@builtin("value", "The number x holds now, as a plain number with no graph (a list gives a "
         "list): a snapshot that later changes of an input leave alone.",
         example="a = 2; g = grad(a**2, a); value(g)", category="math")
def value(ctx, x):
    return _plain(x, "value")


@builtin("round", "x rounded to a number of decimal digits, halves to even (a list is "
         "rounded item by item); a plain number.",
         example="round(0.7071067811865476, 4)", category="math")
def round_(ctx, x, digits=0):
    places = whole(digits, "round's digits")
    plain = _plain(x, "round")

    def rounded(item):
        return [rounded(i) for i in item] if isinstance(item, list) else round(item, places) + 0.0
    return rounded(plain)
