"""Faults around microcalc rather than in the program it runs: files that are missing, a
folder, not UTF-8; standard streams that are closed, full or go away; a history file or a
cache folder that cannot be used. Each gives a clear message, and work goes on where it can.

Run as real processes (`python -m microcalc`), since what is at fault is the process's
surroundings; the REPL's history, which needs a terminal for a real process, is driven
through prompt_toolkit's pipe input with the history the REPL would open itself.
"""

import io
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput

from microcalc.frontend.display import Display
from microcalc.frontend.repl.history import history_path, open_history
from microcalc.frontend.repl.loop import BANNER, run_repl
from microcalc.lang import Session as new_session

ROOT = Path(__file__).resolve().parents[1]
PROGRAM = "x = 3\ngrad(x**2, x)\n"


def environment(**changes):
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    env.pop("NO_COLOR", None)
    env.update(changes)
    return env


def microcalc(*args, stdin=b"", env=None, **popen):
    """Run `python -m microcalc ARGS`: (status, stdout, stderr) as text."""
    if "stdout" not in popen:
        popen["stdout"] = subprocess.PIPE
    done = subprocess.run([sys.executable, "-m", "microcalc", *args], input=stdin,
                          stderr=subprocess.PIPE, timeout=120, env=env or environment(),
                          **popen)
    return done.returncode, (done.stdout or b"").decode(), done.stderr.decode()


# -- scripts that cannot be read --------------------------------------------------------------

def test_a_missing_script(tmp_path):
    missing = tmp_path / "nope.mg"
    assert microcalc(str(missing)) == (1, "", f"error: cannot read {missing}: no such file\n")


def test_a_missing_second_script_runs_nothing(tmp_path):
    first = tmp_path / "first.mg"
    first.write_text(PROGRAM)
    status, out, err = microcalc(str(first), str(tmp_path / "second.mg"))
    assert (status, out) == (1, "") and err.startswith("error: cannot read ")


def test_a_folder_given_as_a_script(tmp_path):
    assert microcalc(str(tmp_path)) == (1, "", f"error: cannot read {tmp_path}: it is a directory\n")


def test_a_script_that_is_not_utf8(tmp_path):
    script = tmp_path / "latin1.mg"
    script.write_bytes("x = 2 # café\nx * 3\n".encode("latin-1"))
    offset = len("x = 2 # caf")
    assert microcalc(str(script)) == (
        1, "", f"error: cannot read {script}: not UTF-8 (byte 0xe9 at offset {offset})\n")


def test_stdin_that_is_not_utf8():
    assert microcalc(stdin=b"1 + 1\n\xff\xfe") == (
        1, "", "error: cannot read <stdin>: not UTF-8 (byte 0xff at offset 6)\n")


def test_utf16_and_a_byte_order_mark():
    """A UTF-8 byte-order mark is not part of the program; UTF-16 is not UTF-8."""
    assert microcalc(stdin="\ufeff1 + 1\n".encode("utf-8")) == (0, "2\n", "")
    status, out, err = microcalc(stdin="1 + 1\n".encode("utf-16"))
    assert (status, out) == (1, "") and err.startswith("error: cannot read <stdin>: not UTF-8")


# -- standard streams -------------------------------------------------------------------------

def test_stdin_closed():
    """`microcalc <&-`: no program to read."""
    assert microcalc(stdin=None, preexec_fn=lambda: os.close(0)) == (
        1, "", "error: cannot read <stdin>: it is closed\n")


def test_stdout_closed():
    """`microcalc -e ... >&-`: nowhere to print the result."""
    status, out, err = microcalc("-e", PROGRAM, stdout=None, preexec_fn=lambda: os.close(1))
    assert (status, err) == (1, "error: cannot write the output: it is closed\n")


def test_stdout_closed_and_nothing_to_print():
    status, out, err = microcalc("-e", "x = 3", stdout=None, preexec_fn=lambda: os.close(1))
    assert (status, err) == (0, "")


def test_stdout_on_a_full_disk():
    with open("/dev/full", "wb") as full:
        status, out, err = microcalc("-e", PROGRAM, stdout=full)
    assert (status, err) == (1, "error: cannot write the output: No space left on device\n")


def test_stderr_on_a_full_disk_still_gives_the_status():
    with open("/dev/full", "wb") as full:
        done = subprocess.run([sys.executable, "-m", "microcalc", "-e", "nope"],
                              stdout=subprocess.PIPE, stderr=full, timeout=120,
                              env=environment())
    assert (done.returncode, done.stdout) == (1, b"")


@pytest.mark.parametrize("door", ["pipe", "script", "-e"])
def test_stdout_closed_early_by_head(door, tmp_path):
    """`microcalc big.mg | head -1`: 141 like other tools stopped by SIGPIPE, no message."""
    program = "x = 0\nrepeat 1000000 { x := x + 1; x }\n"
    script = tmp_path / "big.mg"
    script.write_text(program)
    args = {"pipe": [], "script": [str(script)], "-e": ["-e", program]}[door]
    producer = subprocess.Popen([sys.executable, "-m", "microcalc", *args],
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, env=environment())
    head = subprocess.Popen(["head", "-1"], stdin=producer.stdout, stdout=subprocess.PIPE)
    producer.stdout.close()        # head alone reads it now
    try:
        producer.stdin.write(program.encode() if door == "pipe" else b"")
        producer.stdin.close()
        first, _ = head.communicate(timeout=120)
        errors = producer.stderr.read()
        producer.wait(timeout=120)
    finally:
        producer.kill()
    assert first == b"1\n"
    assert (producer.returncode, errors) == (141, b"")


# -- the parser cache --------------------------------------------------------------------------

def unusable_folders(tmp_path):
    """Folders that cannot be made, whoever runs the tests (root may write anywhere else)."""
    a_file = tmp_path / "a-file"
    a_file.write_text("not a folder")
    return {"a file": str(a_file), "under a file": str(a_file / "cache"),
            "in /proc": "/proc/microcalc-cannot-be-here"}


@pytest.mark.parametrize("kind", ["a file", "under a file", "in /proc"])
def test_an_unusable_cache_folder_only_costs_time(kind, tmp_path):
    env = environment(XDG_CACHE_HOME=unusable_folders(tmp_path)[kind])
    for _ in range(2):
        assert microcalc(stdin=PROGRAM.encode(), env=env) == (0, "6\n", "")


@pytest.mark.parametrize("corrupt", [b"", b"garbage", os.urandom(4096)])
def test_a_corrupt_cache_file_is_built_again(corrupt, tmp_path):
    env = environment(XDG_CACHE_HOME=str(tmp_path))
    assert microcalc(stdin=PROGRAM.encode(), env=env) == (0, "6\n", "")
    (cached,) = (tmp_path / "microcalc").iterdir()
    cached.write_bytes(corrupt)
    assert microcalc(stdin=PROGRAM.encode(), env=env) == (0, "6\n", "")
    assert microcalc(stdin=PROGRAM.encode(), env=env) == (0, "6\n", "")


def test_a_folder_where_the_cache_file_goes(tmp_path):
    env = environment(XDG_CACHE_HOME=str(tmp_path))
    microcalc(stdin=PROGRAM.encode(), env=env)
    (cached,) = (tmp_path / "microcalc").iterdir()
    cached.unlink()
    cached.mkdir()
    assert microcalc(stdin=PROGRAM.encode(), env=env) == (0, "6\n", "")


# -- the REPL's history ------------------------------------------------------------------------

def history_file(data_home):
    return Path(data_home) / "microcalc" / "history"


def run_repl_typing(keys):
    """The REPL as `microcalc` starts it (its history where $XDG_DATA_HOME says), typed
    into through a pipe: everything it printed."""
    shown = io.StringIO()
    with create_pipe_input() as pipe:
        pipe.send_text(keys)
        pipe.close()
        assert run_repl(new_session(), Display(shown, shown), input=pipe,
                        output=DummyOutput()) == 0
    return shown.getvalue()


@pytest.mark.parametrize("kind", ["a file", "under a file", "in /proc"])
def test_an_unusable_history_folder_keeps_history_in_memory(kind, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", unusable_folders(tmp_path)[kind])
    lines = run_repl_typing("x = 41\rx + 1\r").splitlines()
    assert lines[0].startswith("history is not saved: cannot use ")
    assert lines[1:] == [BANNER, "42"]


@pytest.mark.parametrize("corrupt", [b"\xff\xfe\x00garbage\n", os.urandom(2048),
                                     b"+unterminated", b"\n\n\n", b"# only a comment\n"])
def test_a_corrupt_history_file_is_read_as_far_as_it_goes(corrupt, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    history_file(tmp_path).parent.mkdir(parents=True)
    history_file(tmp_path).write_bytes(corrupt)
    assert run_repl_typing("x = 41\rx + 1\r") == BANNER + "\n42\n"
    assert b"\n+x + 1\n" in history_file(tmp_path).read_bytes()   # and it is kept again


def test_a_history_that_becomes_unusable_warns_once_and_the_repl_goes_on(tmp_path, monkeypatch,
                                                                        capfd, caplog):
    """The file is read when the REPL starts; if it cannot be read or written after that,
    one line says so. (prompt_toolkit's own reading of it raised in its event loop: two
    tracebacks on the screen, and Ctrl-C left turned off for the rest of the session.)"""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    warnings = []
    history = open_history(history_path(), warnings.append)
    history_path().unlink()
    history_path().mkdir()               # the file is gone, a folder in its place
    shown = io.StringIO()
    with create_pipe_input() as pipe:
        pipe.send_text("x = 41\rx + 1\rx + 2\r")
        pipe.close()
        run_repl(new_session(), Display(shown, shown), history=history, input=pipe,
                 output=DummyOutput())
    assert shown.getvalue() == BANNER + "\n42\n43\n"
    assert len(warnings) == 1 and warnings[0].startswith("history is no longer saved: ")
    errors = capfd.readouterr().err
    assert "Traceback" not in errors and "Unhandled exception" not in errors
    assert [record.getMessage() for record in caplog.records] == []
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
