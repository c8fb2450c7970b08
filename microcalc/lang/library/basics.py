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


def _plain(x, name, convert=None):
    """x's numbers as floats (passed through convert), in lists shaped as x's. A list that
    holds another several times is converted once and shared as it was (`xs = [xs, xs]`
    doubled 40 times is 41 lists, not a trillion numbers), and lists are walked without
    recursion, so nesting is no limit either."""
    if not isinstance(x, (list, tuple)):
        return _plain_number(x, name, convert)
    converted = {}                       # id of a list -> its converted copy
    stack = [(x, iter(x), [])]
    while True:
        items, rest, copy = stack[-1]
        item = next(rest, _END)
        if item is _END:
            stack.pop()
            converted[id(items)] = copy
            if not stack:
                return copy
            stack[-1][2].append(copy)
        elif not isinstance(item, (list, tuple)):
            copy.append(_plain_number(item, name, convert))
        elif id(item) in converted:
            copy.append(converted[id(item)])
        else:
            stack.append((item, iter(item), []))


_END = object()


def _plain_number(x, name, convert):
    if not is_number(x):
        raise MicrocalcError(f"{name} needs a number or a list of numbers, "
                             f"not {describe_kind(x)}")
    number = float(x.data if isinstance(x, Value) else x)
    return convert(number) if convert else number


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
    return _plain(x, "round", lambda number: round(number, places) + 0.0)
