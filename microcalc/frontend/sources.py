"""Reading a program's text: a script file or stdin, as UTF-8, with one-line errors.

The text is read in chunks, and reading stops as soon as the input is larger than a program
can be: a line longer than the language reads (MAX_LINE_LENGTH), or more than
MAX_PROGRAM_BYTES in all. So `microcalc /dev/zero` and `yes | microcalc` end at once with one
line, and Ctrl-C is acted on between chunks.
"""

import sys

from ..errors import MicrocalcError

__all__ = ["read_source", "MAX_PROGRAM_BYTES"]

CHUNK = 1 << 16
# About 16 times the largest program bench/language.py writes (100,000 statements).
MAX_PROGRAM_BYTES = 64 * 1024 * 1024
# Bytes that continue a UTF-8 character: every other byte starts one.
_CONTINUATION_BYTES = bytes(range(0x80, 0xc0))


def read_source(path):
    """The text of a script; '-' is stdin. Raises MicrocalcError with a one-line reason."""
    name = "<stdin>" if path == "-" else path
    try:
        if path == "-":
            if sys.stdin is None:        # Python's stand-in for stdin closed at start
                raise MicrocalcError(f"cannot read {name}: it is closed")
            data = _read_bounded(sys.stdin.buffer, name)
        else:
            with open(path, "rb") as file:
                data = _read_bounded(file, name)
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


def _read_bounded(file, name):
    """Every byte of file, read a chunk at a time; refused with one line once it is longer
    than a program can be."""
    from ..lang.syntax_errors import MAX_LINE_LENGTH
    chunks, size = [], 0
    line, line_length = 1, 0         # the line being read, and its characters so far
    while True:
        chunk = file.read(CHUNK)
        if not chunk:
            return b"".join(chunks)
        size += len(chunk)
        if size > MAX_PROGRAM_BYTES:
            raise MicrocalcError(f"cannot read {name}: it is larger than "
                                 f"{MAX_PROGRAM_BYTES >> 20} MiB, the most microcalc reads")
        first = chunk.find(b"\n")
        line_length += _characters(chunk if first == -1 else chunk[:first])
        if first != -1:
            if line_length <= MAX_LINE_LENGTH:
                line += chunk.count(b"\n")
                line_length = _characters(chunk[chunk.rfind(b"\n") + 1:])
            # (a line inside one chunk is shorter than the limit: the chunk is)
        if line_length > MAX_LINE_LENGTH:
            raise MicrocalcError(f"cannot read {name}: line {line} is longer than "
                                 f"{MAX_LINE_LENGTH:,} characters, the most microcalc reads")
        chunks.append(chunk)


def _characters(data):
    """How many UTF-8 characters data holds (counting bytes that start one)."""
    return len(data.translate(None, delete=_CONTINUATION_BYTES))
