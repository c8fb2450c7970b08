"""Source text to tokens, read exactly as lark's basic lexer reads it, in one regular
expression call per program instead of Python work per character.

The scanner is made from the grammar's terminals as lark stores them (`Scanner.from_lark`):
the same patterns, tried in lark's order (priority, then longest possible match, then
longest pattern, then name), with the words that a name pattern also matches (`repeat`,
`for`, ...) as keywords. `re.findall` cuts the whole text into (skipped, token) pairs in C;
the Python loop that follows only names each token and does what the grammar cannot:

- newlines inside open ( and [ are dropped (a call or list may span lines);
- a name that is a command builtin, at the start of a statement, becomes COMMAND, and a "("
  written directly after it COMMAND_OPEN (`tree(L)` is a call form; `tree (a+b)*c` is not);
- the program is cut into its top-level statements, each with the separator after it.

A character no terminal matches becomes an ERROR token: the parser refuses it, and the
error path reports it exactly as lark would.
"""

import re
from array import array
from itertools import accumulate, chain

__all__ = ["Scanner", "ERROR", "END"]

ERROR = "ERROR"          # a character no terminal matches
MAX_KNOWN = 100_000      # texts whose kind is remembered
END = "$END"             # lark's name for the end of the input
NEWLINE, SEMICOLON = "_NEWLINE", "SEMICOLON"
COMMAND, COMMAND_OPEN = "COMMAND", "COMMAND_OPEN"
# Brackets: what closes each opening one. A newline inside ( or [ is dropped; inside {
# it separates the statements of a block.
OPENERS = {"LPAR": "RPAR", "LSQB": "RSQB", "LBRACE": "RBRACE", COMMAND_OPEN: "RPAR"}
CLOSERS = frozenset(OPENERS.values())
# After these a new statement starts, so a command name there is a COMMAND.
STATEMENT_START = frozenset({NEWLINE, SEMICOLON, "LBRACE", "RBRACE"})
_STRUCTURE = frozenset(OPENERS) | CLOSERS | {NEWLINE, SEMICOLON, ERROR}


class Terminal:
    """One terminal of the grammar, from lark's serialized TerminalDef."""

    __slots__ = ("name", "regexp", "literal", "priority", "max_width", "_sort_source")

    def __init__(self, data):
        pattern = data["pattern"]
        self.name = data["name"]
        self.priority = data["priority"]
        self.literal = pattern["value"] if pattern["__type__"] == "PatternStr" else None
        if self.literal is not None:
            self.regexp = re.escape(self.literal)
            self.max_width = len(self.literal)
        else:
            self.regexp = pattern["value"]
            self.max_width = pattern["_width"][1]
        self._sort_source = pattern["value"]
        if pattern["flags"]:
            raise ValueError(f"terminal {self.name}: regular expression flags are not supported")

    def sort_key(self):
        """lark's order for trying terminals (lark/lexer.py, BasicLexer)."""
        return (-self.priority, -self.max_width, -len(self._sort_source), self.name)


class Scanner:
    """Cuts a program into tokens and top-level statements; see the module's docstring."""

    def __init__(self, terminals, ignored):
        terminals = sorted((Terminal(t) for t in terminals), key=Terminal.sort_key)
        # lark's "unless" rule: a literal that a pattern of the same priority matches in
        # full (`repeat` and NAME) is lexed by the pattern and then renamed.
        keywords = {}
        for pattern in terminals:
            if pattern.literal is not None:
                continue
            for literal in terminals:
                if (literal.literal is not None and literal.priority == pattern.priority
                        and re.fullmatch(pattern.regexp, literal.literal)):
                    keywords[literal.literal] = literal.name
        kept = [t for t in terminals if t.literal is None or t.literal not in keywords]
        skipped = [_without_groups(t.regexp) for t in kept if t.name in ignored]
        tokens = [t for t in kept if t.name not in ignored]
        alternatives = "|".join(_without_groups(t.regexp) for t in tokens)
        # (skipped text, token): a character nothing matches is a token of its own (ERROR),
        # and the text after the last token ends in an empty token.
        self._pairs = re.compile(f"((?:{'|'.join(skipped)})*)({alternatives}|[\\s\\S]|\\Z)")
        self._named = re.compile("|".join(f"(?P<{t.name}>{_without_groups(t.regexp)})"
                                          for t in tokens))
        self.fixed = {t.literal: t.name for t in tokens if t.literal is not None}
        self.fixed.update(keywords)
        for position, terminal in enumerate(tokens):
            # A literal is named from its text alone only if no terminal tried before it
            # could read the same text.
            if terminal.literal is not None and any(
                    re.fullmatch(t.regexp, terminal.literal) for t in tokens[:position]):
                raise ValueError(f"terminal {terminal.name} ({terminal.literal!r}) is also "
                                 f"read by another terminal")
        self.keywords = frozenset(keywords)
        self._known = dict(self.fixed)      # the literals, and every other text read so far

    @classmethod
    def from_lark(cls, data, memo):
        """The scanner of a grammar as lark serializes it (Lark.memo_serialize)."""
        conf = data["parser"]["lexer_conf"]
        return cls([memo[ref["@"]] for ref in conf["terminals"]], set(conf["ignore"]))

    def kind_of(self, text):
        """The terminal a token's text was read as."""
        kind = self._known.get(text)
        if kind is None:
            match = self._named.match(text)
            kind = match.lastgroup if match and match.end() == len(text) else ERROR
            if len(self._known) > MAX_KNOWN:       # a program of a million different names
                self._known = dict(self.fixed)
            self._known[text] = kind
        return kind

    def pairs(self, text):
        """Every (skipped text, token text) of text, the last token empty."""
        return self._pairs.findall(text)

    def spans(self, text):
        """The start and end offsets of every token of text, in order (as compact arrays:
        a session keeps them for the history of a long script)."""
        bounds = array("q", accumulate(map(len, chain.from_iterable(self.pairs(text)))))
        return bounds[0::2], bounds[1::2]

    def statements(self, text, commands, every_token=None):
        """The top-level statements of text, each as (kinds, texts, numbers, separator):
        the types, texts and numbers (places in the text, counting from 0) of the
        statement's tokens, and the type of what ends it (a separator, or END).

        every_token, a list, receives every token the parser is given, separators
        included, as (kind, text, number): what lark reads to explain an error."""
        known_get = self._known.get
        kind_of = self.kind_of
        structure = _STRUCTURE
        found = []
        kinds, texts, numbers = [], [], []
        closers = []              # the closing bracket each open bracket waits for
        previous = None
        at_start = True
        index = -1
        for index, (skipped, word) in enumerate(self.pairs(text)):
            kind = known_get(word)
            if kind is None:
                if not word:                      # the end of the text
                    break
                kind = kind_of(word)
                known_get = self._known.get
            if kind == "NAME" and at_start and word in commands:
                kind = COMMAND
            if kind in structure:
                if kind == NEWLINE or kind == SEMICOLON:
                    if closers and closers[-1] != "RBRACE":
                        if kind == NEWLINE:
                            continue              # a newline inside ( or [
                    elif not closers:
                        if every_token is not None:
                            every_token.append((kind, word, index))
                        if kinds:
                            found.append((kinds, texts, numbers, kind))
                            kinds, texts, numbers = [], [], []
                        previous = kind
                        at_start = True
                        continue
                elif kind in OPENERS:
                    if kind == "LPAR" and previous == COMMAND and not skipped:
                        kind = COMMAND_OPEN
                    closers.append(OPENERS[kind])
                elif kind in CLOSERS:
                    if closers and closers[-1] == kind:
                        closers.pop()
            if every_token is not None:
                every_token.append((kind, word, index))
            kinds.append(kind)
            texts.append(word)
            numbers.append(index)
            previous = kind
            at_start = kind in STATEMENT_START
        if kinds:
            found.append((kinds, texts, numbers, END))
        return found


def _without_groups(regexp):
    """regexp with its capturing groups made non-capturing: findall must see only ours."""
    out, i, in_class = [], 0, False
    while i < len(regexp):
        char = regexp[i]
        if char == "\\":
            out.append(regexp[i:i + 2])
            i += 2
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
            if regexp.startswith("[]", i) or regexp.startswith("[^]", i):
                out.append(regexp[i:i + 2])
                i += 2
                continue
        elif char == "(" and not regexp.startswith("(?", i):
            out.append("(?:")
            i += 1
            continue
        elif regexp.startswith("(?P<", i):
            out.append("(?:")
            i = regexp.index(">", i) + 1
            continue
        out.append(char)
        i += 1
    result = "".join(out)
    if re.compile(result).groups:
        raise ValueError(f"cannot make the groups of {regexp!r} non-capturing")
    return result
