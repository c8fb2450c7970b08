"""The layers hold: each part of microcalc imports only the parts below it, reads a Value
only through its public accessors, and loads nothing heavy before it is needed.

    0  errors, text, files          what every layer shares
    1  engine                       Value and the one registry of operations
    2  compiled, nn, render         libraries that know nothing of the language
    3  lang                         the grammar, compiler and library of builtins
    4  frontend                     the command line, the REPL, the display

The imports are read from the source (every import statement, those inside functions
too), so a lazy import that breaks the layering is caught as well as an eager one.
"""

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "microcalc"

LAYERS = {"errors": 0, "text": 0, "files": 0, "lazy": 0, "engine": 1, "compiled": 2, "nn": 2, "render": 2,
          "lang": 3, "frontend": 4, "__main__": 4}
# Within a layer, what each part may use besides the layers below.
NEIGHBOURS = {"errors": {"text"}, "files": {"errors"}, "nn": {"compiled"},
              "__main__": {"frontend"}}
# The one import upward: a Value asked by a notebook to show itself (_repr_svg_, _repr_html_)
# hands the drawing to render, inside those two methods only, never on the engine's own work.
NOTEBOOK_HOOK = {("microcalc.engine.value", "microcalc.render.notebook")}
PRIVATE_FIELDS = {"_a", "_b", "_op", "_prev"}


def modules():
    """(dotted name, path) of every module of the package."""
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        yield ".".join(parts), path


def imported(name, path):
    """The microcalc modules that the module imports, as dotted names."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[:len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module
            found.add(target)
            found.update(f"{target}.{alias.name}" for alias in node.names)
    return {target for target in found if target.split(".")[0] == "microcalc"}


def part_of(dotted):
    """The top-level part of microcalc a dotted name belongs to ('engine', 'lang', ...)."""
    parts = dotted.split(".")
    return parts[1] if len(parts) > 1 else None


def test_no_module_imports_a_higher_layer():
    wrong = []
    for name, path in modules():
        own = part_of(name)
        if own is None:             # microcalc/__init__.py: lazy re-exports of layers 0 and 1
            assert {part_of(t) for t in imported(name, path)} <= {None, "engine", "errors",
                                                                  "lazy"}
            continue
        for target in imported(name, path):
            other = part_of(target)
            if other is None or other == own or other not in LAYERS:
                continue
            allowed = (LAYERS[other] < LAYERS[own]
                       or other in NEIGHBOURS.get(own, ())
                       or (name, target.rpartition(".")[0]) in NOTEBOOK_HOOK
                       or (name, target) in NOTEBOOK_HOOK)
            if not allowed:
                wrong.append(f"{name} imports {target}")
    assert wrong == []


def test_the_reader_works_on_a_known_case():
    """The import reader itself: lang/library/graphs.py imports render on first use."""
    path = PACKAGE / "lang" / "library" / "graphs.py"
    found = imported("microcalc.lang.library.graphs", path)
    assert "microcalc.render" in found and "microcalc.engine" in found


def test_only_engine_and_compiled_read_values_private_fields():
    readers = set()
    for name, path in modules():
        if part_of(name) in ("engine", "compiled"):
            continue
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr in PRIVATE_FIELDS:
                readers.add(name)
    assert readers == set()


def run_python(code, *args):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, *args, "-c", code], capture_output=True, text=True,
                          timeout=120, env=env)


def test_a_session_alone_knows_the_whole_language():
    """Nothing else need be imported first: `tree` is a command, `mlp` a builtin."""
    run = run_python("from microcalc.lang import Session\n"
                     "events = Session().run('a = 2; L = a*a; tree L; net = mlp(2, [1], seed=1)')\n"
                     "print(events[1].text.splitlines()[1])")
    assert run.returncode == 0, run.stderr
    assert run.stdout == "L (*)      4     1\n"


def imports_of(*argv, stdin=""):
    """The modules `python -m microcalc ARGV` imports, by name."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    run = subprocess.run([sys.executable, "-X", "importtime", "-m", "microcalc", *argv],
                         input=stdin, capture_output=True, text=True, timeout=120, env=env)
    assert run.returncode == 0, run.stderr
    return {line.split("|")[-1].strip() for line in run.stderr.splitlines()
            if line.startswith("import time:")}


def test_a_piped_one_liner_loads_no_library_it_does_not_use():
    loaded = imports_of(stdin="1 + 1\n")
    assert "microcalc.lang.compiler" in loaded            # the measurement itself works
    heavy = {name for name in loaded
             if name.split(".")[0] in ("numpy", "prompt_toolkit", "pygments")
             or name.startswith(("microcalc.nn.", "microcalc.compiled", "microcalc.render.",
                                 "microcalc.frontend.repl"))}
    # What the language shows without drawing or training: the pictures' defaults and glyphs
    # (the command line asks whether the terminal can show them), and the data generators'
    # parameters (help shows them).
    light = {"microcalc.render.defaults", "microcalc.render.style", "microcalc.nn.datasets"}
    assert heavy - light == set()


@pytest.mark.parametrize("option", ["--version", "--help"])
def test_version_and_help_load_nothing_of_the_language(option):
    loaded = imports_of(option)
    assert "microcalc.frontend.cli" in loaded
    language = {name for name in loaded
                if name.startswith(("microcalc.lang", "microcalc.engine", "lark"))}
    assert language - {"microcalc.lang", "microcalc.lang.errors"} == set()


def test_is_complete_does_not_run_the_parser(monkeypatch):
    """Enter in the REPL asks is_complete: it must answer without the parser, which reads the
    input again when it runs (a 200,000-character paste was parsed twice)."""
    from microcalc.lang import Session
    from microcalc.lang.lalr import Grammar
    session = Session()

    def parse(*args, **kwargs):
        raise AssertionError("the parser ran")
    monkeypatch.setattr(Grammar, "statement", parse)
    paste = "x = [" + ", ".join(["1"] * 50_000) + "]"
    assert session.is_complete(paste)
    assert not session.is_complete(paste[:-1])
