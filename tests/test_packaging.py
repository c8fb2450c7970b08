"""What an install gives: the console script, the Pygments plugin, the grammar as package
data, every package listed; and the README's two commands are the ones CI runs.

These need microcalc installed (the README's test command installs it in editable mode).
Building the wheel and running the examples with it is `.ci/run`'s job.
"""

import importlib.resources
import os
import re
import shutil
import stat
import subprocess
import sys
from importlib.metadata import entry_points
from pathlib import Path

import pytest

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


# -- what makes the package look finished -----------------------------------------------------

def microcalc_prints(*args):
    run = subprocess.run([str(BIN / "microcalc"), *args], capture_output=True, text=True,
                         timeout=60)
    assert (run.returncode, run.stderr) == (0, ""), run.stderr
    return run.stdout


def test_bash_loads_the_completion_script_and_completes_options_and_scripts(tmp_path):
    script = tmp_path / "microcalc.bash"
    script.write_text(microcalc_prints("--completions", "bash"))
    (tmp_path / "neuron.mg").write_text("1\n")
    (tmp_path / "notes.txt").write_text("no\n")
    probe = (f"source {script}; complete -p microcalc; "
             "COMP_WORDS=(microcalc --col); COMP_CWORD=1; _microcalc; echo \"${COMPREPLY[*]}\"; "
             "COMP_WORDS=(microcalc --color a); COMP_CWORD=2; _microcalc; "
             "echo \"${COMPREPLY[*]}\"; "
             "COMP_WORDS=(microcalc --completions = f); COMP_CWORD=3; _microcalc; "
             "echo \"${COMPREPLY[*]}\"; "
             "COMP_WORDS=(microcalc n); COMP_CWORD=1; _microcalc; echo \"${COMPREPLY[*]}\"")
    run = subprocess.run(["bash", "-c", probe], capture_output=True, text=True, timeout=60,
                         cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines() == ["complete -F _microcalc microcalc", "--color",
                                       "auto always", "fish", "neuron.mg"]


def test_the_completion_scripts_know_every_option():
    from microcalc.frontend.cli import build_parser
    flags = [flag for action in build_parser()._actions for flag in action.option_strings
             if flag.startswith("--")]
    for shell in ("bash", "zsh", "fish"):
        text = microcalc_prints("--completions", shell)
        for flag in flags:
            assert (flag in text) or (f"-l {flag[2:]}" in text), (shell, flag)


@pytest.mark.parametrize("shell", ["zsh", "fish"])
def test_zsh_and_fish_read_their_scripts(shell, tmp_path):
    if shutil.which(shell) is None:
        pytest.skip(f"needs {shell}, which is not installed")
    script = tmp_path / f"microcalc.{shell}"
    script.write_text(microcalc_prints("--completions", shell))
    run = subprocess.run([shell, "-n", str(script)], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    if shell == "fish":      # fish loads it and lists what it completes
        run = subprocess.run(["fish", "-c", f"source {script}; complete -C 'microcalc --col'"],
                             capture_output=True, text=True, timeout=60)
        assert run.stdout.startswith("--color")


def test_the_man_page_is_made_from_the_parser_and_man_reads_it(tmp_path):
    page = microcalc_prints("--man")
    assert page.startswith(".TH MICROCALC 1 ")
    for section in ("NAME", "SYNOPSIS", "OPTIONS", "ENVIRONMENT", "FILES", "EXIT STATUS",
                    "EXAMPLES"):
        assert f"\n.SH {section}\n" in page
    if shutil.which("man") is None:
        pytest.skip("needs man, which is not installed")
    (tmp_path / "microcalc.1").write_text(page)
    run = subprocess.run(["man", "-l", str(tmp_path / "microcalc.1")], capture_output=True,
                         text=True, timeout=60, env={**os.environ, "MANPAGER": "cat",
                                                     "MANWIDTH": "80"})
    assert run.returncode == 0, run.stderr
    text = " ".join(run.stdout.split())
    assert "--print-config" in text and "FORCE_COLOR" in text and "--completions SHELL" in text


def test_license_changelog_classifiers_and_typing_marker():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    project = config["project"]
    assert project["license"] == {"text": "MIT"}
    assert (ROOT / "LICENSE").read_text().startswith("MIT License\n")
    changelog = (ROOT / "CHANGELOG.md").read_text()
    from microcalc import __version__
    assert f"## [{__version__}]" in changelog and "## [Unreleased]" in changelog
    classifiers = set(project["classifiers"])
    assert {"Intended Audience :: Education", "Environment :: Console",
            "Topic :: Scientific/Engineering :: Mathematics",
            "Topic :: Scientific/Engineering :: Artificial Intelligence",
            "License :: OSI Approved :: MIT License", "Typing :: Typed"} <= classifiers
    assert project["urls"]
    assert (ROOT / "microcalc" / "py.typed").exists()
    assert "py.typed" in config["tool"]["setuptools"]["package-data"]["microcalc"]
    from importlib.metadata import metadata
    installed = metadata("microcalc")
    assert "Typing :: Typed" in installed.get_all("Classifier")
