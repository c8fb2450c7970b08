"""Calling what a program names: binding arguments to a builtin's parameters, and the one
translation of whatever a call raises into a message in the language's words.
"""

from ..engine import OPS
from ..errors import DomainError, MicrocalcError
from .format import describe_kind, format_number

__all__ = ["argument_problem", "describe_domain_error", "message_for", "operation_shown"]


def describe_domain_error(exc):
    """A DomainError with the numbers the operation met: '1 / 0: division by zero',
    '(-8) ** 0.5: ...'."""
    shown = operation_shown(exc)
    return f"{shown}: {exc.reason}" if shown else str(exc)


def operation_shown(exc):
    """The operation of an operator's DomainError written with the numbers it met, a
    negative one in brackets ('(-8) ** 0.5'); None for a function's."""
    op = OPS.get(exc.op_name)
    if op is None or not op.symbol:
        return None
    shown = [format_number(x) for x in exc.operands]
    shown = [f"({text})" if text.startswith("-") else text for text in shown]
    if len(shown) == 2:
        return f"{shown[0]} {op.symbol} {shown[1]}"
    if len(shown) == 1:
        return f"{op.symbol}{shown[0]}"
    return None


def message_for(exc, name, args=()):
    """What the user is told when calling `name` with args raised exc."""
    if isinstance(exc, DomainError):
        return describe_domain_error(exc)
    if isinstance(exc, MicrocalcError):
        return str(exc)
    if isinstance(exc, RecursionError):
        return f"{name}: the computation is nested too deeply"
    if isinstance(exc, MemoryError):
        return f"{name} ran out of memory"
    if isinstance(exc, TypeError):
        kinds = ", ".join(describe_kind(a) for a in args)
        return f"{name} cannot work with these arguments ({kinds}): {exc}"
    return f"{name}: {exc}"


def count(n, noun):
    return f"{n} {noun}" + ("" if n == 1 else "s")


def argument_problem(builtin, args, kwargs):
    """Why args and kwargs do not fit the builtin's parameters, as a sentence; None if they
    fit."""
    signature = builtin.python_signature
    try:
        signature.bind(None, *args, **kwargs)
    except TypeError as exc:
        return _explain_binding(builtin, signature, args, kwargs, exc)
    return None


def _explain_binding(builtin, signature, args, kwargs, exc):
    parameters = list(signature.parameters.values())[1:]
    if kwargs and all(p.kind in (p.POSITIONAL_ONLY, p.VAR_POSITIONAL) for p in parameters):
        return f"{builtin.name} takes no keyword arguments"
    unknown = _unknown_keyword(parameters, kwargs)
    if unknown:
        return f"{builtin.name} has no parameter {unknown}"
    positional = [p for p in parameters if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    required = [p for p in positional if p.default is p.empty]
    varargs = any(p.kind == p.VAR_POSITIONAL for p in parameters)
    name, given = builtin.name, len(args)
    if varargs and given < len(required):
        return f"{name} takes at least {count(len(required), 'argument')}, got {given}"
    if not varargs and (given > len(positional) or (given < len(required) and not kwargs)):
        if len(required) == len(positional):
            return f"{name} takes {count(len(positional), 'argument')}, got {given}"
        return f"{name} takes {len(required)} to {count(len(positional), 'argument')}, got {given}"
    return f"wrong arguments for {name}: {exc} (it is called as {builtin.signature})"


def _unknown_keyword(parameters, kwargs):
    """'step= (did you mean steps=?)' for the first keyword no parameter takes; None if
    every one is known (or the builtin takes any keyword)."""
    if any(p.kind == p.VAR_KEYWORD for p in parameters):
        return None
    names = [p.name for p in parameters if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)]
    for key in kwargs:
        if key not in names:
            import difflib      # only for a mistake: start-up counts
            close = difflib.get_close_matches(key, names, n=1)
            return f"{key}=" + (f" (did you mean {close[0]}=?)" if close else
                                f" (it takes {', '.join(n + '=' for n in names)})")
    return None
