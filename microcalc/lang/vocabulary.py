"""What front ends ask of the language: its keywords, how a name is written, its constants
and the name of the last result. Keywords and the name pattern are read from the grammar's
own terminals, so a highlighter or a completer reads the language exactly as the parser does.
"""

import math
import re
from functools import lru_cache

__all__ = ["CONSTANTS", "LAST_RESULT", "LAST_RESULTS", "PYTHON_HABITS", "terminals",
           "name_pattern", "keywords", "closest"]

# true and false are 1 and 0, for yes-or-no options (tree L, constants=false).
CONSTANTS = {"pi": math.pi, "e": math.e, "true": 1.0, "false": 0.0}
# Python's words, met where the language expects a name: what to write instead.
PYTHON_HABITS = {
    "def": "there is no def: define a function in one line, as in f(x) = x**2 + 1",
    "lambda": "there is no lambda: define a function by name, as in f(x) = x**2",
    "import": "there is nothing to import: every builtin is always there, and a function "
              "of your own is one line, as in f(x) = x**2",
    "from": "there is nothing to import: every builtin is always there",
    "return": "a function is one expression, as in f(x) = x**2 (there is no return)",
    "while": "there is no while: use repeat N { ... } or for x in xs { ... }",
    "elif": "write else if",
    "class": "there are no classes: a network is made by mlp(...)",
    "True": "write true (it is 1, as a comparison that holds gives)",
    "False": "write false (it is 0, as a comparison that fails gives)",
    "None": "there is no None",
}
LAST_RESULT = "ans"
# the names of the last result: ans, and _ as in Python's and IPython's REPL
LAST_RESULTS = (LAST_RESULT, "_")
NAME = "NAME"


def terminals():
    """The grammar's terminals (lark TerminalDefs), and the names of those the parser skips
    (spaces, comments, line joins)."""
    from .parser import grammar_terminals
    return grammar_terminals()


@lru_cache(maxsize=None)
def name_pattern():
    """The regular expression of a name (a variable, function or builtin)."""
    found, _ = terminals()
    return next(t.pattern.to_regexp() for t in found if t.name == NAME)


@lru_cache(maxsize=None)
def keywords():
    """The words the grammar reserves (repeat, ...): literal terminals shaped like names."""
    found, _ = terminals()
    return frozenset(t.pattern.value for t in found if t.pattern.type == "str"
                     and re.fullmatch(name_pattern(), t.pattern.value))


def closest(name, candidates):
    """The candidate a mistyped name most likely meant, or None: one with two neighbouring
    letters swapped first (tahn is tanh, not tan), else the closest by difflib's measure."""
    candidates = sorted(candidates)
    for k in range(len(name) - 1):
        swapped = name[:k] + name[k + 1] + name[k] + name[k + 2:]
        if swapped != name and swapped in candidates:
            return swapped
    import difflib      # only for a mistake: start-up counts
    close = difflib.get_close_matches(name, candidates, n=1, cutoff=0.6)
    return close[0] if close else None
