"""The files a program names, read and written safely: every layer that touches a file the
user named goes through here.

write_atomically: the new contents go to a temporary file in the target's own folder, are
flushed to the disk (fsync), and only then take the target's name (os.replace, one atomic
step). A full disk, an error, Ctrl-C or a kill half-way leaves the previous file whole. A
symbolic link at the target is replaced by the new file, never written through, and a
device, a FIFO or a folder at the target is refused.

read_limited: the bytes of a regular file, refusing devices and FIFOs without waiting on them
(`/dev/zero` never ends, a FIFO nobody writes never starts) and files larger than a limit,
before any is read.

Both raise MicrocalcError with one line that names the file: "cannot write PATH: why".
"""

import errno
import os
import stat

from .errors import MicrocalcError

__all__ = ["write_atomically", "read_limited", "MAX_FILE_BYTES"]

# The largest file microcalc reads for a program (a model's parameters, a CSV file). A
# network's parameters (at most 1,000,000) take about 50 MB as JSON.
MAX_FILE_BYTES = 100 * 2**20

_REASONS = {errno.ENOENT: "no such file", errno.EISDIR: "it is a directory",
            errno.EACCES: "permission denied", errno.EPERM: "permission denied",
            errno.ENOTDIR: "a part of the path is not a folder",
            errno.ENOSPC: "the disk is full", getattr(errno, "EDQUOT", -1): "the disk quota is used up",
            errno.EFBIG: "the file is too large for this system",
            errno.EROFS: "the file system is read-only",
            errno.ENAMETOOLONG: "the file name is too long",
            errno.ELOOP: "too many symbolic links"}


def reason(exc):
    """An OSError as a few words: 'no such file', 'the disk is full'."""
    return _REASONS.get(exc.errno) or exc.strerror or str(exc)


def _kind(mode):
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def write_atomically(path, data):
    """Replace the file at path with data (str, written as UTF-8, or bytes), all or nothing.

    A new file gets the usual permissions (0666 less the umask); a file replaced keeps its
    own. Returns path."""
    path = os.fspath(path)
    if isinstance(data, str):
        data = data.encode("utf-8")
    folder, name = os.path.split(path)
    mode = _mode_to_keep(path)
    temporary = os.path.join(folder, f".{name[:100]}.{os.urandom(4).hex()}.tmp")
    try:
        # O_EXCL and O_NOFOLLOW: never a file or link someone else put there.
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW
                     | getattr(os, "O_CLOEXEC", 0), 0o666)
    except OSError as exc:
        raise MicrocalcError(f"cannot write {path}: {_reason_for_folder(exc)}") from None
    try:
        try:
            with os.fdopen(fd, "wb") as file:
                if mode is not None:
                    os.fchmod(file.fileno(), mode)
                file.write(data)
                file.flush()
                os.fsync(file.fileno())
            os.replace(temporary, path)
        except OSError as exc:
            raise MicrocalcError(f"cannot write {path}: {reason(exc)}") from None
    except BaseException:          # an error, Ctrl-C: the temporary file goes, the old stays
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise
    _sync_folder(folder)
    return path


def _mode_to_keep(path):
    """The permissions of the regular file at path, or None if there is none (a symbolic
    link counts as none: it is replaced). Refuses what must not be replaced."""
    try:
        status = os.lstat(path)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise MicrocalcError(f"cannot write {path}: {reason(exc)}") from None
    if stat.S_ISLNK(status.st_mode):
        return None
    if not stat.S_ISREG(status.st_mode):
        raise MicrocalcError(f"cannot write {path}: it is {_kind(status.st_mode)}")
    return stat.S_IMODE(status.st_mode)


def _reason_for_folder(exc):
    # Not the folder's name: the path shows it, and a name of spaces would end the message.
    return "its folder does not exist" if exc.errno == errno.ENOENT else reason(exc)


def _sync_folder(folder):
    """Make the new name itself durable. Some file systems cannot, which is no error."""
    try:
        fd = os.open(folder or ".", os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def read_limited(path, limit=MAX_FILE_BYTES):
    """The bytes of the regular file at path, at most `limit` of them."""
    path = os.fspath(path)
    try:
        # O_NONBLOCK: opening a FIFO that nobody writes returns at once instead of waiting.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise MicrocalcError(f"cannot read {path}: {reason(exc)}") from None
    try:
        status = os.fstat(fd)
        if not stat.S_ISREG(status.st_mode):
            raise MicrocalcError(f"cannot read {path}: it is {_kind(status.st_mode)}")
        too_large = (f"cannot read {path}: it is larger than {limit:,} bytes, the most "
                     f"microcalc reads")
        if status.st_size > limit:
            raise MicrocalcError(too_large)
        os.set_blocking(fd, True)
        chunks, size = [], 0
        while True:
            chunk = os.read(fd, min(2**20, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
            if size > limit:              # it grew while we read
                raise MicrocalcError(too_large)
        return b"".join(chunks)
    except OSError as exc:
        raise MicrocalcError(f"cannot read {path}: {reason(exc)}") from None
    finally:
        os.close(fd)
