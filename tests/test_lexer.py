"""The Pygments lexer: token classes from the grammar and the builtin table, Error tokens for
what the language cannot read, and the plugin entry point that `pygmentize` uses."""

import re
import subprocess
import sys
from pathlib import Path

import pygments.lexers
from pygments.token import (Comment, Error, Keyword, Name, Number, Operator, Punctuation,
                            String)

from microcalc.lang.library import BUILTINS
from microcalc.lang.parser import grammar_text
from microcalc.frontend.lexer import KEYWORDS, MicrocalcLexer, MicrocalcReplLexer

ROOT = Path(__file__).resolve().parents[1]


def tokens(text, lexer=MicrocalcLexer):
    """(token type, text) pairs without the whitespace between them."""
    return [(kind, value) for kind, value in lexer().get_tokens(text) if value.strip()]


def test_a_program_in_token_classes():
    program = ('#!/usr/bin/env microcalc\n'
               'a = 2.5e-3; b := -3  # inputs\n'
               'L = tanh(a ** 2 + sq(b)) \n'
               'b -= 0.1 * grad(L, b)\n'
               'repeat 3 { repeated = "x" }\n')
    assert tokens(program) == [
        (Comment.Hashbang, "#!/usr/bin/env microcalc"),
        (Name, "a"), (Operator, "="), (Number, "2.5e-3"), (Punctuation, ";"),
        (Name, "b"), (Operator, ":="), (Operator, "-"), (Number, "3"),
        (Comment.Single, "# inputs"),
        (Name, "L"), (Operator, "="), (Name.Builtin, "tanh"), (Punctuation, "("),
        (Name, "a"), (Operator, "**"), (Number, "2"), (Operator, "+"),
        (Name.Function, "sq"), (Punctuation, "("), (Name, "b"), (Punctuation, ")"),
        (Punctuation, ")"),
        (Name, "b"), (Operator, "-="), (Number, "0.1"), (Operator, "*"),
        (Name.Builtin, "grad"), (Punctuation, "("), (Name, "L"), (Punctuation, ","),
        (Name, "b"), (Punctuation, ")"),
        (Keyword, "repeat"), (Number, "3"), (Punctuation, "{"), (Name, "repeated"),
        (Operator, "="), (String.Double, '"x"'), (Punctuation, "}"),
    ]


def test_every_builtin_is_a_function_or_a_command_token():
    for name, entry in BUILTINS.items():
        expected = Keyword.Pseudo if entry.kind == "command" else Name.Builtin
        assert tokens(name) == [(expected, name)], name


def test_constants_and_the_last_result():
    assert tokens("2*pi + e - ans") == [
        (Number, "2"), (Operator, "*"), (Name.Constant, "pi"), (Operator, "+"),
        (Name.Constant, "e"), (Operator, "-"), (Name.Constant, "ans")]


def test_keywords_are_the_grammars_alphabetic_literals():
    assert KEYWORDS == set(re.findall(r'"([A-Za-z_]\w*)"', grammar_text()))
    assert "repeat" in KEYWORDS


def test_characters_the_language_cannot_read_are_error_tokens():
    assert tokens("a $ b ? c") == [(Name, "a"), (Error, "$"), (Name, "b"), (Error, "?"),
                                   (Name, "c")]
    assert (Error, "'") in tokens("'single quotes'")


def test_lexing_loses_no_character():
    text = "f(x) = x**2 # c\n\ta += 1e3 @ \\\n  [1, 2][0]\n"
    assert "".join(value for _, value in MicrocalcLexer().get_tokens(text)) == text


def test_every_example_lexes_without_errors():
    examples = sorted((ROOT / "examples").glob("*.mg"))
    assert examples
    for example in examples:
        kinds = {kind for kind, _ in MicrocalcLexer().get_tokens(example.read_text())}
        assert Error not in kinds, example.name


def test_repl_lexer_reads_colon_commands():
    assert tokens(":load my file.mg", MicrocalcReplLexer) == [
        (Keyword.Namespace, ":load"), (String, " my file.mg")]
    assert tokens("x := 1", MicrocalcReplLexer) == tokens("x := 1")


def test_registered_as_a_pygments_plugin(tmp_path):
    assert type(pygments.lexers.get_lexer_by_name("microcalc")) is MicrocalcLexer
    assert type(pygments.lexers.get_lexer_for_filename("neuron.mg")) is MicrocalcLexer
    script = tmp_path / "neuron.mg"
    script.write_text("o = tanh(x1*w1 + b)\nrepeat 2 { b := b + 1 }\n")
    pygmentize = Path(sys.executable).parent / "pygmentize"
    run = subprocess.run([str(pygmentize), "-l", "microcalc", "-f", "html", str(script)],
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    assert '<span class="nb">tanh</span>' in run.stdout
    assert '<span class="k">repeat</span>' in run.stdout
