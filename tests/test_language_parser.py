"""The parser: grammar file, post-lexer (newlines in brackets, commands), and its cache."""

import os
import subprocess
import sys
from pathlib import Path

import lark
import pytest

from microcalc.lang import Session
from microcalc.lang.library.registry import BUILTINS, builtin
from microcalc.lang.errors import Source
from microcalc.lang.parser import _cache_path, grammar_text, parse

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
    assert [c.type for c in call_form.children if isinstance(c, lark.Token)] == \
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


# -- the cache --------------------------------------------------------------------------

def test_cache_path_is_per_user_and_keyed_on_grammar_and_lark_version(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    path = _cache_path("grammar one")
    assert Path(path).parent == tmp_path / "microcalc"
    assert _cache_path("grammar one") == path
    assert _cache_path("grammar two") != path
    monkeypatch.setattr(lark, "__version__", "0.0.0-other")
    assert _cache_path("grammar one") != path


def test_cache_path_defaults_to_the_home_cache_folder(tmp_path, monkeypatch):
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    assert Path(_cache_path("g")).parent == tmp_path / ".cache" / "microcalc"


def test_no_cache_when_the_folder_cannot_be_made(tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    assert _cache_path("g") is None


def _run_in_fresh_process(cache_home):
    env = dict(os.environ, XDG_CACHE_HOME=str(cache_home),
               PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
    code = ("from microcalc.lang import Session; "
            "print(Session().run('x = 3; grad(x**2, x)')[0].text)")
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                          text=True, timeout=120)


def test_the_parser_is_cached_in_the_cache_folder_and_reused(tmp_path):
    first = _run_in_fresh_process(tmp_path)
    assert (first.returncode, first.stdout, first.stderr) == (0, "6\n", "")
    (cached,) = (tmp_path / "microcalc").iterdir()
    assert cached.name.startswith("grammar-") and cached.stat().st_size > 0
    stamp = cached.stat().st_mtime_ns
    second = _run_in_fresh_process(tmp_path)
    assert (second.returncode, second.stdout, second.stderr) == (0, "6\n", "")
    assert cached.stat().st_mtime_ns == stamp            # read, not written again


def test_an_unwritable_or_broken_cache_is_not_an_error(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    result = _run_in_fresh_process(blocker)
    assert (result.returncode, result.stdout, result.stderr) == (0, "6\n", "")
    folder = tmp_path / "cache"
    _run_in_fresh_process(folder)
    (cached,) = (folder / "microcalc").iterdir()
    cached.write_bytes(b"garbage")
    result = _run_in_fresh_process(folder)
    assert (result.returncode, result.stdout, result.stderr) == (0, "6\n", "")
