"""Help for a newcomer: `help`, `help NAME`, `NAME?`, `?` and `:help` in the REPL and from the
command line; statements and syntax explained with examples that run; text wrapped at word
boundaries to the screen."""

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from prompt_toolkit.history import InMemoryHistory
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput

from microcalc.frontend.display import Display
from microcalc.frontend.help import every_builtin, help_on, help_request, overview
from microcalc.frontend.help_topics import TOPICS, topic_named
from microcalc.frontend.repl.commands import COMMANDS, find_command
from microcalc.frontend.repl.loop import BANNER, run_repl
from microcalc.lang import Session
from microcalc.lang.library import BUILTINS
from microcalc.lang.vocabulary import keywords

from conftest import matches, shown, steps

ROOT = Path(__file__).resolve().parents[1]


def repl(keys, session=None):
    printed = io.StringIO()
    with create_pipe_input() as pipe:
        pipe.send_text(keys)
        pipe.close()
        run_repl(session or Session(), Display(printed, printed), history=InMemoryHistory(),
                 input=pipe, output=DummyOutput())
    return printed.getvalue()[len(BANNER) + 1:]


def microcalc(*args, stdin=""):
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-m", "microcalc", *args], input=stdin,
                          capture_output=True, text=True, timeout=120, env=env)


# -- the examples of every topic run as written -------------------------------------------------

@pytest.mark.parametrize("topic", TOPICS, ids=lambda topic: topic.names[0])
def test_every_topic_example_prints_what_it_says(topic):
    session = Session()
    for typed, expected in steps(topic.example.splitlines()):
        assert matches(expected, shown(session, typed)), (typed, shown(session, typed))


def test_every_keyword_of_the_grammar_has_a_topic():
    assert keywords() and all(topic_named(keyword) for keyword in keywords())


@pytest.mark.parametrize("name", ["repeat", ":=", "operators", "=", "+=", "_", "lists"])
def test_statements_and_syntax_are_explained(name):
    text = help_on(name)
    topic = topic_named(name)
    assert text.startswith(topic.title) and "example:" in text
    assert " ".join(topic.text.split()) in " ".join(text.split())


# -- what is a request for help ------------------------------------------------------------------

@pytest.mark.parametrize("text, name", [
    ("help", ""), ("?", ""), ("help tanh", "tanh"), ("tanh?", "tanh"), ("?tanh", "tanh"),
    (":help", ""), (":h repeat", "repeat"), (":help :=", ":="), ("  help  grad ", "grad"),
    ("x = 1", None), ("help me please", None), ("helper", None), ("a ? b", None),
])
def test_help_requests(text, name):
    assert help_request(text) == name


# -- wrapped at word boundaries, an overview that fits a screen -----------------------------------

@pytest.mark.parametrize("width", [40, 60, 80, 120])
def test_help_is_wrapped_between_words_to_the_width(width):
    for text in (overview(width, COMMANDS), help_on("train", width), help_on("repeat", width),
                 every_builtin(width)):
        prose = text.split("\nexample:")[0]        # examples are code, shown as written
        for line in prose.splitlines():
            long_word = any(len(word) > width - 6 for word in line.split())
            assert len(line) <= width or long_word, line
    # no word was cut in two: every word of the description is whole
    doc_words = set(BUILTINS["train"].doc.split())
    assert doc_words <= set(help_on("train", 40).split())


def test_the_overview_fits_an_80_by_24_screen():
    assert len(overview(80, COMMANDS).splitlines()) <= 22
    text = overview(80, COMMANDS)
    for entry in BUILTINS.values():
        assert entry.name in text
    for name in COMMANDS:
        assert f":{name}" in text


def test_help_builtins_lists_every_builtin_with_its_summary():
    flowing = " ".join(every_builtin(80).split())
    for entry in BUILTINS.values():
        assert " ".join(f"{entry.signature} {entry.summary}".split()) in flowing


# -- in the REPL ---------------------------------------------------------------------------------

def test_help_words_in_the_repl():
    assert repl("help tanh\r").startswith(BUILTINS["tanh"].signature)
    assert repl("tanh?\r") == repl("help tanh\r") == repl(":help tanh\r") == repl(":h tanh\r")
    assert repl("help\r") == repl("?\r") == repl(":help\r")
    assert repl("help\r").startswith("microcalc: a calculator that knows its derivatives.")


def test_help_on_a_users_own_function():
    assert repl("sq(x) = x * x\rhelp sq\r") == "sq(x) = x * x    (your function)\n"


def test_a_users_variable_named_like_a_help_word_wins():
    assert repl("clear = 3\rclear + 1\rclear\r") == "4\n3\n"
    assert repl("help = 2\rhelp\r") == "2\n"


def test_quit_and_exit_leave():
    assert repl("1 + 1\rquit\r2 + 2\r") == "2\n"
    assert repl("1 + 1\rexit\r2 + 2\r") == "2\n"
    assert repl("1 + 1\r:q\r2 + 2\r") == "2\n"


def test_colon_commands_by_a_unique_prefix_or_the_first_they_fit():
    assert find_command("h").name == "help" and find_command("q").name == "quit"
    assert find_command("hi").name == "history" and find_command("va").name == "vars"
    assert find_command("x") is None
    assert repl("a = 2\r:va\r") == "a  2  (input)\n"


def test_unknown_keyword_argument_in_the_repl():
    printed = repl("net = mlp(2, [1], seed=1); data = moons(10)\rtrain(net, data, step=5)\r")
    assert "error: train has no parameter step= (did you mean steps=?)" in printed


# -- from the command line -----------------------------------------------------------------------

def test_help_from_the_command_line():
    run = microcalc("-e", "help tanh")
    assert (run.returncode, run.stderr) == (0, "") and run.stdout.startswith("tanh(x)")
    assert microcalc("-e", "tanh?").stdout == run.stdout
    assert microcalc(stdin="help tanh\n").stdout == run.stdout
    assert microcalc("-e", ":help tanh").stdout == run.stdout
    overview_run = microcalc("-e", "help")
    assert overview_run.returncode == 0 and "Builtins by category" in overview_run.stdout
    assert ":vars" not in overview_run.stdout          # no REPL commands outside the REPL


def test_a_repl_command_in_a_pipe_says_where_it_works():
    run = microcalc(stdin=":vars\n")
    assert (run.returncode, run.stdout) == (1, "")
    assert run.stderr == (":vars is a command of the REPL (start microcalc on a terminal to use "
                          "it); for help from here, try  microcalc -e 'help tanh'\n"
                          ).join(["error: ", ""])


def test_help_on_nothing_known_is_an_error_with_a_suggestion():
    run = microcalc("-e", "help tahn")
    assert run.returncode == 1
    assert run.stderr == "error: no help for 'tahn' (did you mean tanh?); help alone lists what there is\n"


@pytest.mark.parametrize("name", sorted(BUILTINS))
def test_every_builtin_is_described_in_whole_sentences(name):
    # help shows the description as it is: a capital or a number first, a full stop last
    description = BUILTINS[name].doc
    assert description, name
    first = description.lstrip("-")[0]
    assert first.isupper() or first.isdigit() or description.startswith(("e to ", "x ")), \
        (name, description)
    assert description.rstrip().endswith((".", ")")), (name, description)
