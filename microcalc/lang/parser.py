"""Source text to a syntax tree, and the parser tables shipped with microcalc.

The whole input is parsed before anything in it runs, so a syntax error on line 5 leaves
lines 1 to 4 unrun.

The grammar is lang/grammar.lark. Its LALR tables are made by lark and shipped inside the
package as a Python module, lang/tables.py, written by

    python -m microcalc.lang.parser --write-tables

(lark's serialized parser, minus anything that is code: plain dicts, lists and strings, read
with no pickle and no cache folder). At load the module is checked against a hash of
grammar.lark; if they differ (the grammar was edited and the tables not written again) the
tables are built from the grammar in memory instead.

Reading a program needs no lark at all: `scanner` cuts it into tokens and `lalr` drives the
tables. Only when the tables refuse a program is lark loaded, to read it again and say what
is wrong in `syntax_errors`' words; it loads the shipped tables if the installed lark wrote
them, and builds its own from the grammar otherwise.
"""

import hashlib
import os
import sys

from .lalr import Grammar, Refused
from .scanner import ERROR, Scanner
from .syntax import Node, Token
from .syntax_errors import MAX_LINE_LENGTH, Tracker, line_too_long, syntax_error

__all__ = ["parse", "grammar_text", "grammar_terminals", "write_tables"]

HERE = os.path.dirname(os.path.abspath(__file__))
GRAMMAR_FILE = os.path.join(HERE, "grammar.lark")
TABLES_FILE = os.path.join(HERE, "tables.py")
LARK_OPTIONS = dict(parser="lalr", lexer="basic", propagate_positions=True,
                    maybe_placeholders=False)


def grammar_text():
    with open(GRAMMAR_FILE, encoding="utf-8") as file:
        return file.read()


def grammar_hash(text):
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# -- the tables --------------------------------------------------------------------------

def _shipped_tables(grammar):
    """(data, memo, lark version) from lang/tables.py if it was made from this grammar."""
    try:
        from . import tables
    except ImportError:
        return None
    if getattr(tables, "GRAMMAR_SHA256", None) != grammar_hash(grammar):
        return None
    return tables.DATA, tables.MEMO, tables.LARK_VERSION


def _build_lark(grammar):
    from lark import Lark
    return Lark(grammar, **LARK_OPTIONS)


def _serialize(parser):
    """lark's serialized parser without the options that hold code or vary by run."""
    from lark.grammar import Rule
    from lark.lark import _LOAD_ALLOWED_OPTIONS
    from lark.lexer import TerminalDef
    data, memo = parser.memo_serialize([TerminalDef, Rule])
    data["options"] = {key: value for key, value in data["options"].items()
                       if key not in _LOAD_ALLOWED_OPTIONS}
    return data, memo


class _Tables:
    """The grammar's tables as this process uses them, loaded once."""

    def __init__(self):
        grammar = grammar_text()
        shipped = _shipped_tables(grammar)
        self.lark = None
        if shipped is None:               # the grammar was edited: build the tables now
            self.lark = _build_lark(grammar)
            data, memo = _serialize(self.lark)
            self.lark_version = None
        else:
            data, memo, self.lark_version = shipped
        self.grammar_source = grammar
        self.data, self.memo = data, memo
        self.scanner = Scanner.from_lark(data, memo)
        self.grammar = Grammar.from_lark(data, memo)

    def lark_parser(self):
        """lark's parser of the same tables (for errors and for the highlighter)."""
        if self.lark is None:
            import lark
            if self.lark_version == lark.__version__:
                self.lark = lark.Lark._load_from_dict(self.data, self.memo,
                                                      propagate_positions=True)
            else:
                self.lark = _build_lark(self.grammar_source)
        return self.lark


_tables = None


def tables():
    global _tables
    if _tables is None:
        _tables = _Tables()
    return _tables


def _canonical(data):
    """The same parse table with states numbered in the order a breadth-first walk from the
    start meets them, and tokens numbered by name: lark numbers both in the order its sets
    happen to give, and a file that changed only in numbering would be noise."""
    table = data["parser"]["parser"]
    names, states = table["tokens"], table["states"]
    ordered = sorted(names.values())
    start = table["start_states"]["start"]
    order, seen = [start], {start}
    for state in order:
        for symbol, (action, argument) in sorted(states[state].items(),
                                                 key=lambda item: names[item[0]]):
            if action == 0 and argument not in seen:
                seen.add(argument)
                order.append(argument)
    order += sorted(set(states) - seen)
    number = {state: k for k, state in enumerate(order)}
    token = {index: ordered.index(name) for index, name in names.items()}
    table["tokens"] = dict(enumerate(ordered))
    table["states"] = {
        number[state]: {token[symbol]: (action, number[argument] if action == 0 else argument)
                        for symbol, (action, argument) in sorted(
                            states[state].items(), key=lambda item: names[item[0]])}
        for state in order}
    table["start_states"] = {key: number[s] for key, s in table["start_states"].items()}
    table["end_states"] = {key: number[s] for key, s in table["end_states"].items()}
    return data


def write_tables(path=TABLES_FILE):
    """Write lang/tables.py from grammar.lark with the installed lark."""
    import lark
    grammar = grammar_text()
    data, memo = _serialize(_build_lark(grammar))
    data = _canonical(data)
    text = (f'"""The parser tables of grammar.lark, made by lark {lark.__version__}: written by\n'
            f'`python -m microcalc.lang.parser --write-tables`; do not edit."""\n\n'
            f"GRAMMAR_SHA256 = {grammar_hash(grammar)!r}\n"
            f"LARK_VERSION = {lark.__version__!r}\n"
            f"DATA = {_literal(data)}\n"
            f"MEMO = {_literal(memo)}\n")
    with open(path, "w", encoding="utf-8") as file:
        file.write(text)
    return text


def _literal(value):
    """value as Python source, one entry a line where it is long: a change of the grammar
    shows in a diff as the lines it changed."""
    import pprint
    return pprint.pformat(value, width=100, sort_dicts=False)


def grammar_terminals():
    """The grammar's terminals (lark TerminalDefs), and the names of those it skips (spaces,
    comments): what a highlighter needs to read the language exactly as the parser does."""
    parser = tables().lark_parser()
    return parser.terminals, set(parser.lexer_conf.ignore)


# -- parsing -----------------------------------------------------------------------------

def parse(source):
    """The syntax tree of a whole `Source` (a Node "start" whose children are the
    statements), or a SourceError for its first syntax error."""
    long_line = first_long_line(source.text)
    if long_line is not None:
        raise line_too_long(source, *long_line)
    from .library import COMMANDS
    loaded = tables()
    scanner = loaded.scanner
    source.locate = scanner.spans
    statement = loaded.grammar.statement
    try:
        statements = [statement(kinds, texts, numbers, end) for kinds, texts, numbers, end
                      in scanner.statements(source.text, COMMANDS)]
    except Refused:
        return _with_lark(source, loaded, COMMANDS)
    first = statements[0].first if statements else None
    return Node("start", statements, first, statements[-1].last if statements else None)


def _with_lark(source, loaded, commands):
    """Read the program again with lark, token by token, to explain why it is refused."""
    from lark import Token as LarkToken
    from lark.exceptions import UnexpectedCharacters, UnexpectedToken
    words = []
    loaded.scanner.statements(source.text, commands, every_token=words)
    starts, ends = source.spans()
    interactive = loaded.lark_parser().parse_interactive()
    tracker = Tracker()
    fed = {}
    token = None
    try:
        for kind, word, index in words:
            line, column = source.position(starts[index])
            if kind == ERROR:
                raise UnexpectedCharacters(source.text, starts[index], line, column)
            end_line, end_column = source.position(ends[index])
            token = LarkToken(kind, word, starts[index], line, column, end_line, end_column,
                              ends[index])
            fed[id(token)] = index
            tracker.see(token)
            interactive.feed_token(token)
        tree = interactive.feed_eof(token)
    except (UnexpectedToken, UnexpectedCharacters) as exc:
        raise syntax_error(source, exc, tracker) from None
    # lark read what the tables refused: never expected, as both use the same tables; its
    # tree is as good as ours.
    return _from_lark(tree, fed, starts, ends)


def _from_lark(tree, fed, starts, ends):
    """A lark tree (of tokens fed from the scanner) as a syntax Node."""
    from lark import Tree
    by_start = {offset: index for index, offset in enumerate(starts)}
    by_end = {offset: index for index, offset in enumerate(ends)}

    def convert(item):
        if isinstance(item, Tree):
            meta = item.meta
            empty = getattr(meta, "empty", True)
            return Node(item.data, [convert(child) for child in item.children],
                        None if empty else by_start[meta.start_pos],
                        None if empty else by_end[meta.end_pos])
        return Token(item.type, item.value, fed[id(item)])
    return convert(tree)


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


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if not argv or argv[0] != "--write-tables" or len(argv) > 2:
        sys.stderr.write("usage: python -m microcalc.lang.parser --write-tables [FILE]\n")
        return 2
    path = argv[1] if len(argv) == 2 else TABLES_FILE
    write_tables(path)
    sys.stdout.write(f"wrote {path}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
