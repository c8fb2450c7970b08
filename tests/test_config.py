"""Settings that persist: config.toml and init.mg in microcalc's config folder.

A missing file is no problem; a broken one is one warning line naming the file and what is
wrong, and the REPL starts anyway with the defaults."""

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

try:
    import tomllib
except ImportError:          # Python < 3.11
    import tomli as tomllib

from microcalc.frontend.config import DEFAULTS, Config, config_folder, default_config_text, load_config
from microcalc.frontend.display import Display
from microcalc.frontend.startup import load_settings, run_init_file
from microcalc.lang import Session

ROOT = Path(__file__).resolve().parents[1]


def loaded(tmp_path, text):
    path = tmp_path / "config.toml"
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text)
    warnings = []
    return load_config(path, warnings.append), warnings, path


def test_no_config_file_is_the_defaults(tmp_path):
    warnings = []
    config = load_config(tmp_path / "none.toml", warnings.append)
    assert warnings == [] and vars(config) == DEFAULTS


def test_a_config_link_to_a_missing_file_is_named(tmp_path):
    path = tmp_path / "config.toml"
    path.symlink_to(tmp_path / "gone.toml")
    warnings = []
    assert vars(load_config(path, warnings.append)) == DEFAULTS
    assert warnings == [f"warning: {path} links to a file that does not exist; using the "
                        f"defaults"]


def test_every_key_is_read(tmp_path):
    config, warnings, _ = loaded(tmp_path, 'editing_mode = "vi"\ncolor_scheme = "light"\n'
                                           'digits = 6\nprompt = ">>> "\nbanner = ""\n')
    assert warnings == []
    assert (config.editing_mode, config.color_scheme, config.digits, config.prompt,
            config.banner) == ("vi", "light", 6, ">>> ", "")


def test_an_unknown_key_is_named_with_the_key_meant(tmp_path):
    config, warnings, path = loaded(tmp_path, 'digit = 4\neditor = "vi"\n')
    assert warnings == [f"warning: {path}: unknown key 'digit' (did you mean digits?); it is "
                        f"ignored",
                        f"warning: {path}: unknown key 'editor'; it is ignored"]
    assert vars(config) == DEFAULTS


@pytest.mark.parametrize("line, message", [
    ('editing_mode = "nano"', "editing_mode must be \"emacs\" or \"vi\", not 'nano'"),
    ("digits = 40", "digits must be a whole number from 0 to 17, not 40"),
    ("digits = true", "digits must be a whole number from 0 to 17, not True"),
    ('color_scheme = 1', "color_scheme must be \"dark\" or \"light\", not 1"),
    ('prompt = 5', "prompt must be a string of one line, not 5"),
])
def test_a_value_of_the_wrong_kind_is_named_and_the_default_kept(tmp_path, line, message):
    config, warnings, path = loaded(tmp_path, line + '\nbanner = "hi"\n')
    key = line.split()[0]
    assert warnings == [f"warning: {path}: {message}; using {DEFAULTS[key]!r}"]
    assert getattr(config, key) == DEFAULTS[key] and config.banner == "hi"


def test_broken_toml_is_one_line(tmp_path):
    config, warnings, path = loaded(tmp_path, 'digits = \nprompt = "x"\n')
    assert len(warnings) == 1 and "\n" not in warnings[0]
    assert warnings[0].startswith(f"warning: {path} is not valid TOML: ")
    assert warnings[0].endswith("; using the defaults") and "line 1" in warnings[0]
    assert vars(config) == DEFAULTS


def test_a_config_that_is_not_utf8_or_not_a_file(tmp_path):
    config, warnings, path = loaded(tmp_path, b'prompt = "\xff"\n')
    assert warnings == [f"warning: {path} is not UTF-8; using the defaults"]
    folder = tmp_path / "folder.toml"
    folder.mkdir()
    warnings = []
    load_config(folder, warnings.append)
    assert warnings == [f"warning: cannot read {folder}: Is a directory; using the defaults"]


def test_print_config_is_a_valid_file_of_the_defaults():
    table = tomllib.loads(default_config_text())
    assert table == DEFAULTS
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    run = subprocess.run([sys.executable, "-m", "microcalc", "--print-config"],
                         capture_output=True, text=True, timeout=60, env=env)
    assert run.returncode == 0 and tomllib.loads(run.stdout) == DEFAULTS


def test_the_config_folder_follows_xdg_and_ignores_a_relative_path(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    assert config_folder() == tmp_path / "microcalc"
    monkeypatch.setenv("XDG_CONFIG_HOME", "relative/path")
    assert config_folder() == Path.home() / ".config" / "microcalc"
    monkeypatch.delenv("XDG_CONFIG_HOME")
    assert config_folder() == Path.home() / ".config" / "microcalc"


# -- init.mg -------------------------------------------------------------------------------------

def init(tmp_path, text):
    path = tmp_path / "init.mg"
    if text is not None:
        path.write_bytes(text.encode() if isinstance(text, str) else text)
    session, warnings = Session(), []
    run_init_file(session, path, warnings.append)
    return session, warnings, path


def test_init_runs_quietly_and_defines_what_it_says(tmp_path):
    session, warnings, _ = init(tmp_path, "sq(x) = x * x\nhalf = 0.5\nhalf * 2\n")
    assert warnings == [] and session.names() == ["half", "sq"]


def test_no_init_file_is_no_problem_but_a_broken_link_is_named(tmp_path):
    assert init(tmp_path, None)[1] == []
    (tmp_path / "init.mg").symlink_to(tmp_path / "moved.mg")
    session, warnings, path = init(tmp_path, None)
    assert warnings == [f"warning: {path} links to a file that does not exist; the REPL starts "
                        f"without it"]


def test_a_syntax_error_in_init_runs_none_of_it(tmp_path):
    session, warnings, path = init(tmp_path, "a = 1\nb = (2\n")
    assert warnings == [f"warning: {path}:2:5: unclosed '(' (missing ')'); nothing in it was run"]
    assert session.names() == []


def test_an_error_in_init_keeps_what_ran_before_it(tmp_path):
    session, warnings, path = init(tmp_path, "a = 1\nnope\nb = 2\n")
    assert warnings == [f"warning: {path}:2:1: unknown name 'nope' (did you mean slope?); the "
                        f"rest of it was not run"]
    assert session.names() == ["a"]


def test_an_init_that_is_not_utf8_or_a_folder(tmp_path):
    session, warnings, path = init(tmp_path, b"a = 1 # \xff\n")
    assert warnings == [f"warning: cannot read {path}: not UTF-8 (byte 0xff at offset 8); the "
                        f"REPL starts without it"]
    (tmp_path / "init.mg").unlink()
    (tmp_path / "init.mg").mkdir()
    session, warnings, path = init(tmp_path, None)
    assert warnings == [f"warning: cannot read {path}: it is a directory; the REPL starts "
                        f"without it"]


def test_load_settings_applies_digits_unless_given_and_skips_init_when_asked(tmp_path,
                                                                            monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    (tmp_path / "microcalc").mkdir()
    (tmp_path / "microcalc" / "config.toml").write_text("digits = 4\n")
    (tmp_path / "microcalc" / "init.mg").write_text("x = 1\n")
    shown = io.StringIO()
    session, display = Session(), Display(shown, shown)
    config = load_settings(session, display)
    assert config.digits == 4 and display.digits == 4 and session.names() == ["x"]
    session, display = Session(), Display(shown, shown, digits=9)
    load_settings(session, display, run_init=False, digits_given=True)
    assert display.digits == 9 and session.names() == []
    assert shown.getvalue() == ""


def test_the_readme_config_example_is_read_without_a_warning(tmp_path):
    import re
    block = re.search(r"```toml\n(.*?)```", (ROOT / "README.md").read_text(), re.DOTALL)
    config, warnings, _ = loaded(tmp_path, block.group(1))
    assert warnings == [] and config.editing_mode == "vi" and config.digits == 6
