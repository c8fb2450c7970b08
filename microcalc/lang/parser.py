"""Source text to a syntax tree: the grammar file, the post-lexer and the parser cache.
(`syntax_errors` turns what lark refuses into messages a newcomer can read.)

The whole input is parsed before anything in it runs, so a syntax error on line 5 leaves
lines 1 to 4 unrun. The parser is built once per process; its tables are cached on disk
in the user's cache folder, keyed on the grammar's text and lark's version.
"""

import hashlib
import os
import stat
import sys

import lark
from lark import Lark, Token
from lark.exceptions import UnexpectedInput
from lark.lark import PostLex

from .syntax_errors import (CLOSING, MAX_LINE_LENGTH, OPENING, line_too_long, syntax_error,
                            unmatched)

GRAMMAR_FILE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "grammar.lark")

# After these a new statement starts, so a command name there is a COMMAND.
STATEMENT_START = {"_NEWLINE", "SEMICOLON", "LBRACE", "RBRACE"}


def grammar_text():
    with open(GRAMMAR_FILE, encoding="utf-8") as file:
        return file.read()


class StatementPostLexer(PostLex):
    """Drops newlines inside ( and [, and makes COMMAND and COMMAND_OPEN tokens.

    The command names are the library's (`lang/library`); they are given to the post-lexer,
    not written in the grammar, so a new command is a new builtin and nothing more. The
    brackets still open when a syntax error happens are kept in `open_brackets` and the
    last tokens in `previous`, for the error message.
    """

    always_accept = ("_NEWLINE",)

    def __init__(self, commands):
        self.commands = commands
        self.open_brackets = []
        self.previous = None     # the token before the last one handed to the parser
        self.last = None         # the last token handed to the parser
        self.in_list = []        # per open bracket: does it hold a list of items (a call, [])?
        self.repeat_header = False   # between `repeat` and its `{`

    def process(self, stream):
        commands = self.commands
        self.open_brackets = open_brackets = []
        self.in_list = in_list = []
        self.previous = self.last = None
        self.repeat_header = False
        at_statement_start = True
        last = None
        closed = False      # the last token closed a bracket, still kept open (see below)
        for token in stream:
            if closed:
                open_brackets.pop()
                in_list.pop()
                closed = False
            kind = token.type
            if kind == "_NEWLINE" and open_brackets and open_brackets[-1].type != "LBRACE":
                continue
            if kind == "NAME" and at_statement_start and token.value in commands:
                token = Token.new_borrow_pos("COMMAND", token.value, token)
                kind = "COMMAND"
            elif (kind == "LPAR" and last is not None and last.type == "COMMAND"
                  and last.end_pos == token.start_pos):
                token = Token.new_borrow_pos("COMMAND_OPEN", token.value, token)
                kind = "COMMAND_OPEN"
            if kind in OPENING:
                open_brackets.append(token)
                in_list.append(kind in ("LSQB", "COMMAND_OPEN")
                               or (kind == "LPAR" and last is not None and last.type == "NAME"))
            elif kind in CLOSING and open_brackets and not unmatched(token, open_brackets):
                # Popped when the next token comes: if the parser refuses this one (`()`),
                # the error message still sees the bracket it closes.
                closed = True
            at_statement_start = kind in STATEMENT_START
            if kind == "REPEAT" or at_statement_start:
                self.repeat_header = kind == "REPEAT"
            self.previous = last
            self.last = last = token
            yield token
        if closed:
            open_brackets.pop()
            in_list.pop()


def _cache_path(grammar):
    """Where the built parser is kept for this grammar and lark version, or None."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    folder = os.path.join(base, "microcalc")
    key = hashlib.sha256(
        f"{grammar}\0{lark.__version__}\0{sys.version_info[:2]}".encode("utf-8")).hexdigest()
    try:
        os.makedirs(folder, mode=0o700, exist_ok=True)
    except OSError:
        return None
    if not _ours_alone(folder):
        return None
    return os.path.join(folder, f"grammar-{key[:24]}.lark")


def _ours_alone(folder):
    """May the parser be cached in folder? lark stores it as a pickle, and loading a pickle
    runs whatever it says: a folder anyone can write to (XDG_CACHE_HOME=/tmp, say) would let
    them run code as this user. So it must be this user's, and not writable by all."""
    try:
        status = os.stat(folder)
    except OSError:
        return False
    user = getattr(os, "getuid", None)          # POSIX only
    return (os.access(folder, os.W_OK) and not status.st_mode & stat.S_IWOTH
            and (user is None or status.st_uid == user()))


_parser = None
_terminal_text = {}


def _build_parser():
    global _parser
    if _parser is None:
        from .library import COMMANDS
        grammar = grammar_text()
        options = dict(parser="lalr", lexer="basic", postlex=StatementPostLexer(COMMANDS),
                       propagate_positions=True, maybe_placeholders=False)
        cache = _cache_path(grammar)
        try:
            _parser = Lark(grammar, cache=cache or False, **options)
        except OSError:
            _parser = Lark(grammar, **options)
        for terminal in _parser.terminals:
            if terminal.pattern.type == "str":
                _terminal_text[terminal.name] = terminal.pattern.value
    return _parser


def grammar_terminals():
    """The grammar's terminals, and the names of those it skips (spaces, comments): what a
    highlighter needs to read the language exactly as the parser does."""
    parser = _build_parser()
    return parser.terminals, set(parser.lexer_conf.ignore)


def parse(source):
    """The syntax tree of a whole `Source`, or a SourceError for its first syntax error."""
    long_line = first_long_line(source.text)
    if long_line is not None:
        raise line_too_long(source, *long_line)
    parser = _build_parser()
    try:
        return parser.parse(source.text)
    except UnexpectedInput as exc:
        raise syntax_error(source, exc, parser.options.postlex) from None


def first_long_line(text):
    """(line number, length) of the first line longer than MAX_LINE_LENGTH, or None."""
    if len(text) <= MAX_LINE_LENGTH:
        return None
    start = 0
    number = 1
    while start <= len(text):
        end = text.find("\n", start)
        if end == -1:
            end = len(text)
        if end - start > MAX_LINE_LENGTH:
            return number, end - start
        start = end + 1
        number += 1
    return None
