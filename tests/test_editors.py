"""Editor support made from the grammar: the committed Vim syntax file and TextMate grammar
are what the generator writes, and they know every keyword and builtin."""

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from microcalc.frontend.editors import generated_files, main
from microcalc.lang.library import BUILTINS
from microcalc.lang.vocabulary import keywords

ROOT = Path(__file__).resolve().parents[1]
VIM = ROOT / "editors" / "vim" / "syntax" / "microcalc.vim"
TEXTMATE = ROOT / "editors" / "vscode" / "syntaxes" / "microcalc.tmLanguage.json"


def test_the_committed_files_are_what_the_generator_writes():
    for relative, text in generated_files().items():
        assert (ROOT / relative).read_text(encoding="utf-8") == text, (
            f"{relative} is out of date: run  python -m microcalc.frontend.editors")


def test_the_check_mode_finds_a_stale_file(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["--check"]) == 1                       # nothing written yet
    assert main([]) == 0 and main(["--check"]) == 0
    (tmp_path / "editors" / "vim" / "syntax" / "microcalc.vim").write_text("stale")
    assert main(["--check"]) == 1
    assert "editors/vim/syntax/microcalc.vim: out of date" in capsys.readouterr().out


def vim_keywords():
    words = {}
    for line in VIM.read_text().splitlines():
        match = re.match(r"syn keyword (\w+) (.*)", line)
        if match:
            words[match.group(1)] = set(match.group(2).split())
    return words


def test_the_vim_syntax_knows_every_keyword_and_builtin():
    words = vim_keywords()
    assert keywords() <= words["microcalcKeyword"]
    assert {n for n, b in BUILTINS.items() if b.kind == "command"} == words["microcalcCommand"]
    assert {n for n, b in BUILTINS.items() if b.kind != "command"} == words["microcalcFunction"]


def test_the_textmate_grammar_knows_every_keyword_and_builtin():
    grammar = json.loads(TEXTMATE.read_text())
    repository = grammar["repository"]

    def scope_of(word):
        found = [name for name, rule in repository.items()
                 if re.fullmatch(rule["match"], word)]
        return found
    for keyword in keywords():
        assert scope_of(keyword) == ["keyword"]
    for name, entry in BUILTINS.items():
        assert scope_of(name) == ["command" if entry.kind == "command" else "function"], name
    for text, scope in [("1.5e-3", "number"), ('"a \\" b"', "string"), ("# note", "comment"),
                        (":=", "operator"), ("**", "operator"), ("+=", "operator"),
                        ("pi", "constant"), ("ans", "constant")]:
        assert scope_of(text) == [scope], text


@pytest.mark.skipif(shutil.which("vim") is None, reason="needs vim, which is not installed")
def test_vim_highlights_a_line_with_the_syntax_file(tmp_path):
    script = tmp_path / "x.mg"
    line = 'repeat 2 { o := tanh(x) + 1.5e-3 } # done "s"'
    script.write_text(line + "\n")
    out = tmp_path / "groups.txt"
    columns = {"repeat": 1, ":=": line.index(":=") + 1, "tanh": line.index("tanh") + 1,
               "1.5e-3": line.index("1.5") + 1, "#": line.index("#") + 1}
    commands = tmp_path / "check.vim"
    commands.write_text("\n".join([
        f"set rtp^={ROOT / 'editors' / 'vim'}", "filetype on", "syntax on", f"edit {script}",
        "let groups = [&filetype]",
        *(f"call add(groups, synIDattr(synID(1, {column}, 1), 'name'))"
          for column in columns.values()),
        f"call writefile(groups, '{out}')", "qa!"]))
    subprocess.run(["vim", "-u", "NONE", "-i", "NONE", "-N", "-es", "-S", str(commands)],
                   timeout=60, check=False)
    assert out.read_text().split() == ["microcalc", "microcalcKeyword", "microcalcOperator",
                                       "microcalcFunction", "microcalcNumber",
                                       "microcalcComment"]
