"""The parser: grammar file, scanner (newlines in brackets, commands), the shipped tables, and
that it reads every program as lark itself does."""

import os
import subprocess
import sys
from pathlib import Path

import lark
import pytest

from microcalc.lang import Session
from microcalc.lang.library.registry import BUILTINS, builtin
from microcalc.lang.errors import Source
from microcalc.lang.parser import grammar_text, parse
from microcalc.lang.syntax import Token

ROOT = Path(__file__).resolve().parents[1]


def tree_of(text):
    return parse(Source(text))


def test_the_grammar_is_one_file_beside_the_parser():
    assert grammar_text() == (ROOT / "microcalc" / "lang" / "grammar.lark").read_text("utf-8")


def test_newlines_inside_round_and_square_brackets_are_dropped_but_not_inside_braces():
    assert len(tree_of("f(1,\n2)\n[3,\n4]").children) == 2
    block = tree_of("repeat 2 {\n a = (1 +\n 2)\n b = 3\n}").children[0].children[1]
    assert [s.data for s in block.children] == ["assign", "assign"]


def test_statement_separators_and_comments():
    tree = tree_of("\n\n# only a comment\n;;a = 1 ; b = 2 # c\n\n\nc = 3;\n")
    assert [s.data for s in tree.children] == ["assign"] * 3
    assert tree_of("").children == [] and tree_of("# nothing\n").children == []


def test_backslash_continues_a_line():
    assert len(tree_of("x = 1 + \\\n 2").children) == 1


@pytest.fixture
def command():
    builtin("t_parse_cmd", "A test command.", kind="command")(lambda ctx, *a: None)
    yield "t_parse_cmd"
    del BUILTINS["t_parse_cmd"]


def test_a_command_name_at_statement_start_is_a_command_token(command):
    for text in ("t_parse_cmd L", "t_parse_cmd(L)", "x = 1; t_parse_cmd L",
                 "repeat 1 { t_parse_cmd L }", "x = 1\nt_parse_cmd L, x"):
        statements = tree_of(text).children
        last = statements[-1]
        if last.data == "repeat":
            last = last.children[1].children[0]
        assert last.data == "command", text
        assert last.children[0].type == "COMMAND"


def test_a_bracket_right_after_a_command_is_the_commands_own(command):
    call_form = tree_of("t_parse_cmd(a, b)").children[0]
    assert [c.type for c in call_form.children if isinstance(c, Token)] == \
        ["COMMAND", "COMMAND_OPEN"]
    assert len(call_form.children[-1].children) == 2
    spaced = tree_of("t_parse_cmd (a + b) * c").children[0]
    assert spaced.children[-1].children[0].data == "mul"


def test_other_names_are_never_commands():
    BUILTINS.pop("t_parse_none", None)
    assert tree_of("t_parse_none(1)").children[0].data == "call"


def test_is_complete_for_the_repl():
    session = Session()
    assert not session.is_complete("tanh(")
    assert not session.is_complete("[1, [2,")
    assert not session.is_complete("repeat 2 {")
    assert not session.is_complete("repeat 2 {\n  x = (1 +")
    assert session.is_complete("repeat 2 { 1 }")
    assert session.is_complete("1 + 1")
    assert session.is_complete("1 +) ")
    assert not session.is_complete("x = 1 + \\")
    assert session.is_complete("x = 1 + \\\n 2")


# -- the shipped tables -----------------------------------------------------------------

def test_the_shipped_tables_are_fresh(tmp_path):
    """lang/tables.py is what `python -m microcalc.lang.parser --write-tables` writes now:
    made from this grammar.lark by the installed lark."""
    from microcalc.lang import tables
    from microcalc.lang.parser import TABLES_FILE, grammar_hash
    assert tables.GRAMMAR_SHA256 == grammar_hash(grammar_text())
    assert tables.LARK_VERSION == lark.__version__
    fresh = tmp_path / "tables.py"
    env = dict(os.environ,
               PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
    done = subprocess.run([sys.executable, "-m", "microcalc.lang.parser", "--write-tables",
                           str(fresh)], capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 0, done.stderr
    assert Path(TABLES_FILE).read_text("utf-8") == fresh.read_text("utf-8")


def test_the_tables_are_plain_data_read_without_pickle():
    import ast
    text = (ROOT / "microcalc" / "lang" / "tables.py").read_text("utf-8")
    body = ast.parse(text).body
    assert isinstance(body[0], ast.Expr)                  # the docstring
    for node in body[1:]:
        assert isinstance(node, ast.Assign)
        ast.literal_eval(node.value)        # literals only: nothing in it can run


def test_an_edited_grammar_is_built_in_memory(monkeypatch):
    """Tables made from another grammar are not used: the parser builds its own."""
    from microcalc.lang import parser, tables
    monkeypatch.setattr(tables, "GRAMMAR_SHA256", "0" * 64)
    monkeypatch.setattr(parser, "_tables", None)
    built = parser.tables()
    assert built.lark is not None                        # lark built it from the grammar
    assert [s.data for s in parse(Source("a = 1; a := 2")).children] == ["assign", "set_input"]
    monkeypatch.setattr(parser, "_tables", None)


def test_a_program_that_runs_never_imports_lark():
    env = dict(os.environ,
               PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
    code = ("import sys; from microcalc.lang import Session; "
            "Session().run('a = 2; for i in range(3) { a += i }; if a > 4 { a }'); "
            "print('lark' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env=env, timeout=120)
    assert (done.returncode, done.stdout) == (0, "False\n"), done.stderr


# -- the same trees and errors as lark's own parser ----------------------------------------
#
# The oracle is lark reading the program by itself, with its own lexer and the post-lexer
# microcalc used before its parser read the tables alone (commit 12c50e8): the tree must be
# the same node for node and token for token, and a program lark refuses must get the same
# error at the same place.

from lark.lark import PostLex  # noqa: E402
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from fuzz_programs import ANY_TEXT  # noqa: E402
from microcalc.lang.errors import SourceError  # noqa: E402
from microcalc.lang.library import COMMANDS  # noqa: E402
from microcalc.lang.syntax import Node  # noqa: E402
from microcalc.lang.syntax_errors import (OPENING, STATEMENT_START, Tracker,  # noqa: E402
                                          syntax_error)


class ReferencePostLexer(PostLex):
    """What lark's lexer needed around it: newlines inside ( and [ dropped, COMMAND and
    COMMAND_OPEN made; what the error messages need to know is kept by the same Tracker."""

    always_accept = ("_NEWLINE",)

    def __init__(self, commands):
        self.commands = commands

    def process(self, stream):
        self.tracker = tracker = Tracker()
        closers, at_statement_start, last = [], True, None
        for token in stream:
            kind = token.type
            if kind == "_NEWLINE" and closers and closers[-1] != "}":
                continue
            if kind == "NAME" and at_statement_start and token.value in self.commands:
                token = lark.Token.new_borrow_pos("COMMAND", token.value, token)
            elif (kind == "LPAR" and last is not None and last.type == "COMMAND"
                  and last.end_pos == token.start_pos):
                token = lark.Token.new_borrow_pos("COMMAND_OPEN", token.value, token)
            if token.type in OPENING:
                closers.append(OPENING[token.type])
            elif closers and token.value == closers[-1]:
                closers.pop()
            at_statement_start = token.type in STATEMENT_START
            tracker.see(token)
            last = token
            yield token


_REFERENCE = lark.Lark(grammar_text(), parser="lalr", lexer="basic",
                       postlex=ReferencePostLexer(COMMANDS), propagate_positions=True,
                       maybe_placeholders=False)


def reference(text):
    """lark's own tree of text, as (rule or token type, children or text, start, end)."""
    from lark.exceptions import UnexpectedInput
    source = Source(text)
    try:
        tree = _REFERENCE.parse(text)
    except UnexpectedInput as exc:
        return syntax_error(source, exc, _REFERENCE.options.postlex.tracker)

    def shape(item):
        if isinstance(item, lark.Tree):
            return (item.data, [shape(c) for c in item.children], item.meta.start_pos,
                    item.meta.end_pos)
        return (item.type, str(item), item.start_pos, item.end_pos)
    return [shape(child) for child in tree.children]


def ours(text):
    source = Source(text)
    try:
        tree = parse(source)
    except SourceError as error:
        return error

    def shape(item):
        start, end = source.offsets(item)
        if item.__class__ is Node:
            return (item.data, [shape(c) for c in item.children], start, end)
        return (item.type, item.value, start, end)
    return [shape(child) for child in tree.children]


def same_reading(text):
    expected, got = reference(text), ours(text)
    if isinstance(expected, SourceError):
        assert isinstance(got, SourceError), text
        assert got.format() == expected.format(), text
    else:
        assert got == expected, text


NEW_FORMS = [
    "for x in xs { x }", "for x, y in data {\n  L = (net(x) - y)^2\n}",
    "for i in range(3) { ps[i] -= 0.1 * g[i] }", "if a < b { 1 } else if a == b { 2 } else { 3 }",
    "if not a and b or c >= 2 { x := 1 }", "f'(2) + f''(x) * tanh'''(0.5)", "2^3^-2 != 1",
    "for x in xs:\n  x", "if x > 0: x", "L.grad", "a.data", "L.backward()", "def f(x): x",
    "lambda x: x", "import math", "a < b < c", "if a { 1 }\nelse { 2 }", "for 3 in xs { }",
    "f' (2)", "f'", "x'' = 3", "for x in { }", "if { }", "else { 1 }",
]


@pytest.mark.parametrize("text", NEW_FORMS)
def test_the_new_forms_read_as_lark_reads_them(text):
    same_reading(text)


@settings(max_examples=300, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(st.one_of(ANY_TEXT, st.lists(st.sampled_from(NEW_FORMS + ["\n", "; ", "{", "}", "(",
                                                                  ")", "x", "1"]),
                                    max_size=8).map(" ".join)))
@pytest.mark.slow
def test_every_program_reads_as_lark_reads_it(text):
    same_reading(text)


def test_a_long_program_reads_as_lark_reads_it():
    lines = ["a = 2; b = -3", "L = (a*b + 10) * -2", "tree L", "repeat 2 {\n  a -= 0.1 *"
             " grad(L, a)\n}", "xs = [1,\n 2]", "f(x) = x**2 + tanh(x)", "f'(a)"]
    same_reading("\n".join(lines * 50))


# -- the trees of the new forms --------------------------------------------------------------

def shape(tree):
    """A tree as nested (rule, children...) with tokens as their text."""
    if isinstance(tree, Token):
        return tree.value
    return (tree.data, *[shape(child) for child in tree.children])


@pytest.mark.parametrize("text, expected", [
    ("for x in xs { x }", ("for_loop", ("targets", "x"), ("name", "xs"),
                           ("block", ("name", "x")))),
    ("for x, y in d { }", ("for_loop", ("targets", "x", "y"), ("name", "d"), ("block",))),
    ("if a { 1 } else if b { 2 } else { 3 }",
     ("if_chain", ("name", "a"), ("block", ("number", "1")), ("name", "b"),
      ("block", ("number", "2")), ("block", ("number", "3")))),
    ("not a < b and c or d", ("or_", ("and_", ("not_", ("compare", ("name", "a"), "<",
                                                         ("name", "b"))),
                                      ("name", "c")), ("name", "d"))),
    ("-2^3^2", ("neg", ("pow", ("number", "2"), ("pow", ("number", "3"), ("number", "2"))))),
    ("f''(x)", ("derivative", "f''", ("arguments", ("name", "x")))),
    ("ps[i] -= g[i]", ("update", ("index", ("name", "ps"), ("name", "i")), "-=",
                       ("index", ("name", "g"), ("name", "i")))),
    ("a + 1 == b * 2", ("compare", ("add", ("name", "a"), ("number", "1")), "==",
                        ("mul", ("name", "b"), ("number", "2")))),
])
def test_the_trees_of_the_new_forms(text, expected):
    (statement,) = tree_of(text).children
    assert shape(statement) == expected


def test_the_keywords_come_from_the_grammar():
    from microcalc.lang.vocabulary import keywords
    assert keywords() == {"repeat", "for", "in", "if", "else", "and", "or", "not"}
