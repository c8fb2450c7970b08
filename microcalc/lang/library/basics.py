"""Builtins on lists and plain numbers: len, sum, mean, range, value, round and print.

value and round give plain numbers, not graphs: a plain number does not change when an
input changes in place, which is what a snapshot (every gradient taken before any input
moves) needs.
"""

from ...engine import FUNCTIONS, Value
from ...errors import MicrocalcError
from ..arguments import is_number, whole
from ..context import Event
from ..format import describe_kind, format_value, value_data
from ..sequences import items_of
from .registry import builtin

# range gives a list, and a list holds every number: past this many, a loop is a repeat.
MAX_RANGE = 1_000_000


def _items(xs, name):
    items = items_of(xs)
    if items is None:
        raise MicrocalcError(f"{name} needs a list, not {describe_kind(xs)}")
    return items


@builtin("len", "The number of items in a list or examples in a data set, or of characters "
         "in a string.",
         example="len([1, 2, [3, 4]])", category="lists")
def length(ctx, xs):
    if isinstance(xs, str):
        return float(len(xs))
    return float(len(_items(xs, "len")))


def _numbers(xs, name):
    items = _items(xs, name)
    for position, item in enumerate(items):
        if not is_number(item):
            raise MicrocalcError(f"{name} adds numbers, and item {position} is "
                                 f"{describe_kind(item)}")
    return items


@builtin("sum", "The sum of a list of numbers, first to last (0 for an empty list); a graph "
         "when the list holds values computed from inputs, so grad can go through it.",
         example="a = 2; b = 3\nL = sum([a*b, a, 1])\ngrad(L, a)", category="lists")
def sum_(ctx, xs):
    items = _numbers(xs, "sum")
    if not items:
        return 0.0
    add = FUNCTIONS["add"]          # plain numbers too refuse to overflow to inf
    total = items[0]
    for item in items[1:]:
        total = add(total, item)
    return total


@builtin("mean", "The mean of a list of numbers: its sum divided by its length.",
         example="mean([1, 2, 3, 4])", category="lists")
def mean(ctx, xs):
    items = _numbers(xs, "mean")
    if not items:
        raise MicrocalcError("mean needs at least one number, and the list is empty")
    return FUNCTIONS["div"](sum_(ctx, items), float(len(items)))


@builtin("range", "The whole numbers from 0 up to n (n itself left out) as a list, or from "
         "start up to stop: what a for loop counts with.",
         example="range(4)\nrange(2, 5)\nfor i in range(3) { i * 10 }", category="lists")
def range_(ctx, start, stop=None):
    if stop is None:
        start, stop = 0, start
    first = whole(start, "range's start")
    last = whole(stop, "range's stop")
    if last - first > MAX_RANGE:
        raise MicrocalcError(f"range gives at most {MAX_RANGE:,} numbers, and this would be "
                             f"{last - first:,}; for a longer loop, write repeat N {{ ... }}")
    return [float(k) for k in range(first, last)]


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


@builtin("print", "Show its arguments on one line, separated by spaces: numbers and lists "
         "as they print alone, strings without their quotes.",
         example='a = 2\nprint("a is", a, "and a squared is", a**2)', category="lists")
def print_(ctx, *values):
    text = " ".join(v if isinstance(v, str) else format_value(v) for v in values)
    ctx.emit(Event("text", text, {"printed": [value_data(v) for v in values]}))
