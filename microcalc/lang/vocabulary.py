"""What front ends ask of the language: its keywords, how a name is written, its constants
and the name of the last result. Keywords and the name pattern are read from the grammar's
own terminals, so a highlighter or a completer reads the language exactly as the parser does.
"""

import math
import re
from functools import lru_cache

__all__ = ["CONSTANTS", "LAST_RESULT", "LAST_RESULTS", "terminals", "name_pattern", "keywords"]

# true and false are 1 and 0, for yes-or-no options (tree L, constants=false).
CONSTANTS = {"pi": math.pi, "e": math.e, "true": 1.0, "false": 0.0}
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
