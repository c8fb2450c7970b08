"""The table of everything a program can call by name: the one source for evaluation,
completion, highlighting and help.

Engine operations enter it automatically from `microcalc.engine.OPS`. Other layers add
their own entries with `@builtin(...)` when imported: the language's calculus builtins,
`microcalc.lang.nn_builtins` (networks and training) and `microcalc.render.commands`
(tree, dot, explain, check, watch).

Two kinds of entry:
- "function": returns a value and may be used inside expressions (`tanh(x) + 1`).
- "command": a statement of its own that shows something (`tree L`, `explain grad(L, a)`);
  written with or without parentheses, never inside an expression.

Every entry's callable is called as `function(ctx, *args, **kwargs)` where ctx is the
evaluator's `Context` (see `microcalc.lang.context`): it emits output events, knows the
variables' names and the display settings, and lets long work check for interruption.
"""

from dataclasses import dataclass
from typing import Callable, Optional

from ..engine import FUNCTIONS, OPS


@dataclass(frozen=True)
class Builtin:
    name: str
    function: Callable
    signature: str              # how it is called, e.g. "grad(L, x, ...)"
    doc: str                    # one line, shown by :help and completion
    example: Optional[str] = None   # a short program using it, for :help NAME
    kind: str = "function"      # "function" or "command"
    category: str = "other"     # "math", "calculus", "nn", "data", "graph", ...


BUILTINS = {}


def builtin(name, signature, doc, example=None, kind="function", category="other"):
    """Register the decorated callable under name; returns it unchanged."""
    if kind not in ("function", "command"):
        raise ValueError(f"unknown builtin kind {kind!r}")

    def register(function):
        if name in BUILTINS:
            raise ValueError(f"builtin {name!r} is registered twice")
        BUILTINS[name] = Builtin(name, function, signature, doc, example, kind, category)
        return function

    return register


def commands():
    """Names that start a command statement."""
    return {name for name, b in BUILTINS.items() if b.kind == "command"}


def _register_engine_ops():
    for op in OPS.values():
        if op.is_function:
            call = FUNCTIONS[op.name]
            args = ", ".join("xy"[:op.arity])
            builtin(op.name, f"{op.name}({args})", op.doc, op.example, category="math")(
                lambda ctx, *xs, _call=call: _call(*xs))


_register_engine_ops()
