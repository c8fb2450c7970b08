"""microcalc runs nothing but microcalc (docs/security.md).

- The language cannot reach Python: it has no attribute access, no import, no eval; a name
  is a variable, a function of yours, a constant or a builtin, nothing else.
- No user text is ever passed to eval, exec or a shell: the source holds no eval or exec at
  all, and the one program it starts (Graphviz's dot) gets an argument list.
- Files are read and written only where a command names them (plus the REPL's history and
  the parser cache, each in the user's own folder), and a string is only ever a file name.
"""

import ast
import builtins
import io
import os
import pickle
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from prompt_toolkit.filters import to_filter
from prompt_toolkit.history import InMemoryHistory
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput

from microcalc.errors import MicrocalcError
from microcalc.lang.errors import SourceError
from microcalc.frontend.repl.commands import run_command
from microcalc.frontend.display import Display
from microcalc.frontend.config import Config
from microcalc.frontend.repl.loop import Repl, make_prompt
from microcalc.lang import Session as new_session

from conftest import matches, mc_blocks, shown, steps

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "microcalc"
SHELL_WORDS = ['"$(touch pwned)"', '"`touch pwned`"', '"x; touch pwned"', '"x | touch pwned"',
               '"x && touch pwned"', '"-o pwned"', "\"x' ; touch pwned ; '\""]


def run(text):
    session = new_session()
    try:
        return [event.text for event in session.run(text)], None
    except SourceError as error:
        return None, error.message


@pytest.fixture(autouse=True)
def in_a_scratch_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return tmp_path


def nothing_ran(folder):
    """No file named as a shell command would have named it."""
    return not any("pwned" == path.name for path in Path(folder).rglob("*"))


# -- the language cannot reach Python ----------------------------------------------------------

@pytest.mark.parametrize("program, message", [
    ('__import__("os")', "unknown name '__import__'"),
    ('open("x.txt")', "unknown name 'open'"),
    ('exec("1")', "unknown name 'exec'"),
    ('eval("1 + 1")', "unknown name 'eval'"),
    ("globals()", "unknown name 'globals'"),
    ('getattr(x, "data")', "unknown name 'getattr'"),
    ("__builtins__", "unknown name '__builtins__'"),
    ("os", "unknown name 'os'"),
    ("x.__class__", "unexpected character '.'"),
    ("tanh.__globals__", "unexpected character '.'"),
    ('x["__class__"]', "only a list can be indexed, and x is a number"),
    ('"abc"["__len__"]', "an index must be a whole number, not a string"),
    ("tanh(x, __class__=1)", "tanh takes no keyword arguments"),
    ("import os", "missing operator between 'import' and 'os' (write import * os to multiply)"),
    ("lambda: 1", "unexpected character ':' (write := to change an input in place)"),
])
def test_python_is_out_of_reach(program, message):
    printed, error = run("x = 2\n" + program)
    assert error is not None and error.startswith(message)


def test_text_that_looks_like_python_is_only_a_string():
    code = "__import__('os').system('touch pwned')"
    printed, error = run(f's = "{code}"\ns\nlen(s)')
    assert error is None and printed == [f'"{code}"', f'"{code}"', str(len(code))]


def test_a_name_is_only_ever_looked_up_in_the_sessions_own_tables():
    """Every builtin the language can call is in BUILTINS; `tanh` alone is not a value that
    could be handed to Python."""
    assert run("t = tanh")[1] == "'tanh' is a function: call it, as in tanh(x)"
    assert run("t = dot")[1] == "'dot' is a command: write it as a statement of its own, " \
                                "as in dot L, [path], nodes=200, [highlight]"


# -- no eval, no exec, no shell ------------------------------------------------------------------

def python_files():
    return sorted(PACKAGE.rglob("*.py"))


def calls_in(path):
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            yield node


def called_name(call):
    function = call.func
    if isinstance(function, ast.Name):
        return function.id
    if isinstance(function, ast.Attribute) and isinstance(function.value, ast.Name):
        return f"{function.value.id}.{function.attr}"
    return None


def test_the_source_calls_no_eval_exec_or_shell():
    forbidden = {"eval", "exec", "compile", "__import__", "os.system", "os.popen",
                 "os.execv", "os.execvp", "os.spawnv", "pickle.load", "pickle.loads",
                 "subprocess.Popen", "subprocess.call", "subprocess.check_output"}
    found = [(path.relative_to(PACKAGE).as_posix(), called_name(call))
             for path in python_files() for call in calls_in(path)
             if called_name(call) in forbidden]
    # The one exception: the engine compiles the op table's own derivative rules (text
    # written in engine/ops.py, never text from a program or a file) once, at import.
    assert sorted(found) == [("engine/rules.py", "compile"), ("engine/rules.py", "exec")]


def test_the_programs_started_get_an_argument_list_and_no_shell():
    """Graphviz's dot, and in the REPL the user's own editor and pager (started only from
    the keyboard: Ctrl-X Ctrl-E, :edit, help longer than the screen)."""
    runs = [(path, call) for path in python_files() for call in calls_in(path)
            if called_name(call) == "subprocess.run"]
    assert sorted(path.name for path, _ in runs) == ["dot.py", "outside.py", "outside.py"]
    for path, call in runs:
        assert isinstance(call.args[0], ast.List)
        assert all(keyword.arg != "shell" for keyword in call.keywords)


@pytest.mark.parametrize("name", SHELL_WORDS)
def test_dot_never_passes_the_file_name_to_graphviz(name, monkeypatch, tmp_path):
    """Graphviz draws on stdout and microcalc writes the file itself (atomically), so a file
    name that looks like an option or a command is never among dot's arguments."""
    started = []

    def record(argv, **options):
        started.append((argv, options))
        return subprocess.CompletedProcess(argv, 0, b"<svg>drawn</svg>", b"")
    monkeypatch.setattr(shutil, "which", lambda program: "/usr/bin/dot")
    monkeypatch.setattr(subprocess, "run", record)
    path = name.strip('"') + ".svg"
    printed, error = run(f'x = 3; y = x * x\ndot y, "{path}"')
    assert error is None
    (argv, options), = started
    assert argv[:2] == ["/usr/bin/dot", "-Tsvg"] and not any(path in arg for arg in argv)
    assert b"digraph" in options["input"]
    assert (tmp_path / path).read_bytes() == b"<svg>drawn</svg>"
    assert "shell" not in options and nothing_ran(tmp_path)


@pytest.mark.parametrize("name", SHELL_WORDS)
def test_dot_with_graphviz_writes_the_file_named_and_nothing_else(name, tmp_path):
    """With Graphviz installed, the file is made under exactly its name; without it, the error
    says so. Either way no command in the name ran."""
    path = name.strip('"') + ".svg"
    printed, error = run(f'x = 3; y = x * x\ndot y, "{path}"')
    if shutil.which("dot"):
        assert error is None and (tmp_path / path).read_text().lstrip().startswith("<?xml")
    else:
        assert error.startswith(f"writing {path} needs Graphviz")
    assert nothing_ran(tmp_path)


@pytest.mark.parametrize("name", SHELL_WORDS)
def test_files_named_in_the_language_are_only_file_names(name, tmp_path):
    session = new_session()
    session.run("net = mlp(2, [2, 1], seed=1)")
    base = name.strip('"')
    session.run(f'save(net, "{base}.json")\nload(net, "{base}.json")\n'
                f'dot net([1, 2]), "{base}.dot"')
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([base + ".json", base + ".dot"])
    with pytest.raises(SourceError, match="no such file"):
        session.run(f'load_csv("{base}.csv")')
    assert nothing_ran(tmp_path)


def test_the_repl_offers_no_way_out_to_a_shell():
    """prompt_toolkit can run a shell command (Meta-!) or suspend (Ctrl-Z); the REPL turns
    neither on. (It does open the user's own $EDITOR on Ctrl-X Ctrl-E.)"""
    with create_pipe_input() as pipe:
        prompt = make_prompt(new_session(), InMemoryHistory(), color=False, input=pipe,
                             output=DummyOutput())
        for feature in (prompt.enable_system_prompt, prompt.enable_suspend):
            assert to_filter(feature)() is False
        assert to_filter(prompt.enable_open_in_editor)() is True


def test_repl_file_commands_take_one_file_name():
    shown = io.StringIO()
    with create_pipe_input() as pipe:
        repl = Repl(new_session(), Display(shown, shown), Config(), history=InMemoryHistory(),
                    input=pipe, output=DummyOutput())
    with pytest.raises(MicrocalcError, match="usage: :save FILE"):
        run_command(":save $(touch pwned) x", repl)
    run_command(':save "x; touch pwned"', repl)
    assert Path("x; touch pwned").exists() and nothing_ran(Path.cwd())


# -- the parser cache -------------------------------------------------------------------------------

def test_a_cache_folder_others_can_write_to_is_not_used(tmp_path):
    """The parser cache is a pickle, and loading a pickle runs what it says: a cache planted
    in a folder anyone can write to (XDG_CACHE_HOME=/tmp, say) must not be loaded. (It was:
    the marker file appeared.)"""
    shared = tmp_path / "shared"
    folder = shared / "microcalc"
    folder.mkdir(parents=True)
    folder.chmod(0o777)
    marker = tmp_path / "planted-cache-ran"

    class Planted:
        def __reduce__(self):
            return builtins.open, (str(marker), "w")

    env = dict(os.environ, PYTHONPATH=str(ROOT))
    # The cache file's name, from a run with a private cache folder.
    private = tmp_path / "private"
    subprocess.run([sys.executable, "-m", "microcalc", "-e", "1"], capture_output=True,
                   env=dict(env, XDG_CACHE_HOME=str(private)), timeout=60)
    (cached,) = (private / "microcalc").iterdir()
    planted = folder / cached.name
    planted.write_bytes(b"planted\n" + pickle.dumps(Planted()))
    done = subprocess.run([sys.executable, "-m", "microcalc", "-e", "1 + 1"],
                          capture_output=True, text=True, timeout=60,
                          env=dict(env, XDG_CACHE_HOME=str(shared)))
    assert (done.returncode, done.stdout, done.stderr) == (0, "2\n", "")
    assert not marker.exists()


# -- docs/security.md ------------------------------------------------------------------------------

SECURITY_DOC = ROOT / "docs" / "security.md"


@pytest.mark.parametrize("start, lines", mc_blocks(SECURITY_DOC.read_text("utf-8")),
                         ids=lambda value: f"line{value}" if isinstance(value, int) else "")
def test_the_examples_in_docs_security_run_as_shown(start, lines):
    session = new_session()
    for source, expected in steps(lines):
        actual = shown(session, source)
        assert matches(expected, actual), (
            f"docs/security.md, example at line {start}: mc> {source}\n"
            f"expected:\n" + "\n".join(expected) + "\nactual:\n" + "\n".join(actual))
