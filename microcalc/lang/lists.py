"""Builtins for the language's lists."""

from ..errors import MicrocalcError
from .builtins import builtin
from .format import describe_kind


@builtin("len", "len(xs)", "number of items in a list (or characters in a string)",
         example="len([1, 2, [3, 4]])", category="lists")
def length(ctx, items):
    if not isinstance(items, (list, tuple, str)):
        raise MicrocalcError(f"len needs a list, not {describe_kind(items)}")
    return float(len(items))
