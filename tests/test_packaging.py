"""What an install gives: the console script, the Pygments plugin, the grammar as package
data, every package listed; and the README's two commands are the ones CI runs.

These need microcalc installed (the README's test command installs it in editable mode).
Building the wheel and running the examples with it is `.ci/run`'s job.
"""

import importlib.resources
import os
import re
import stat
import subprocess
import sys
from importlib.metadata import entry_points
from pathlib import Path

try:
    import tomllib
except ImportError:          # Python < 3.11
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def test_console_script_is_installed_and_runs():
    (script,) = entry_points(group="console_scripts", name="microcalc")
    assert script.value == "microcalc.frontend.cli:main"
    run = subprocess.run([str(BIN / "microcalc"), "-e", "x = 0; grad(tanh(x), x)"],
                         capture_output=True, text=True, timeout=60)
    assert (run.returncode, run.stdout, run.stderr) == (0, "1\n", "")


def test_a_script_with_a_shebang_runs_as_a_program(tmp_path):
    script = tmp_path / "double"
    script.write_text("#!/usr/bin/env microcalc\nx = 21\n2 * x\n")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    run = subprocess.run([str(script)], capture_output=True, text=True, timeout=60, env=env,
                         stdin=subprocess.DEVNULL)
    assert (run.returncode, run.stdout, run.stderr) == (0, "42\n", "")


def test_pygments_plugin_entry_point():
    (lexer,) = entry_points(group="pygments.lexers", name="microcalc")
    assert lexer.value == "microcalc.frontend.lexer:MicrocalcLexer"
    assert lexer.load().name == "microcalc"


def test_grammar_is_package_data():
    grammar = importlib.resources.files("microcalc.lang").joinpath("grammar.lark")
    assert grammar.read_text(encoding="utf-8") == (
        ROOT / "microcalc" / "lang" / "grammar.lark").read_text()


def test_every_package_and_the_grammar_go_into_the_wheel():
    from setuptools import find_packages
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    setuptools = config["tool"]["setuptools"]
    found = {".".join(init.parent.relative_to(ROOT).parts)
             for init in (ROOT / "microcalc").rglob("__init__.py")}
    assert set(find_packages(str(ROOT), **setuptools["packages"]["find"])) == found
    assert "*.lark" in setuptools["package-data"]["microcalc.lang"]
    # One source for the version: the package's own __version__.
    assert config["project"]["dynamic"] == ["version"]
    assert setuptools["dynamic"]["version"] == {"attr": "microcalc.__version__"}
    assert config["project"]["scripts"] == {"microcalc": "microcalc.frontend.cli:main"}


def test_readme_has_the_two_commands_ci_runs():
    readme = (ROOT / "README.md").read_text()
    commands = re.findall(r"^python3 -m venv \.venv && .*$", readme, re.MULTILINE)
    run = subprocess.run(["bash", str(ROOT / ".ci" / "run"), "--commands"],
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines() == commands and len(commands) == 2
    install_and_run, install_and_test = commands
    example = re.search(r"\.venv/bin/microcalc (\S+)$", install_and_run).group(1)
    assert (ROOT / example).is_file()
    assert install_and_test.endswith(".venv/bin/python -m pytest -q")
    assert "-e '.[test]'" in install_and_test
