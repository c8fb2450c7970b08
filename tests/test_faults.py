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


def microcalc(*args, stdin=b"", env=None, stdin_file=None, **popen):
    """Run `python -m microcalc ARGS`: (status, stdout, stderr) as text. stdin is bytes to
    send, or stdin_file an open file to read from."""
    if "stdout" not in popen:
        popen["stdout"] = subprocess.PIPE
    if stdin_file is not None:
        popen["stdin"] = stdin_file
    done = subprocess.run([sys.executable, "-m", "microcalc", *args],
                          input=stdin if stdin_file is None else None,
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


# -- the cache folder ---------------------------------------------------------------------------

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


def test_nothing_is_written_to_the_cache_folder(tmp_path):
    """The parser tables ship inside the package: no cache file is made, so none can go bad."""
    env = environment(XDG_CACHE_HOME=str(tmp_path))
    assert microcalc(stdin=PROGRAM.encode(), env=env) == (0, "6\n", "")
    assert list(tmp_path.iterdir()) == []


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


# -- control characters never reach the terminal raw (issue 13.1) --------------------------------

ATTACK = '"\x1b]52;c;SGVsbG8=\x07\x1b[2J"'        # set the clipboard, clear the screen
ESCAPED = '"\\x1b]52;c;SGVsbG8=\\x07\\x1b[2J"'


def test_a_string_with_escape_sequences_is_printed_escaped(tmp_path):
    script = tmp_path / "e.mg"
    script.write_bytes(f"s = {ATTACK}\ns\n".encode())
    assert microcalc(str(script)) == (0, f"{ESCAPED}\n{ESCAPED}\n", "")   # s = ..., then s


@pytest.mark.parametrize("program, shown", [
    # the source line echoed in an error, and `unexpected character`
    ("x = 1 \x1b[2J nope", "x = 1 \\x1b[2J nope"),
    # a file name in an error
    ('load_csv("\x1b[2Jdata.csv")', '\\x1b[2Jdata.csv'),
    # a dataset's name shown as a value
    ('dataset([[1]], [1], name="\x1b[2J")', "\\x1b[2J"),
])
def test_control_characters_from_a_program_are_escaped_everywhere(program, shown, tmp_path):
    script = tmp_path / "p.mg"
    script.write_bytes(program.encode())
    status, out, err = microcalc(str(script))
    assert shown in out + err
    assert not {ch for ch in out + err if ord(ch) < 32 and ch != "\n" or 0x7f <= ord(ch) < 0xa0}


def test_a_file_name_with_control_characters_is_escaped(tmp_path):
    name = tmp_path / "a\x1b[2Jb.mg"
    status, out, err = microcalc(str(name))
    assert (status, out) == (1, "")
    assert err == f"error: cannot read {tmp_path}/a\\x1b[2Jb.mg: no such file\n"


def test_a_model_files_name_field_is_escaped(tmp_path):
    model = tmp_path / "m.json"
    model.write_text('{"model": "\\u001b[2J\\u001b]0;pwned\\u0007", "parameters": [1, 2]}')
    status, out, err = microcalc("-e", f'load(mlp(2, [1], seed=1), "{model}")')
    assert status == 1 and "\x1b" not in err and "\x07" not in err


@pytest.mark.parametrize("character, shown", [("\r", "\\r"), ("\x00", "\\x00")])
def test_a_lone_cr_or_nul_in_source_keeps_the_error_line_whole(character, shown, tmp_path):
    script = tmp_path / "c.mg"
    script.write_bytes(f"x = 1 {character}+ 2\n".encode())
    status, out, err = microcalc(str(script))
    source_row, caret_row = err.splitlines()[2:4]
    assert source_row == f"1 | x = 1 {shown}+ 2"
    # the caret underlines the whole escape, right under it
    assert caret_row == "  |       " + "^" * len(shown)
    assert err.splitlines()[0] == f"error: unexpected character '{shown}'"


def test_arguments_echoed_by_a_usage_error_are_escaped():
    status, out, err = microcalc("--colour\x1b[2J")
    assert status == 2 and "\x1b" not in err and "--colour\\x1b[2J" in err


# -- input that never ends (issue 13.2) -----------------------------------------------------------

LONG_LINE = ("line 1 is longer than 1,000,000 characters, the most microcalc reads")


def test_dev_zero_as_a_script_is_refused_at_the_line_limit():
    assert microcalc("/dev/zero") == (1, "", f"error: cannot read /dev/zero: {LONG_LINE}\n")


def test_dev_zero_as_stdin_is_refused_at_the_line_limit():
    with open("/dev/zero", "rb") as zero:
        assert microcalc(stdin=None, stdin_file=zero) == (
            1, "", f"error: cannot read <stdin>: {LONG_LINE}\n")


def test_yes_piped_in_is_refused_at_the_size_limit():
    yes = subprocess.Popen(["yes"], stdout=subprocess.PIPE)
    try:
        status, out, err = microcalc(stdin=None, stdin_file=yes.stdout)
    finally:
        yes.kill()
        yes.wait()
    assert (status, out) == (1, "")
    assert err == "error: cannot read <stdin>: it is larger than 64 MiB, the most microcalc reads\n"


@pytest.mark.slow
def test_ctrl_c_while_reading_an_endless_stdin():
    """Reading goes chunk by chunk, so SIGINT is acted on: one line, status 130."""
    process = subprocess.Popen([sys.executable, "-m", "microcalc"], stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               env=environment())
    try:
        process.stdin.write(b"1 + 1\n" * 1000)      # short lines, and more to come
        process.stdin.flush()
        import time
        time.sleep(2)                                # it is reading, waiting for the rest
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=60)
    finally:
        process.kill()
    assert (process.returncode, out, err) == (130, b"", b"interrupted\n")


def test_a_second_ctrl_c_while_the_first_is_reported_is_not_a_traceback(monkeypatch, capsys):
    """main() lets no second exception escape: here the report of the first Ctrl-C is
    itself interrupted."""
    from microcalc.frontend import cli

    def interrupted(argv):
        raise KeyboardInterrupt

    def tell(line):
        raise KeyboardInterrupt
    monkeypatch.setattr(cli, "_main", interrupted)
    monkeypatch.setattr(cli, "_tell", tell)
    assert cli.main([]) == 130


# -- a closed or full stderr (issue 13.11) ---------------------------------------------------------

NOTED = "a = 2; z = 5\nL = a * a\ngrad(L, z)\nL + 1\n"      # grad(L, z) writes a note


def test_a_closed_stderr_keeps_the_results_and_the_status():
    done = subprocess.run([sys.executable, "-m", "microcalc", "-e", NOTED],
                          stdout=subprocess.PIPE, stderr=None, timeout=120, env=environment(),
                          preexec_fn=lambda: os.close(2))
    assert (done.returncode, done.stdout) == (0, b"4\n0\n5\n")


def test_a_full_stderr_keeps_the_results_and_the_status():
    with open("/dev/full", "wb") as full:
        done = subprocess.run([sys.executable, "-m", "microcalc", "-e", NOTED],
                              stdout=subprocess.PIPE, stderr=full, timeout=120,
                              env=environment())
    assert (done.returncode, done.stdout) == (0, b"4\n0\n5\n")


def test_training_with_a_full_stderr_still_prints_its_results():
    program = ("net = mlp(2, [4, 1], seed=1); data = moons(20, seed=1)\n"
               "run = train(net, data, steps=5)\nlen(losses(run))\n")
    with open("/dev/full", "wb") as full:
        done = subprocess.run([sys.executable, "-m", "microcalc", "-e", program],
                              stdout=subprocess.PIPE, stderr=full, timeout=120,
                              env=environment())
    assert done.returncode == 0 and done.stdout.decode().splitlines()[-1] == "5"


# -- the history file is private, and only a regular file (issue 13.13) -----------------------------

def test_the_history_file_is_0600_in_a_0700_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    run_repl_typing("x = 41\rx + 1\r")
    assert history_file(tmp_path).stat().st_mode & 0o777 == 0o600
    assert history_file(tmp_path).parent.stat().st_mode & 0o777 == 0o700


def test_an_existing_open_history_is_made_private(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    folder = history_file(tmp_path).parent
    folder.mkdir(mode=0o755)
    folder.chmod(0o755)
    history_file(tmp_path).write_text("\n# old\n+1 + 1\n")
    history_file(tmp_path).chmod(0o644)
    run_repl_typing("2 + 2\r")
    assert history_file(tmp_path).stat().st_mode & 0o777 == 0o600
    assert folder.stat().st_mode & 0o777 == 0o700
    assert "+1 + 1" in history_file(tmp_path).read_text()


@pytest.mark.parametrize("kind", ["fifo", "/dev/zero"])
def test_a_fifo_or_a_device_as_the_history_does_not_hang_the_start(kind, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    history_file(tmp_path).parent.mkdir()
    if kind == "fifo":
        os.mkfifo(history_file(tmp_path))
    else:
        history_file(tmp_path).symlink_to("/dev/zero")
    lines = run_repl_typing("x = 41\rx + 1\r").splitlines()
    assert lines[0].startswith(f"history is not saved: cannot use {history_file(tmp_path)}")
    assert lines[1:] == [BANNER, "42"]
