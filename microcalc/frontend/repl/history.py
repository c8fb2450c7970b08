"""Where the REPL keeps what was typed: a per-user file, or memory when the file cannot be used.

The file is `$XDG_DATA_HOME/microcalc/history` (`~/.local/share/microcalc/history` without the
variable). Its folder is created. When the folder cannot be created, the file cannot be
written or read, the REPL still starts: it keeps history in memory and says so in one line.
"""

import os
import stat
from pathlib import Path

from prompt_toolkit.history import FileHistory, InMemoryHistory


def history_path():
    data_home = os.environ.get("XDG_DATA_HOME") or os.path.join(Path.home(), ".local", "share")
    return Path(data_home) / "microcalc" / "history"


def open_history(path, warn):
    """A history for `path`; `warn(text)` is called once if it falls back to memory.

    What a person typed is theirs alone: the folder is made private (0700) and the file
    0600. Only a regular file is used: a FIFO or a device (/dev/zero) in its place would
    hang or flood the start, so it is refused without being read."""
    try:
        _private_folder(path.parent)
        _private_regular_file(path)
        history = _TolerantFileHistory(str(path), warn)
        # Read it now: a corrupt or unreadable file must fail here, not on the first Up key.
        list(FileHistory.load_history_strings(history))
        return history
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        warn(f"history is not saved: cannot use {path} ({_reason(exc)})")
        return InMemoryHistory()


def _private_folder(folder):
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    status = folder.stat()
    if status.st_mode & 0o077 and status.st_uid == _user():
        folder.chmod(0o700)


def _private_regular_file(path):
    """Create path (0600) if it is missing; refuse anything but a regular file, without
    blocking on a FIFO."""
    flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_NONBLOCK", 0)
    descriptor = os.open(path, flags, 0o600)
    try:
        status = os.fstat(descriptor)
        if not stat.S_ISREG(status.st_mode):
            raise OSError("it is not a regular file")
        if status.st_mode & 0o077 and status.st_uid == _user():
            os.fchmod(descriptor, 0o600)
    finally:
        os.close(descriptor)


def _user():
    return os.getuid() if hasattr(os, "getuid") else None


class _TolerantFileHistory(FileHistory):
    """A FileHistory that survives the file failing later (disk full, file removed)."""

    def __init__(self, filename, warn):
        super().__init__(filename)
        self._warn = warn
        self._writable = True

    def load_history_strings(self):
        # prompt_toolkit reads the file again in its event loop when the prompt starts; an
        # error there printed tracebacks and left Ctrl-C turned off for the whole session.
        try:
            return list(super().load_history_strings())
        except (OSError, UnicodeDecodeError, ValueError) as exc:
            self._fail(f"history is no longer saved: {_reason(exc)}")
            return []

    def store_string(self, string):
        if not self._writable:
            return
        try:
            super().store_string(string)
        except OSError as exc:
            self._fail(f"history is no longer saved: {_reason(exc)}")

    def _fail(self, message):
        if self._writable:
            self._writable = False
            self._warn(message)


def _reason(exc):
    return getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
