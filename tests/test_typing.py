"""Type hints on the public Python API (Value, grad, gradcheck, nn, compiled, render), with
py.typed: mypy finds nothing wrong with a program that uses the API as its users do, and finds
each mistake in one that misuses it. (Library bodies are their owners' business: mypy is run
on the programs, following microcalc's signatures silently.)"""

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("mypy", reason="needs mypy (pip install -e '.[test]')")

ROOT = Path(__file__).resolve().parents[1]
PROGRAMS = ROOT / "tests" / "typing"


def mypy(program, tmp_path):
    run = subprocess.run([sys.executable, "-m", "mypy", "--follow-imports=silent",
                          "--no-error-summary", "--cache-dir", str(tmp_path / "cache"),
                          str(program)], capture_output=True, text=True, timeout=600,
                         cwd=ROOT)
    return run.returncode, run.stdout


@pytest.mark.slow
def test_mypy_accepts_the_api_used_as_documented_and_finds_every_misuse(tmp_path):
    status, report = mypy(PROGRAMS / "client.py", tmp_path)
    assert (status, report) == (0, "")
    status, report = mypy(PROGRAMS / "misuse.py", tmp_path)
    found = sorted({int(line.split(":")[1]) for line in report.splitlines() if ": error:" in line})
    marked = [number for number, line in
              enumerate((PROGRAMS / "misuse.py").read_text().splitlines(), start=1)
              if re.search(r"# E:", line)]
    assert status == 1 and found == marked, report


def test_the_typed_client_runs(tmp_path):
    """The program mypy accepts is a real one: it runs."""
    run = subprocess.run([sys.executable, str(PROGRAMS / "client.py")], capture_output=True,
                         text=True, timeout=120, cwd=tmp_path,
                         env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    assert run.returncode == 0, run.stderr


def public_api():
    """(name, function) of everything the API offers: the functions and classes exported by
    microcalc (Value, grad, gradcheck, recompute), microcalc.nn, .compiled and .render, and
    the public methods and properties of those classes."""
    import inspect
    import microcalc
    import microcalc.compiled
    import microcalc.nn
    import microcalc.render
    exported = [(f"microcalc.{name}", getattr(microcalc, name))
                for name in ("Value", "grad", "gradcheck", "recompute")]
    for package in (microcalc.nn, microcalc.compiled, microcalc.render):
        exported += [(f"{package.__name__}.{name}", getattr(package, name))
                     for name in package.__all__]
    for name, thing in exported:
        if inspect.isclass(thing) and not issubclass(thing, tuple):   # a NamedTuple types itself
            for member, value in vars(thing).items():
                if isinstance(value, property):
                    value = value.fget
                installed = getattr(value, "__module__", "") in (  # compiled from the op table
                    "microcalc.engine.ops", "microcalc.engine.rules")
                if inspect.isfunction(value) and not installed and (
                        not member.startswith("_") or member in ("__init__", "__call__")):
                    yield f"{name}.{member}", value
        elif inspect.isfunction(thing):
            yield name, thing


def test_every_public_function_of_the_api_is_annotated():
    """Each public function and method of the API says what it takes and gives."""
    import inspect
    missing = []
    for name, function in public_api():
        signature = inspect.signature(function)
        parameters = [p for p in signature.parameters.values() if p.name not in ("self", "cls")]
        if signature.return_annotation is inspect.Signature.empty or any(
                p.annotation is inspect.Parameter.empty for p in parameters):
            missing.append(name)
    assert missing == []


def test_the_operators_declared_for_type_checkers_are_the_ones_installed():
    """Value's operators and op methods are installed from the op table at import; value.py
    declares them for type checkers. The two lists must agree."""
    from microcalc.engine import Value
    tree = ast.parse((ROOT / "microcalc" / "engine" / "value.py").read_text())
    value_class = next(node for node in tree.body
                       if isinstance(node, ast.ClassDef) and node.name == "Value")
    written, declared = set(), set()
    for node in value_class.body:
        if isinstance(node, ast.FunctionDef):
            written.add(node.name)
        elif isinstance(node, ast.If):       # if TYPE_CHECKING:
            declared |= {item.name for item in node.body if isinstance(item, ast.FunctionDef)}
    installed = {name for name, member in vars(Value).items()
                 if callable(member) and name not in written and name not in vars(object)}
    assert declared == installed
