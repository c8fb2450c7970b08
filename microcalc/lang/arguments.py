"""What builtins ask of their arguments, checked once: a number, a whole number in a range,
a string, a file name. Numbers arrive as the language passes them (floats, or Values) and
every refusal names the argument in the language's words.
"""

import os

from ..engine import Value
from ..errors import MicrocalcError
from .format import describe_kind, format_number

__all__ = ["is_number", "number", "whole", "text", "file_path"]


def is_number(x):
    """A number as the language passes it: a float, an int or a Value (not a bool)."""
    cls = x.__class__
    return cls is float or cls is Value or (isinstance(x, (int, float)) and cls is not bool)


def number(x, what):
    """x as a float, or an error naming `what`."""
    if not is_number(x):
        raise MicrocalcError(f"{what} must be a number, not {describe_kind(x)}")
    return float(x.data if x.__class__ is Value else x)


def whole(x, what, at_least=None, at_most=None):
    """x as an int, or an error naming `what` and the range it must be in."""
    value = float(x.data if x.__class__ is Value else x) if is_number(x) else None
    if (value is not None and value.is_integer() and (at_least is None or value >= at_least)
            and (at_most is None or value <= at_most)):
        return int(value)
    if at_least is not None and at_most is not None:
        wanted = f"a whole number from {at_least} to {at_most}"
    elif at_least is not None:
        wanted = f"a whole number, at least {at_least}"
    else:
        wanted = "a whole number"
    shown = describe_kind(x) if value is None else format_number(value)
    raise MicrocalcError(f"{what} must be {wanted}, not {shown}")


def text(x, what, example=None):
    """x as a str, or an error naming `what` (and an example of what would do)."""
    if not isinstance(x, str):
        such_as = f", such as {example}" if example else ""
        raise MicrocalcError(f"{what} must be a string{such_as}, not {describe_kind(x)}")
    return x


def file_path(ctx, x, who, example='"data.csv"'):
    """A file name a program reads or writes (load_csv, load, save, dot). One rule for all
    of them: a relative name is taken from the running script's folder when there is a
    script (so a script finds the files beside it from wherever it is run, and what it saves
    is what it loads back), and from the current folder otherwise (the REPL, -e, a pipe)."""
    path = text(x, f"{who}'s file name", example)
    if os.path.isabs(path) or not ctx.directory:
        return path
    joined = os.path.join(ctx.directory, path)
    try:
        shown = os.path.relpath(joined)      # examples/model.json rather than /home/...
    except (OSError, ValueError):            # no current folder any more
        return joined
    return joined if shown.startswith(os.pardir) else shown
