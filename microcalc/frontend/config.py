"""The settings a person keeps between sessions: a TOML config file and a startup script.

Both live in microcalc's config folder: `$XDG_CONFIG_HOME/microcalc` on Linux and other Unix
systems (`~/.config/microcalc` without the variable), `~/Library/Application Support/microcalc`
on macOS, `%APPDATA%\\microcalc` on Windows.

    config.toml   read only when it exists (`microcalc --print-config` prints one to start from)
    init.mg       run before the REPL's first prompt (`--no-init` skips it)

A problem with either (a file that cannot be read, broken TOML, an unknown key, a value of
the wrong kind) is one warning line naming the file and what is wrong; the REPL starts anyway,
with the defaults for whatever could not be read.
"""

import difflib
import os
import sys
from pathlib import Path

from .. import __version__

__all__ = ["Config", "config_folder", "load_config", "default_config_text", "DEFAULTS"]

CONFIG_NAME = "config.toml"
INIT_NAME = "init.mg"
MAX_DIGITS = 17          # a float never needs more significant digits than this
# The defaults, and what each key may hold: (default, check, what it must be, its comment).
DEFAULTS = {
    "editing_mode": "emacs",
    "color_scheme": "dark",
    "digits": 0,
    "prompt": "mc> ",
    "banner": "microcalc {version}: type help, help NAME or :help; Ctrl-D to leave",
}
_RULES = {
    "editing_mode": (lambda v: v in ("emacs", "vi"), '"emacs" or "vi"',
                     "key bindings of the input line"),
    "color_scheme": (lambda v: v in ("dark", "light"), '"dark" or "light"',
                     "colours that read well on a dark or a light terminal"),
    "digits": (lambda v: isinstance(v, int) and not isinstance(v, bool)
               and 0 <= v <= MAX_DIGITS, f"a whole number from 0 to {MAX_DIGITS}",
               "significant digits of the REPL's results; 0 shows every digit "
               "(scripts and pipes always do, unless --digits is given)"),
    "prompt": (lambda v: isinstance(v, str) and "\n" not in v, "a string of one line",
               "what the REPL writes before your input"),
    "banner": (lambda v: isinstance(v, str), 'a string ("" for none)',
               "the first line of the REPL; {version} is microcalc's version"),
}


class Config:
    """The settings in force: the defaults, overridden by the config file's keys."""

    def __init__(self, **values):
        for key, default in DEFAULTS.items():
            setattr(self, key, values.get(key, default))

    @property
    def banner_text(self):
        return self.banner.replace("{version}", __version__)

    def __repr__(self):
        shown = ", ".join(f"{key}={getattr(self, key)!r}" for key in DEFAULTS)
        return f"Config({shown})"


def config_folder():
    """microcalc's config folder on this platform (it may not exist)."""
    if sys.platform == "win32" and os.environ.get("APPDATA"):
        return Path(os.environ["APPDATA"]) / "microcalc"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Application Support" / "microcalc"
    base = os.environ.get("XDG_CONFIG_HOME", "")
    if not os.path.isabs(base):      # the XDG spec: a relative path is to be ignored
        base = os.path.join(Path.home(), ".config")
    return Path(base) / "microcalc"


def config_path():
    return config_folder() / CONFIG_NAME


def init_path():
    return config_folder() / INIT_NAME


def load_config(path, warn):
    """The Config of the TOML file at path (the defaults if it does not exist); each problem
    is one call of warn(line) and leaves that key at its default."""
    try:
        with open(path, "rb") as file:
            data = file.read(1 << 20)
    except FileNotFoundError:       # no config file: the defaults, unless one was meant
        if Path(path).is_symlink():
            warn(f"warning: {path} links to a file that does not exist; using the defaults")
        return Config()
    except OSError as exc:
        warn(f"warning: cannot read {path}: {exc.strerror or exc}; using the defaults")
        return Config()
    try:
        table = _toml().loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        warn(f"warning: {path} is not UTF-8; using the defaults")
        return Config()
    except ImportError:
        warn(f"warning: cannot read {path}: TOML needs Python 3.11 or the tomli package")
        return Config()
    except ValueError as exc:          # tomllib.TOMLDecodeError is a ValueError
        warn(f"warning: {path} is not valid TOML: {exc}; using the defaults")
        return Config()
    values = {}
    for key, value in table.items():
        if key not in DEFAULTS:
            close = difflib.get_close_matches(key, list(DEFAULTS), n=1)
            hint = f" (did you mean {close[0]}?)" if close else ""
            warn(f"warning: {path}: unknown key {key!r}{hint}; it is ignored")
            continue
        check, wanted, _ = _RULES[key]
        if not check(value):
            warn(f"warning: {path}: {key} must be {wanted}, not {value!r}; "
                 f"using {DEFAULTS[key]!r}")
            continue
        values[key] = value
    return Config(**values)


def default_config_text():
    """A config file holding every key at its default, each with what it means: what
    `microcalc --print-config` prints."""
    lines = [f"# microcalc's settings: save as {config_path()}",
             "# (every key is optional; these are the defaults)", ""]
    for key, default in DEFAULTS.items():
        _, wanted, meaning = _RULES[key]
        lines.append(f"# {meaning}: {wanted}")
        lines.append(f"{key} = {_toml_value(default)}")
        lines.append("")
    return "\n".join(lines)


def _toml_value(value):
    if isinstance(value, str):
        import json          # a TOML basic string is written as JSON writes one
        return json.dumps(value)
    return str(value)


def _toml():
    try:
        import tomllib
    except ImportError:              # Python < 3.11
        import tomli as tomllib
    return tomllib
