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
