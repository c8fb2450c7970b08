"""Source text to a syntax tree: the grammar file, the post-lexer, the parser cache, and
syntax errors that a newcomer can read.

The whole input is parsed before anything in it runs, so a syntax error on line 5 leaves
lines 1 to 4 unrun. The parser is built once per process; its tables are cached on disk
in the user's cache folder, keyed on the grammar's text and lark's version.
"""

import hashlib
import os
import stat
import sys
from importlib import resources
from pathlib import Path

import lark
from lark import Lark, Token
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken
from lark.lark import PostLex

from . import builtins
from .errors import Source

GRAMMAR_FILE = "microcalc.lark"

OPENING = {"LPAR": ")", "COMMAND_OPEN": ")", "LSQB": "]", "LBRACE": "}"}
CLOSING = {"RPAR", "RSQB", "RBRACE"}
# After these a new statement starts, so a command name there is a COMMAND.
STATEMENT_START = {"_NEWLINE", "SEMICOLON", "LBRACE", "RBRACE"}
# Tokens that can begin an operand, and tokens that can end one: used to say
# "missing operand" and "missing operator" instead of "unexpected token".
OPERAND_START = {"NUMBER", "NAME", "STRING", "LPAR", "LSQB"}
OPERAND_END = {"NUMBER", "NAME", "STRING", "RPAR", "RSQB"}
OPERATORS = {"PLUS", "MINUS", "STAR", "SLASH", "__ANON_1", "LSQB"}
# A longer line is refused before it is read: the parser holds every token of a statement in
# memory, and a 10 MB line of numbers took minutes and gigabytes to read.
MAX_LINE_LENGTH = 1_000_000


def grammar_text():
    """The grammar, read as package data (installed) or from the checkout's grammar/ folder."""
    try:
        return resources.files("microcalc.grammar").joinpath(GRAMMAR_FILE).read_text("utf-8")
    except ModuleNotFoundError:
        # Running from a source checkout that is not installed: grammar/ sits beside microcalc/.
        checkout = Path(__file__).resolve().parents[2]
        return (checkout / "grammar" / GRAMMAR_FILE).read_text("utf-8")


class StatementPostLexer(PostLex):
    """Drops newlines inside ( and [, and makes COMMAND and COMMAND_OPEN tokens.

    The set of command names is read when lexing starts, not when the parser is built:
    modules imported later (rendering, networks) add commands, and the cached parser must
    not remember an old set. The brackets still open when a syntax error happens are kept
    in `open_brackets` and the last tokens in `previous`, for the error message.
    """

    always_accept = ("_NEWLINE",)

    def __init__(self):
        self.open_brackets = []
        self.previous = None     # the token before the last one handed to the parser
        self.last = None         # the last token handed to the parser
        self.in_list = []        # per open bracket: does it hold a list of items (a call, [])?
        self.repeat_header = False   # between `repeat` and its `{`

    def process(self, stream):
        commands = builtins.commands()
        self.open_brackets = open_brackets = []
        self.in_list = in_list = []
        self.previous = self.last = None
        self.repeat_header = False
        at_statement_start = True
        last = None
        for token in stream:
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
            elif kind in CLOSING and open_brackets and not _unmatched(token, open_brackets):
                open_brackets.pop()
                in_list.pop()
            at_statement_start = kind in STATEMENT_START
            if kind == "REPEAT" or at_statement_start:
                self.repeat_header = kind == "REPEAT"
            self.previous = last
            self.last = last = token
            yield token


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
        grammar = grammar_text()
        options = dict(parser="lalr", lexer="contextual", postlex=StatementPostLexer(),
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


def terminals():
    """The grammar's terminals, and the names of those it skips (spaces, comments): what a
    highlighter needs to read the language exactly as the parser does."""
    parser = _build_parser()
    return parser.terminals, set(parser.lexer_conf.ignore)


def parse(source):
    """The syntax tree of a whole `Source`, or a SourceError for its first syntax error."""
    long_line = _first_long_line(source.text)
    if long_line is not None:
        number, length = long_line
        raise source.error(f"line {number} is {length:,} characters long; microcalc reads lines "
                           f"of up to {MAX_LINE_LENGTH:,} characters", number, MAX_LINE_LENGTH + 1)
    parser = _build_parser()
    try:
        return parser.parse(source.text)
    except UnexpectedInput as exc:
        raise _syntax_error(source, exc, parser.options.postlex) from None


def _first_long_line(text):
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


def is_complete(text):
    """False while a bracket or a `{` is still open at the end of text, or the last line
    ends with a backslash that continues it: the REPL then reads another line."""
    if text.rstrip(" \t").endswith("\\"):
        return False
    if _first_long_line(text) is not None:
        return True        # nothing typed next can make it readable: show the error
    parser = _build_parser()
    try:
        parser.parse(text)
    except (UnexpectedToken, UnexpectedEOF) as exc:
        token = getattr(exc, "token", None)
        at_end = token is None or token.type == "$END"
        return not (at_end and parser.options.postlex.open_brackets)
    except UnexpectedInput:
        return True
    return True


def _describe(token):
    """How a token is named in a message: 'end of input', 'newline', or its text in quotes."""
    if token is None or token.type == "$END":
        return "end of input"
    if token.type == "_NEWLINE":
        return "end of line"
    if token.type == "COMMAND":
        return f"command '{token.value}'"
    return f"'{token.value}'"


def _syntax_error(source, exc, postlex):
    if isinstance(exc, UnexpectedCharacters):
        return _unexpected_character(source, exc)
    token = getattr(exc, "token", None)
    if token is not None and token.type == "$END":
        token = None
    expected = set(getattr(exc, "expected", None) or ())
    # If the lexer itself refused the token, the post-lexer never saw it: the token before
    # it is then the last one the post-lexer handed on.
    last = postlex.last
    handed_on = token is not None and last is not None and last.start_pos == token.start_pos
    previous = postlex.previous if handed_on else last
    open_brackets = postlex.open_brackets
    if token is None:
        return _unexpected_end(source, previous, open_brackets, expected)
    kind = token.type
    # An unclosed bracket swallows the following lines; point at the bracket itself.
    if (open_brackets and open_brackets[-1].type != "LBRACE" and previous is not None
            and token.line > previous.end_line and not _closes_later(source, open_brackets[-1])):
        return _unclosed(source, open_brackets[-1])
    if (kind in ("EQUAL", "UPDATE", "__ANON_0") and previous is not None
            and previous.type == "COMMAND"):
        return source.error_at(
            f"'{previous.value}' is a command and cannot be a variable name", previous)
    if kind in ("EQUAL", "UPDATE", "__ANON_0") and previous is not None and previous.type == "REPEAT":
        return source.error_at("'repeat' is a keyword and cannot be a variable name", previous)
    if kind in CLOSING and _unmatched(token, open_brackets):
        return source.error_at(f"unmatched '{token.value}'", token)
    if previous is not None and "NUMBER" in expected and kind not in OPERAND_START:
        if kind in ("_NEWLINE", "SEMICOLON"):
            return _after(source, previous, _missing_after(previous))
        return source.error_at(f"{_missing_after(previous)}, found {_describe(token)}", token)
    if postlex.repeat_header and kind not in OPERATORS:
        return source.error_at(f"expected '{{' to start the repeat block, found "
                               f"{_describe(token)}", token)
    if previous is not None and previous.type in OPERAND_END and kind in OPERAND_START:
        if postlex.in_list and postlex.in_list[-1]:
            return source.error_at(f"missing ',' or operator between {_describe(previous)} "
                                   f"and {_describe(token)}", token)
        return source.error_at(
            f"missing operator between {_describe(previous)} and {_describe(token)}"
            f" (write {previous.value} * {token.value} to multiply)", token)
    if kind == "EQUAL":
        return source.error_at("'=' is not allowed here (assignments are statements of their own;"
                               " use keyword=value only in a call)", token)
    return source.error_at(f"unexpected {_describe(token)}", token)


def _missing_after(previous):
    if previous.type in ("LPAR", "COMMAND_OPEN", "LSQB", "COMMA"):
        return f"missing value after '{previous.value}'"
    return f"missing operand after '{previous.value}'"


def _after(source, token, message):
    """An error just after token: where the missing thing should have been."""
    return source.error(message, token.end_line, token.end_column)


def _unclosed(source, bracket):
    closing = OPENING[bracket.type]
    return source.error_at(f"unclosed '{bracket.value}' (missing '{closing}')", bracket)


def _closes_later(source, bracket):
    """Is bracket closed somewhere after it (a rough count that skips strings and comments)?"""
    closing = OPENING[bracket.type]
    opening = bracket.value
    depth = 0
    in_string = in_comment = False
    text = source.text
    i = bracket.start_pos
    while i < len(text):
        char = text[i]
        if in_comment:
            in_comment = char != "\n"
        elif in_string:
            if char == "\\":
                i += 1
            elif char in '"\n':
                in_string = False
        elif char == "#":
            in_comment = True
        elif char == '"':
            in_string = True
        elif char == opening:
            depth += 1
        elif char == closing:
            depth -= 1
            if depth == 0:
                return True
        i += 1
    return False


def _unmatched(token, open_brackets):
    wanted = {"RPAR": ")", "RSQB": "]", "RBRACE": "}"}[token.type]
    return not open_brackets or OPENING[open_brackets[-1].type] != wanted


def _unexpected_end(source, previous, open_brackets, expected):
    if open_brackets:
        return _unclosed(source, open_brackets[-1])
    if previous is None:
        return source.error("unexpected end of input", 1, 1)
    if "NUMBER" in expected:
        return _after(source, previous, f"{_missing_after(previous)}, found end of input")
    return _after(source, previous, "unexpected end of input")


def _unexpected_character(source, exc):
    char = source.text[exc.pos_in_stream] if exc.pos_in_stream < len(source.text) else ""
    if char == '"':
        return source.error("unclosed string (missing '\"' before the end of the line)",
                            exc.line, exc.column)
    if char == "\n":
        return source.error("unexpected end of line", exc.line, exc.column)
    hint = ""
    if char == "^":
        hint = " (write ** for a power: 2**3)"
    elif char == "!":
        hint = " (there is no factorial or not-operator)"
    elif char == ":":
        hint = " (write := to change an input in place)"
    return source.error(f"unexpected character '{char}'{hint}", exc.line, exc.column)
