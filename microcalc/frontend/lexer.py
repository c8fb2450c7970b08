"""A Pygments lexer for microcalc, built from the grammar's own terminals and the builtin table.

Nothing about the language is written out here. The grammar (lang/grammar.lark) gives
the patterns of numbers, strings, names and comments, the keywords (`repeat`) and every
operator and bracket (`:=`, `**`, `+=`, ...); the builtin table tells functions (`tanh`)
from commands (`tree`). A character no rule matches becomes an Error token, as it is an
error for the parser too.

Registered as the Pygments plugin `microcalc` (`pygmentize -l microcalc file.mg`); the REPL
highlights its input with `MicrocalcReplLexer`, which also knows the `:help`-style commands.
"""

import re

from pygments.lexer import RegexLexer, inherit
from pygments.token import (Comment, Keyword, Name, Number, Operator, Punctuation, String,
                            Whitespace)

from ..lang.library import BUILTINS
from ..lang.vocabulary import CONSTANTS, LAST_RESULTS, keywords, name_pattern, terminals

# Terminals the lexer gives a meaning of their own; every other one is an operator, a bracket
# or a keyword, according to its text.
NUMBER, STRING, NAME, COMMENT = "NUMBER", "STRING", "NAME", "COMMENT"
BRACKETS_AND_SEPARATORS = set("()[]{},;")


_TERMINALS, _IGNORED = terminals()
_PATTERNS = {terminal.name: terminal.pattern.to_regexp() for terminal in _TERMINALS}

NAME_PATTERN = name_pattern()
KEYWORDS = keywords()


def _name_token(default):
    """A callback telling keywords, builtin commands, functions and constants from other names."""
    def classify(lexer, match):
        word = match.group()
        entry = BUILTINS.get(word)
        if word in KEYWORDS:
            kind = Keyword
        elif entry is not None and entry.kind == "command":
            kind = Keyword.Pseudo
        elif entry is not None:
            kind = Name.Builtin
        elif word in CONSTANTS or word in LAST_RESULTS:
            kind = Name.Constant
        else:
            kind = default
        yield match.start(), kind, word
    return classify


def _symbol_rules():
    """Operators and brackets, longest first so that `**` is not read as two `*`."""
    symbols = []
    for terminal in _TERMINALS:
        if terminal.name in (NUMBER, STRING, NAME, COMMENT) or terminal.name in _IGNORED:
            continue
        if terminal.pattern.type == "str" and terminal.pattern.value in KEYWORDS:
            continue   # read as names, so that `repeated` is a name and not `repeat` + `ed`
        if terminal.pattern.type == "str":
            text = terminal.pattern.value
            kind = Punctuation if text in BRACKETS_AND_SEPARATORS else Operator
            symbols.append((terminal.pattern.max_width, re.escape(text), kind))
        elif not re.match(terminal.pattern.to_regexp(), "\n"):
            symbols.append((terminal.pattern.max_width, terminal.pattern.to_regexp(),
                            Operator))   # e.g. UPDATE: += -= *= /=
    symbols.sort(key=lambda symbol: -symbol[0])
    return [(pattern, kind) for _, pattern, kind in symbols]


def _space_rules():
    """Whatever the grammar skips or uses to end a statement: spaces, newlines, line joins."""
    return [(terminal.pattern.to_regexp(), Whitespace) for terminal in _TERMINALS
            if terminal.name != COMMENT
            and (terminal.name in _IGNORED or re.fullmatch(terminal.pattern.to_regexp(), "\n"))]


class MicrocalcLexer(RegexLexer):
    """microcalc programs (.mg files)."""

    name = "microcalc"
    aliases = ["microcalc", "mg"]
    filenames = ["*.mg"]
    mimetypes = ["text/x-microcalc"]
    url = "https://pypi.org/project/microcalc/"

    tokens = {
        "root": [
            (r"\A#!.*", Comment.Hashbang),
            (_PATTERNS[COMMENT], Comment.Single),
            *_space_rules(),
            (_PATTERNS[NUMBER], Number),
            (_PATTERNS[STRING], String.Double),
            (_PATTERNS["PRIMED"], Name.Function),          # f'(x): a derivative
            (f"(?:{NAME_PATTERN})(?=\\s*\\()", _name_token(Name.Function)),
            (NAME_PATTERN, _name_token(Name)),
            *_symbol_rules(),
        ],
    }


class MicrocalcReplLexer(MicrocalcLexer):
    """What is typed at the REPL: microcalc, or a line that is a colon-command."""

    name = "microcalc REPL"
    aliases = []
    filenames = []
    mimetypes = []

    tokens = {
        "root": [
            (r"\A\s*:\w*", Keyword.Namespace, "command-argument"),
            inherit,
        ],
        "command-argument": [
            (r"[^\n]+", String),   # a file or a builtin's name
        ],
    }
