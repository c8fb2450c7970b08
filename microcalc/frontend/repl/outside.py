"""Programs the REPL hands text to: the user's editor ($VISUAL, $EDITOR) and pager ($PAGER).

Each is started with an argument list, never through a shell: the variable is split into
words as a shell would (so `EDITOR="code --wait"` and `PAGER="less -R"` work) and the file
name is one more argument. They are started only by a person at the keyboard (Ctrl-X Ctrl-E,
:edit, help longer than the screen), never by a program. When none can be run, the editor is
an error and the pager is the screen itself.
"""

import os
import shlex
import shutil
import subprocess
import tempfile

from ...errors import MicrocalcError

__all__ = ["edit_text", "page_text", "editor_command", "pager_command"]


def editor_command():
    for variable in ("VISUAL", "EDITOR"):
        if os.environ.get(variable):
            return os.environ[variable]
    return next((name for name in ("editor", "nano", "vim", "vi") if shutil.which(name)), None)


def pager_command():
    if os.environ.get("PAGER"):
        return os.environ["PAGER"]
    return "less -R" if shutil.which("less") else None


def edit_text(text):
    """text after the user edited it in their editor (a temporary .mg file)."""
    command = editor_command()
    if command is None:
        raise MicrocalcError("no editor: set the EDITOR variable (EDITOR=nano, say)")
    descriptor, path = tempfile.mkstemp(suffix=".mg", prefix="microcalc-")
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as file:
            file.write(text + ("\n" if text and not text.endswith("\n") else ""))
        try:
            status = subprocess.run([*shlex.split(command), path]).returncode
        except (OSError, ValueError) as exc:
            raise MicrocalcError(f"cannot start the editor ({command}): {exc}") from None
        if status != 0:
            raise MicrocalcError(f"the editor ({command}) exited with status {status}; "
                                 f"nothing changed")
        with open(path, encoding="utf-8", errors="replace") as file:
            return file.read().rstrip("\n")
    finally:
        os.unlink(path)


def page_text(text):
    """Show text through the pager; False if there is none to run (show it plainly)."""
    command = pager_command()
    if command is None:
        return False
    environment = dict(os.environ)
    environment.setdefault("LESS", "FRX")      # quit at once if it fits; keep the colours
    try:
        subprocess.run([*shlex.split(command)], input=(text + "\n").encode("utf-8", "replace"),
                       env=environment)
    except (OSError, ValueError):
        return False
    return True
