"""The table every builtin is registered in: the one source for running a call, completion,
highlighting and help.

Two kinds of entry:
- "function": returns a value and may be used inside expressions (`tanh(x) + 1`).
- "command": a statement of its own that shows something (`tree L`, `explain grad(L, a)`);
  written with or without parentheses, never inside an expression.

A builtin's callable is called as `function(ctx, *args, **kwargs)`, where ctx is the
session's `Context` (see `microcalc.lang.context`). How it is called, as help shows it,
comes from the callable's own parameters; only the description is written by hand.
"""

import inspect
import re

from ..format import format_value

__all__ = ["Builtin", "BUILTINS", "COMMANDS", "builtin"]

KINDS = ("function", "command")


class Builtin:
    """One entry of the table: a name and the callable behind it, with its help."""

    __slots__ = ("name", "function", "doc", "example", "kind", "category", "_counts")

    def __init__(self, name, function, doc, example=None, kind="function", category="other"):
        self.name = name
        self.function = function        # called as function(ctx, *args, **kwargs)
        self.doc = doc                  # whole sentences, for :help and completion
        self.example = example          # a short program using it, for :help NAME and docs
        self.kind = kind                # "function" or "command"
        self.category = category        # "math", "calculus", "lists", "nn", "graph", ...
        self._counts = None

    def accepts(self, count, kwargs):
        """Can it surely be called with count positional arguments and no keywords?
        (A quick check for every call; argument_problem says what is wrong otherwise.)"""
        if kwargs:
            return False
        if self._counts is None:
            fewest = most = 0
            for parameter in self.parameters:
                if parameter.kind == parameter.VAR_POSITIONAL:
                    most = None
                elif parameter.kind in (parameter.POSITIONAL_ONLY,
                                        parameter.POSITIONAL_OR_KEYWORD):
                    if parameter.default is parameter.empty:
                        fewest += 1
                    if most is not None:
                        most += 1
                elif parameter.default is parameter.empty:     # a required keyword
                    fewest = None
                    break
            self._counts = (fewest, most)
        fewest, most = self._counts
        return fewest is not None and count >= fewest and (most is None or count <= most)

    def __repr__(self):
        return f"<builtin {self.kind} {self.name}>"

    @property
    def python_signature(self):
        """The callable's own signature, ctx included."""
        return _signature_of(self.function)

    @property
    def parameters(self):
        """The parameters a program passes (everything after ctx)."""
        return list(self.python_signature.parameters.values())[1:]

    @property
    def parameter_texts(self):
        """Each parameter as the signature shows it: x, digits=0, [lr], x..."""
        return [_parameter_text(p) for p in self.parameters]

    @property
    def signature(self):
        """How it is called: tanh(x), round(x, digits=0), tree L, depth=12, nodes=200."""
        shown = ", ".join(self.parameter_texts)
        if self.kind == "command":
            return f"{self.name} {shown}".rstrip()
        return f"{self.name}({shown})"

    @property
    def summary(self):
        """The description's first sentence, for one-line listings."""
        return _first_sentence(self.doc)


BUILTINS = {}
COMMANDS = set()        # the names in BUILTINS of kind "command": what the post-lexer reads


def builtin(name, doc, example=None, kind="function", category="other"):
    """Register the decorated callable under name; returns it unchanged."""
    if kind not in KINDS:
        raise ValueError(f"unknown builtin kind {kind!r}")
    if not doc.endswith("."):
        raise ValueError(f"the description of {name} must be whole sentences")

    def register(function):
        if name in BUILTINS:
            raise ValueError(f"builtin {name!r} is registered twice")
        BUILTINS[name] = Builtin(name, function, doc, example, kind, category)
        if kind == "command":
            COMMANDS.add(name)
        return function

    return register


_signatures = {}


def _signature_of(function):
    signature = _signatures.get(function)
    if signature is None:
        signature = _signatures[function] = inspect.signature(function)
    return signature


def _parameter_text(parameter):
    if parameter.kind == parameter.VAR_POSITIONAL:
        return f"{parameter.name}..."
    if parameter.default is parameter.empty:
        return parameter.name
    if parameter.default is None:             # optional, with a meaning the description gives
        return f"[{parameter.name}]"
    return f"{parameter.name}={format_value(parameter.default)}"


def _first_sentence(text):
    match = re.match(r"(.+?\.)(\s|$)", text, re.DOTALL)
    return (match.group(1) if match else text).replace("\n", " ")
