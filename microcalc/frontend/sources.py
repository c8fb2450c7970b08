"""Reading a program's text: a script file or stdin, as UTF-8, with one-line errors."""

import sys

from ..errors import MicrocalcError

__all__ = ["read_source"]


def read_source(path):
    """The text of a script; '-' is stdin. Raises MicrocalcError with a one-line reason."""
    name = "<stdin>" if path == "-" else path
    try:
        if path == "-":
            if sys.stdin is None:        # Python's stand-in for stdin closed at start
                raise MicrocalcError(f"cannot read {name}: it is closed")
            data = sys.stdin.buffer.read()
        else:
            with open(path, "rb") as file:
                data = file.read()
    except FileNotFoundError:
        raise MicrocalcError(f"cannot read {name}: no such file") from None
    except IsADirectoryError:
        raise MicrocalcError(f"cannot read {name}: it is a directory") from None
    except PermissionError:
        raise MicrocalcError(f"cannot read {name}: permission denied") from None
    except OSError as exc:
        raise MicrocalcError(f"cannot read {name}: {exc.strerror or exc}") from None
    try:
        text = data.decode("utf-8-sig")   # -sig: a byte-order mark is not part of the program
    except UnicodeDecodeError as exc:
        raise MicrocalcError(f"cannot read {name}: not UTF-8 "
                             f"(byte 0x{data[exc.start]:02x} at offset {exc.start})") from None
    return text.replace("\r\n", "\n")
