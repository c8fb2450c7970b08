"""Syntax errors a newcomer can read: what lark refuses, said in the language's words
("missing operator between 2 and x", "unclosed '('"), at the place to look.

Only a program that does not parse comes here (lang/parser.py reads it again with lark,
token by token); lark is imported then, never on the way of a program that runs.
"""

import re

OPENING = {"LPAR": ")", "COMMAND_OPEN": ")", "LSQB": "]", "LBRACE": "}"}
STATEMENT_START = {"_NEWLINE", "SEMICOLON", "LBRACE", "RBRACE"}
BLOCK_KEYWORDS = {"REPEAT", "FOR", "IF"}
CLOSING = {"RPAR", "RSQB", "RBRACE"}
# Tokens that can begin an operand, and tokens that can end one: used to say
# "missing operand" and "missing operator" instead of "unexpected token".
OPERAND_START = {"NUMBER", "NAME", "STRING", "LPAR", "LSQB"}
OPERAND_END = {"NUMBER", "NAME", "STRING", "RPAR", "RSQB"}
OPERATORS = {"PLUS", "MINUS", "STAR", "SLASH", "_POW", "LSQB"}
ASSIGNMENTS = {"EQUAL", "UPDATE", "_SET"}
KEYWORDS = {"REPEAT", "FOR", "IN", "IF", "ELSE", "AND", "OR", "NOT"}
# A longer line is refused before it is read: the parser holds every token of a statement in
# memory, and a 10 MB line of numbers took minutes and gigabytes to read.
MAX_LINE_LENGTH = 1_000_000


def line_too_long(source, number, length):
    return source.error(f"line {number} is {length:,} characters long; microcalc reads lines "
                        f"of up to {MAX_LINE_LENGTH:,} characters", number, MAX_LINE_LENGTH + 1)


class Tracker:
    """What the message needs to know of the tokens read so far: the brackets still open,
    the last two tokens, and whose block's header (`repeat 3`, `for x in xs`) is being read."""

    def __init__(self):
        self.open_brackets = []
        self.in_list = []        # per open bracket: does it hold a list of items (a call, [])?
        self.previous = None     # the token before the last one
        self.last = None         # the last token read
        self.header = None       # repeat, for or if, between the keyword and its `{`
        self._closed = False     # the last token closed a bracket, still kept open (see below)

    def see(self, token):
        if self._closed:
            self.open_brackets.pop()
            self.in_list.pop()
            self._closed = False
        kind = token.type
        last = self.last
        if kind in OPENING:
            self.open_brackets.append(token)
            self.in_list.append(kind in ("LSQB", "COMMAND_OPEN")
                                or (kind == "LPAR" and last is not None and last.type == "NAME"))
        elif kind in CLOSING and self.open_brackets and not unmatched(token, self.open_brackets):
            # Popped when the next token comes: if the parser refuses this one (`()`), the
            # error message still sees the bracket it closes.
            self._closed = True
        if kind in BLOCK_KEYWORDS or kind in STATEMENT_START:
            self.header = token.value if kind in BLOCK_KEYWORDS else None
        self.previous = last
        self.last = token


def _describe(token):
    """How a token is named in a message: 'end of input', 'newline', or its text in quotes."""
    if token is None or token.type == "$END":
        return "end of input"
    if token.type == "_NEWLINE":
        return "end of line"
    if token.type == "COMMAND":
        return f"command '{token.value}'"
    return f"'{token.value}'"


def syntax_error(source, exc, postlex):
    """The SourceError for lark's exception; postlex is the Tracker of what was read."""
    from lark.exceptions import UnexpectedCharacters
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
    if kind in ASSIGNMENTS and previous is not None and previous.type == "COMMAND":
        return source.error_at(
            f"'{previous.value}' is a command and cannot be a variable name", previous)
    if kind in ASSIGNMENTS and previous is not None and previous.type in KEYWORDS:
        return source.error_at(f"'{previous.value}' is a keyword and cannot be a variable name",
                               previous)
    if kind in ("IN", "AND", "OR") and (previous is None or previous.type in STATEMENT_START):
        return source.error_at(f"'{token.value}' is a keyword and cannot be a variable name",
                               token)
    habit = _python_habit(token, previous, kind)
    if habit is not None:
        return source.error_at(*habit)
    if kind in CLOSING and unmatched(token, open_brackets):
        return source.error_at(f"unmatched '{token.value}'", token)
    if previous is not None and "NUMBER" in expected and kind not in OPERAND_START:
        if kind in ("_NEWLINE", "SEMICOLON"):
            return _after(source, previous, _missing_after(previous))
        return source.error_at(f"{_missing_after(previous)}, found {_describe(token)}", token)
    if postlex.header == "for" and "IN" in expected and kind != "IN":
        return source.error_at(f"expected 'in' after the loop's variables (as in for x, y in "
                               f"data {{ ... }}), found {_describe(token)}", token)
    if postlex.header and "LBRACE" in expected and kind not in OPERATORS:
        return source.error_at(f"expected '{{' to start the {postlex.header} block, found "
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


def _python_habit(token, previous, kind):
    """(message, where) for what Python or another language would have read: `def f(x):`,
    `import math`, `a < b < c`, an `else` on a line of its own; None otherwise."""
    from .vocabulary import PYTHON_HABITS
    if previous is not None and previous.type == "NAME" and previous.value in PYTHON_HABITS \
            and kind in OPERAND_START:
        return f"'{previous.value}': {PYTHON_HABITS[previous.value]}", previous
    if previous is not None and previous.type == "NAME" and previous.value == "print" \
            and kind in OPERAND_START:
        return "print is a function: write print(x), or x alone to see it", previous
    if kind == "COMPARE" and previous is not None:
        return ("comparisons do not chain: write a < b and b < c", token)
    if kind == "ELSE":
        if previous is not None and previous.type == "_NEWLINE":
            return ("else goes on the line of the '}' that ends the if block: "
                    "if c { ... } else { ... }", token)
        return "else follows the '}' of an if block: if c { ... } else { ... }", token
    if previous is not None and previous.type == "ELSE":
        return f"expected '{{' or 'if' after else, found {_describe(token)}", token
    if previous is not None and previous.type == "FOR" and kind != "NAME":
        return ("for needs a variable name before in, as in for x in xs { ... }", token)
    if previous is not None and previous.type == "PRIMED":
        return _primed(previous)
    return None


def _primed(token):
    return (f"{token.value} is a derivative: give it the point in brackets, as in "
            f"{token.value}(2)", token)


def _missing_after(previous):
    if previous.type in ("LPAR", "COMMAND_OPEN", "LSQB", "COMMA"):
        return f"missing value after '{previous.value}'"
    return f"missing operand after {_describe(previous)}"


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


def unmatched(token, open_brackets):
    wanted = {"RPAR": ")", "RSQB": "]", "RBRACE": "}"}[token.type]
    return not open_brackets or OPENING[open_brackets[-1].type] != wanted


def _unexpected_end(source, previous, open_brackets, expected):
    if open_brackets:
        return _unclosed(source, open_brackets[-1])
    if previous is None:
        return source.error("unexpected end of input", 1, 1)
    if previous.type == "PRIMED":
        return source.error_at(*_primed(previous))
    if "NUMBER" in expected:
        return _after(source, previous, f"{_missing_after(previous)}, found end of input")
    return _after(source, previous, "unexpected end of input")


def _unexpected_character(source, exc):
    text = source.text
    at = exc.pos_in_stream
    char = text[at] if at < len(text) else ""
    if char == '"':
        return source.error("unclosed string (missing '\"' before the end of the line)",
                            exc.line, exc.column)
    if char == "\n":
        return source.error("unexpected end of line", exc.line, exc.column)
    hint = ""
    if char == "!":
        hint = " (write not x for not, != for not equal; there is no factorial)"
    elif char == ":":
        hint = _colon_hint(text, at)
    elif char == ".":
        hint = _attribute_hint(text, at)
    return source.error(f"unexpected character '{char}'{hint}", exc.line, exc.column)


def _colon_hint(text, at):
    """`for x in xs:` or `if x > 0:` (a block in braces), `lambda x: ...`, or `:=`."""
    line_start = text.rfind("\n", 0, at) + 1
    header = text[line_start:at].strip()
    first = header.split(" ", 1)[0]
    if first in ("for", "if", "else", "elif", "while"):
        shown = header.replace("elif", "else if", 1) if first == "elif" else header
        return f" (a block is written in braces: {shown} {{ ... }})"
    from .vocabulary import PYTHON_HABITS
    words = header.split()
    for word in ("lambda", "def"):
        if word in words:
            return f" ({PYTHON_HABITS[word]})"
    return " (write := to change an input in place)"


def _attribute_hint(text, at):
    """`L.grad`, `a.data`, `L.backward()`: what the language writes instead."""
    before = re.search(r"[A-Za-z_][A-Za-z_0-9]*$", text[:at])
    after = re.match(r"[A-Za-z_][A-Za-z_0-9]*", text[at + 1:])
    name = before.group() if before else "x"
    attribute = after.group() if after else ""
    if attribute == "grad" and name == "L":
        # micrograd's L.grad is dL/dL = 1; what a learner wants is L's gradient by the inputs
        return (" (there are no attributes: grad(L) lists the gradient of L by each input, "
                "and grad(L, a) is the derivative of L by a)")
    if attribute == "grad":
        return (f" (there are no attributes: write grad(L, {name}) for {name}'s gradient, the "
                f"derivative of L by {name})")
    if attribute == "data":
        return f" (there are no attributes: write value({name}) for the number {name} holds)"
    if attribute == "backward":
        return f" (there are no methods: grad({name}) lists the gradient of {name} by each input)"
    from .library import BUILTINS
    entry = BUILTINS.get(attribute)
    if entry is not None and entry.kind == "function":
        return f" (there are no methods: write {attribute}({name}))"
    return ""
