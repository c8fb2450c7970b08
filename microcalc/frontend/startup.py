"""What happens before the REPL's first prompt: the config file is read and init.mg is run.

Neither may stop the REPL from starting: each problem is one warning line naming the file.
"""

from ..errors import MicrocalcError
from .config import init_path, config_path, load_config

__all__ = ["load_settings", "run_init_file"]


def load_settings(session, display, *, run_init=True, digits_given=False):
    """The Config in force (its digits applied to the display unless --digits was given),
    after running init.mg in the session (unless run_init is false)."""
    config = load_config(config_path(), display.message)
    if not digits_given and config.digits:
        display.digits = config.digits
    if run_init:
        run_init_file(session, init_path(), display.message)
    return config


def run_init_file(session, path, warn):
    """Run the startup script at path, if there is one, quietly (what it defines is what
    counts); an error in it is one warning, and what ran before the error stays."""
    from .sources import read_source
    try:
        if not path.exists():       # no startup script: nothing to say, unless it was meant
            if path.is_symlink():
                warn(f"warning: {path} links to a file that does not exist; the REPL starts "
                     f"without it")
            return
        source = read_source(str(path))
    except MicrocalcError as error:
        warn(f"warning: {error}; the REPL starts without it")
        return
    except OSError as exc:
        warn(f"warning: cannot read {path}: {exc.strerror or exc}; the REPL starts without it")
        return
    try:
        program = session.parse(source, filename=str(path))
    except MicrocalcError as error:
        warn(f"warning: {_located(error, path)}; nothing in it was run")
        return
    try:
        session.run(program, emit=_ignore)
    except MicrocalcError as error:
        warn(f"warning: {_located(error, path)}; the rest of it was not run")
    except KeyboardInterrupt:
        warn(f"warning: {path} was interrupted; the rest of it was not run")


def _located(error, path):
    """file:line:col: message, on one line."""
    if hasattr(error, "line"):
        return f"{error.filename}:{error.line}:{error.column}: {error.message}"
    return f"{path}: {error}"


def _ignore(event):
    pass
