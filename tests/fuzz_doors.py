"""Fuzzed input through every front door: a pipe (stdin), a script file, `-e`, and the REPL.
DOORS holds one check per door; tests/test_fuzz_doors.py and bench/fuzz.py run them.

Each door must end with results or a clear `error:` report, the right exit status (0, or 1
at the first error), and never a Python traceback or an "internal error" line. The REPL keeps
its state: a variable defined before the fuzzed input still has its value after it.

The oracle for the pipe, script and -e doors is the session itself: the same text run
straight through `Session.run` and shown by the same `Display` must give exactly the door's
stdout, stderr and status. So a door may neither lose output, nor add any, nor swallow an
error.

Volume runs in this process (`microcalc.frontend.cli.main` with its standard streams replaced, the
REPL loop on prompt_toolkit's pipe input); a modest number of cases per door run as real
`python -m microcalc` processes, to show that the process agrees. `bench/fuzz.py` runs the
same checks for minutes on end.

Every door also checks what reaches the terminal: no control character but the line break,
raw, whatever the program, its files or their names hold (a string holding an OSC 52
sequence set the clipboard). And the hostile doors at the end feed what no careful user
would: files that never end, devices and FIFOs where a file name goes, other users' cache
folders, and memory-hungry programs in a process with a memory cap.
"""

import io
import logging
import os
import random
import re
import signal
import subprocess
import sys
from pathlib import Path

from hypothesis import strategies as st
from prompt_toolkit.history import InMemoryHistory
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput

from microcalc.frontend.cli import main
from microcalc.frontend.help import answer_help_request
from microcalc.lang.errors import SourceError
from microcalc.frontend.display import Display
from microcalc.frontend.repl.commands import find_command
from microcalc.frontend.repl.loop import LEAVE_WORDS, run_repl
from microcalc.lang import Session as new_session

import fuzz_programs as fuzz
from fuzz_programs import (ANY_BYTES, ANY_TEXT, CONTROL_PROGRAMS, CONTROL_TEXT, MEMORY_HUNGRY,
                           MUTATED_PROGRAMS, PROGRAMS, RANDOM_BYTES, RECURSIVE_GRAD_PROGRAMS,
                           SHOWN_RAW, TOKEN_SOUP, TooSlow, assert_clear_error, memory_limit,
                           time_limit)

ROOT = Path(__file__).resolve().parents[1]
FORBIDDEN = ("Traceback", "internal error")


# -- running a door -----------------------------------------------------------------------

def run_main(argv, stdin=b""):
    """`microcalc ARGV` in this process, stdin holding `stdin` (bytes, or a binary file to
    read from): (status, stdout, stderr)."""
    out, err = io.BytesIO(), io.BytesIO()
    source = io.BytesIO(stdin) if isinstance(stdin, bytes) else stdin
    streams = (io.TextIOWrapper(source, encoding="utf-8"),
               io.TextIOWrapper(out, encoding="utf-8", write_through=True),
               io.TextIOWrapper(err, encoding="utf-8", write_through=True))
    saved = sys.stdin, sys.stdout, sys.stderr
    sys.stdin, sys.stdout, sys.stderr = streams
    random.seed(0)          # mlp without seed= draws from the global generator
    try:
        with time_limit(f"microcalc {argv!r} with stdin {stdin!r}"), memory_limit():
            try:
                status = main(argv)
            except SystemExit as exit:        # argparse's usage errors
                status = exit.code
    finally:
        sys.stdin, sys.stdout, sys.stderr = saved
    return status, out.getvalue().decode("utf-8"), err.getvalue().decode("utf-8")


# Run microcalc's main with the address space capped at what the language needs plus a
# headroom (argv[1], in bytes), so that running out of memory is quick and harmless.
CAPPED_MAIN = """
import resource, sys
from microcalc.frontend.cli import main
from microcalc.lang import Session
Session().run("1")
size = next(int(line.split()[1]) * 1024 for line in open("/proc/self/status")
            if line.startswith("VmSize:"))
cap = size + int(sys.argv.pop(1))
resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
sys.exit(main(sys.argv[1:]))
"""
PROCESS_MEMORY = 300 * 2**20


def process_env(**extra):
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT),
                                                                    os.environ.get("PYTHONPATH")])),
               **extra)
    env.pop("NO_COLOR", None)
    return env


def run_process(argv, stdin=b"", cwd=None, env=None, memory=PROCESS_MEMORY, stderr=None):
    """`python -m microcalc ARGV` as a real process with `memory` bytes of headroom:
    (status, stdout, stderr). stdin is bytes or an open file; stderr, if given, is where
    the process's stderr goes (a file such as /dev/full) instead of being captured."""
    command = ([sys.executable, "-c", CAPPED_MAIN, str(memory)] if os.path.exists("/proc/self")
               else [sys.executable, "-m", "microcalc"])
    options = {"input": stdin} if isinstance(stdin, bytes) else {"stdin": stdin}
    try:
        done = subprocess.run([*command, *argv], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE if stderr is None else stderr,
                              timeout=fuzz.TIME_LIMIT * 3, cwd=cwd,
                              env=env or process_env(), **options)
    except subprocess.TimeoutExpired:
        raise TooSlow(f"microcalc {argv!r} with stdin {stdin!r} did not finish") from None
    return (done.returncode, done.stdout.decode("utf-8", "replace"),
            (done.stderr or b"").decode("utf-8", "replace"))


def expected_run(source, filename, seed=0):
    """What a door must print for `source` (the bytes of a file or stdin, or the text of a
    -e option): the session run directly, shown by the same Display as the command line
    uses. Returns (status, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    display = Display(out, err)
    if isinstance(source, bytes):
        try:
            source = source.decode("utf-8-sig").replace("\r\n", "\n")
        except UnicodeDecodeError as exc:
            display.error(f"cannot read {filename}: not UTF-8 "
                          f"(byte 0x{source[exc.start]:02x} at offset {exc.start})")
            return 1, "", err.getvalue()
    answered = answer_help_request(source, display)     # help tanh, tanh?, :help, :vars
    if answered is not None:
        return answered, out.getvalue(), err.getvalue()
    session = new_session()
    random.seed(seed)
    status = 0
    with time_limit(source):
        try:
            session.run(source, filename=filename, emit=display.show)
        except SourceError as error:
            assert_clear_error(error)
            display.error(error)
            status = 1
    display.end_live_line()
    return status, out.getvalue(), err.getvalue()


# Training reports its speed, which no two runs share.
_SPEED = re.compile(r"[\d.,]+ steps/s")


def comparable(result):
    """A door's result as it can be compared: without speeds, and with what UTF-8 cannot
    encode (a lone surrogate typed in -e) shown as '?', as the command shows it."""
    status, out, err = result

    def shown(text):
        return _SPEED.sub("N steps/s", text.encode("utf-8", "replace").decode("utf-8"))
    return status, shown(out), shown(err)


def assert_no_python_leaks(*streams):
    """No traceback, no internal error, and nothing a terminal would act on: every control
    character but the line break escaped."""
    for stream in streams:
        for word in FORBIDDEN:
            assert word not in stream, stream
        raw = SHOWN_RAW.search(stream)
        assert raw is None, f"{raw.group()!r} shown raw in {stream!r}"


def assert_door_agrees(result, source, filename):
    """The door printed what the session prints, with status 0, or 1 and an error report."""
    status, out, err = result
    assert_no_python_leaks(out, err)
    assert status in (0, 1), result
    errors = [line for line in err.splitlines() if line.startswith("error: ")]
    assert len(errors) == status, result          # one report exactly when it failed
    assert comparable(result) == comparable(expected_run(source, filename))


# -- the doors ----------------------------------------------------------------------------
#
# One check per door, taking the fuzzed input; the tests below and bench/fuzz.py run them.
# Scripts are written to the current folder, which the tests and the bench make a scratch one.

def check_pipe(data):
    """`... | microcalc`"""
    assert_door_agrees(run_main([], stdin=data), data, "<stdin>")


def check_script(data):
    """`microcalc FILE.mg`"""
    script = Path("fuzzed.mg").resolve()
    script.write_bytes(data)
    assert_door_agrees(run_main([str(script)]), data, str(script))


def check_eval(text):
    """`microcalc -e PROGRAM`"""
    assert_door_agrees(run_main(["-e", text]), text, "<-e>")


ENTER, CTRL_C = "\r", "\x03"
PASTE_START, PASTE_END = "\x1b[200~", "\x1b[201~"     # how a terminal marks a paste
# What a person may type at the REPL besides programs: its colon-commands, right and wrong.
# (:reset and :quit are left out: they are meant to end the session's state.)
COLON_COMMANDS = st.sampled_from([
    ":vars", ":help", ":help tanh", ":help nosuch", ":help :load", ":save saved.mg",
    ":load saved.mg", ":load nosuch.mg", ":load", ":save", ':load "unclosed', ":hlep",
    ":vars extra", ":save /no/such/folder/x.mg", ":load .", ":help " + "x" * 300,
])


def typed(text):
    """text as keys: Enter for each line break; other control keys are not typed, except Tab
    (completion) and Ctrl-C (clear the line), which the fuzz may press anywhere."""
    kept = (ch for ch in text.replace("\r\n", "\n")
            if ch in "\t\n\x03" or (ch.isprintable() and not 0xd800 <= ord(ch) <= 0xdfff))
    return "".join(kept).replace("\n", ENTER)


class CheckingDisplay(Display):
    """The REPL's display, checking every error it is asked to show."""

    def error(self, error):
        if isinstance(error, SourceError):
            assert_clear_error(error)
        super().error(error)


class LoggedErrors(logging.Handler):
    """What prompt_toolkit logs when something fails in its event loop (a traceback, on a
    terminal)."""

    def __init__(self):
        super().__init__(logging.ERROR)
        self.messages = []

    def emit(self, record):
        self.messages.append(record.getMessage())


def run_repl_with(keys):
    """Type `keys` into a REPL whose session already has keep = 41, then `keep + 1`.
    Returns (status, everything printed, errors logged, the session)."""
    session = new_session()
    session.run("keep = 41")
    shown = io.StringIO()
    display = CheckingDisplay(shown, shown)
    logged = LoggedErrors()
    logging.getLogger().addHandler(logged)
    try:
        with create_pipe_input() as pipe:
            # Ctrl-C clears whatever the fuzz left half-typed; the closed pipe then ends the
            # loop as Ctrl-D does, once every key has been read.
            pipe.send_text(keys + ENTER + CTRL_C + "keep + 1" + ENTER)
            pipe.close()
            random.seed(0)
            with time_limit(f"REPL keys {keys!r}"), memory_limit():
                status = run_repl(session, display, history=InMemoryHistory(), input=pipe,
                                  output=DummyOutput())
    finally:
        logging.getLogger().removeHandler(logged)
    return status, shown.getvalue(), logged.messages, session


def check_repl_typed(keys):
    """The REPL after any keys: no leak, nothing failed in its event loop, Ctrl-C still
    interrupts, status 0, and `keep` still 41."""
    status, printed, logged, session = run_repl_with(keys)
    assert_no_python_leaks(printed)
    assert logged == []
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    assert status == 0
    assert session.variables["keep"].data == 41
    assert printed.splitlines()[-1] == "42", printed


def check_repl_pasted(text):
    """A paste arrives as one bracketed block: its line breaks do not press Enter."""
    pasted = typed(text).replace(ENTER, "\n").replace(CTRL_C, "")
    check_repl_typed(PASTE_START + pasted + PASTE_END + ENTER)


def assert_process_agrees(result, source, filename):
    """As assert_door_agrees, for a separate process. Its output can be compared exactly only
    when the program does not depend on the global random generator (mlp without seed=)."""
    status, out, err = result
    assert_no_python_leaks(out, err)
    assert status in (0, 1), result
    expected = comparable(expected_run(source, filename))
    if expected == comparable(expected_run(source, filename, seed=1)):
        assert comparable(result) == expected


def check_pipe_process(data):
    assert_process_agrees(run_process([], stdin=data), data, "<stdin>")


def check_script_process(data):
    script = Path("fuzzed.mg").resolve()
    script.write_bytes(data)
    assert_process_agrees(run_process([str(script)]), data, str(script))


def check_eval_process(text):
    assert_process_agrees(run_process(["-e", text]), text, "<-e>")


# -- hostile doors ---------------------------------------------------------------------------

def check_script_named(name):
    """`microcalc NAME` where the script's name holds control characters: the error that
    names it (it does not exist, or fails at line 1) shows it escaped."""
    assert_no_python_leaks(*run_main([name + ".mg"])[1:])
    Path(name + "x.mg").write_text("a = 1\nnope\n")
    assert_no_python_leaks(*run_main([name + "x.mg"])[1:])


def check_repl_hostile_script(text):
    """A script with control characters :load-ed into the REPL, then :vars and :save: what
    the REPL shows keeps them escaped (they cannot be typed, but a file can hold them)."""
    Path("hostile.mg").write_text(text, "utf-8", errors="surrogatepass")
    status, printed, logged, session = run_repl_with(
        ENTER.join([":load hostile.mg", ":vars", ":save hostile-saved.mg"]))
    assert_no_python_leaks(printed)
    assert logged == [] and status == 0 and session.variables["keep"].data == 41


# Where a file name goes, things that are not files: devices that never end or swallow
# everything, a FIFO nobody writes (opening it for reading waits for ever), a folder, a
# sparse file of 200 MB, a link to /dev/zero. Made in the current (scratch) folder.
SPECIAL_FILES = ["/dev/zero", "/dev/urandom", "/dev/null", "/dev/full", "nobody-writes.fifo",
                 "a-folder", "sparse-200MB", "zero-link"]


def make_special_files():
    for name, make in (("nobody-writes.fifo", os.mkfifo), ("nobody-writes.fifo.dot", os.mkfifo),
                       ("a-folder", os.mkdir), ("a-folder.dot", os.mkdir)):
        if not os.path.lexists(name):
            make(name)
    if not os.path.isfile("sparse-200MB") or os.path.getsize("sparse-200MB") != 200 * 2**20:
        with open("sparse-200MB", "wb") as file:       # again, if a save replaced it
            file.truncate(200 * 2**20)
    if not os.path.lexists("zero-link"):
        os.symlink("/dev/zero", "zero-link")


FILE_STATEMENTS = ['load(mlp(2, [1]), "{}")', 'load_csv("{}")', 'save(mlp(2, [1], seed=1), "{}")',
                   'x = 2\ndot tanh(x), "{}.dot"', 'x = 2\ndot tanh(x), "{}"']


def check_special_file_statement(case):
    """load, load_csv, save and dot given a device, a FIFO, a folder or a huge file: one
    clear error (or, for /dev/null and the like, results) at once, the session kept."""
    statement, special = case
    make_special_files()
    status, out, err = run_main(["-e", "keep = 41\n" + statement.format(special)])
    assert_no_python_leaks(out, err)
    assert status in (0, 1) and len([l for l in err.splitlines() if l.startswith("error:")]) \
        == status, (status, out, err)


# A script or :load may wait for a FIFO's writer, as `cat FIFO` does, so long as Ctrl-C ends
# the wait (check_fifo_script_waits_for_ctrl_c); everything else must end by itself.
SPECIAL_SCRIPTS = [special for special in SPECIAL_FILES if not special.endswith(".fifo")]


def check_special_script(special):
    """`microcalc SPECIAL`: a script that never ends, or is no file, is one clear error."""
    make_special_files()
    status, out, err = run_main([special])
    assert_no_python_leaks(out, err)
    assert status in (0, 1) and len(err.splitlines()) <= 4, (status, out, err)


class EndlessPipe:
    """A pipe with a thread writing `line` into it until the reading end is closed: `yes |`."""

    def __init__(self, line=b"y\n"):
        import threading
        read, self.write = os.pipe()
        self.reader = os.fdopen(read, "rb")
        self.thread = threading.Thread(target=self._write, args=(line * 4096,), daemon=True)
        self.thread.start()

    def _write(self, block):
        try:
            while True:
                os.write(self.write, block)
        except OSError:
            pass
        finally:
            os.close(self.write)

    def close(self):
        self.reader.close()
        self.thread.join()


def check_special_stdin(special):
    """`microcalc < SPECIAL` and `yes | microcalc`: input that never ends is refused with one
    line once it is past the limit, never read into memory whole."""
    if special == "yes":
        source = EndlessPipe()
        stdin = source.reader
    else:
        make_special_files()
        stdin = source = open(special, "rb")
    try:
        status, out, err = run_main([], stdin=stdin)
    finally:
        source.close()
    assert_no_python_leaks(out, err)
    assert status in (0, 1), (status, out, err)


def check_repl_special_file(special):
    """:load and :save with a device, a FIFO or a folder: one line, the REPL goes on."""
    make_special_files()
    status, printed, logged, session = run_repl_with(f":load {special}{ENTER}:save {special}")
    assert_no_python_leaks(printed)
    assert logged == [] and status == 0 and session.variables["keep"].data == 41


def check_special_process(case):
    """The same as real processes: `microcalc SPECIAL`, `microcalc < SPECIAL`, `yes |
    microcalc`, and a statement naming SPECIAL."""
    door, special = case
    make_special_files()
    if door == "stdin" and special == "yes":
        with subprocess.Popen(["yes"], stdout=subprocess.PIPE) as yes:
            result = run_process([], stdin=yes.stdout)
            yes.kill()
    elif door == "stdin":
        with open(special, "rb") as stdin:
            result = run_process([], stdin=stdin)
    elif door == "script" and special.endswith(".fifo"):
        return check_fifo_script_waits_for_ctrl_c(special)
    elif door == "script":
        result = run_process([special])
    else:
        result = run_process(["-e", FILE_STATEMENTS[0].format(special)])
    status, out, err = result
    assert_no_python_leaks(out, err)
    assert status in (0, 1) and len(err.splitlines()) <= 4, result


def check_fifo_script_waits_for_ctrl_c(fifo):
    """`microcalc FIFO` with nobody writing the FIFO waits, as `cat FIFO` would; one Ctrl-C
    (SIGINT) ends the wait at once with status 130 and no traceback."""
    import time
    process = subprocess.Popen([sys.executable, "-c", CAPPED_MAIN, str(PROCESS_MEMORY), fifo],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=process_env())
    try:
        _wait_for_a_writer(process, time.monotonic() + fuzz.TIME_LIMIT)
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=fuzz.TIME_LIMIT)
    except subprocess.TimeoutExpired:
        raise TooSlow(f"microcalc {fifo} went on after Ctrl-C") from None
    finally:
        process.kill()
        process.wait()
    out, err = out.decode("utf-8", "replace"), err.decode("utf-8", "replace")
    assert_no_python_leaks(out, err)
    assert process.returncode in (1, 130) and len(err.splitlines()) <= 4, (process.returncode,
                                                                            out, err)


def _wait_for_a_writer(process, deadline):
    """Until the process waits in open() for a FIFO's writer (Linux shows where it sleeps),
    or has ended, or the deadline passes."""
    import time
    while time.monotonic() < deadline and process.poll() is None:
        try:
            with open(f"/proc/{process.pid}/wchan") as wchan:
                if wchan.read().strip() == "wait_for_partner":
                    return
        except OSError:
            pass
        time.sleep(0.05)


def check_memory_capped(program):
    """A memory-hungry program in a process with 300 MB to spare: refused at once by a
    limit, done, or one clear error saying memory ran out; never an empty message, a
    SystemError or status 70."""
    result = run_process(["-e", program])
    status, out, err = result
    assert_no_python_leaks(out, err)
    assert status in (0, 1), result
    errors = [line for line in err.splitlines() if line.startswith("error:")]
    assert len(errors) == status, result
    for line in errors:
        assert not line.rstrip().endswith(":") and "SystemError" not in line, result
        assert not fuzz.REPEATED.search(line), result


def check_stderr_full(text):
    """stderr on a full disk (/dev/full): the results on stdout are all there, as the session
    gives them, and the status is still 0 or 1."""
    with open("/dev/full", "wb") as full:
        status, out, err = run_process(["-e", text], stderr=full)
    expected_status, expected_out, _ = comparable(expected_run(text, "<-e>"))
    assert status == expected_status, (status, out)
    if (expected_status, expected_out) == comparable(expected_run(text, "<-e>", seed=1))[:2]:
        assert comparable((status, out, ""))[1] == expected_out


# The folders a cache could be looked for in, as another user or a careless setup leaves
# them: group- or world-writable, owned by someone else, a symbolic link, a relative path.
CACHE_FOLDERS = st.sampled_from(["group-writable", "world-writable", "other-owner", "link",
                                 "relative", "private"])


def check_planted_cache(kind):
    """Whatever cache folder XDG_CACHE_HOME names, a pickle planted in it under the names
    microcalc's parser cache has (or had) never runs, and the answer is right. Once the
    parser caches nothing, the check is that nothing in the folder is read at all."""
    import pickle
    import tempfile
    with tempfile.TemporaryDirectory(prefix="microcalc-cache-") as base:
        base = Path(base)
        private = base / "private-home"
        run_process(["-e", "1"], env=process_env(XDG_CACHE_HOME=str(private)))
        names = sorted(p.name for p in (private / "microcalc").glob("*")) \
            if (private / "microcalc").is_dir() else []
        marker = base / "planted-cache-ran"
        home = base / "planted"
        folder = home / "microcalc"
        folder.mkdir(parents=True)
        payload = b"planted\n" + pickle.dumps(_Planted(str(marker)))
        for name in names + ["grammar.lark", "grammar-0.lark", "parser.pickle"]:
            (folder / name).write_bytes(payload)
        cwd, cache = None, str(home)
        if kind == "group-writable":
            folder.chmod(0o775)
        elif kind == "world-writable":
            folder.chmod(0o777)
        elif kind == "other-owner" and os.geteuid() == 0:
            os.chown(folder, 65534, 65534)
            os.chown(home, 65534, 65534)
        elif kind == "link":
            (base / "link").symlink_to(home)
            cache = str(base / "link")
        elif kind == "relative":
            cwd, cache = str(base), "planted"
        status, out, err = run_process(["-e", "1 + 1"], cwd=cwd,
                                       env=process_env(XDG_CACHE_HOME=cache))
        assert (status, out, err) == (0, "2\n", ""), (kind, status, out, err)
        assert not marker.exists(), f"a pickle planted in a {kind} cache folder ran"


class _Planted:
    """Unpickled, it makes a file: proof that a planted cache was loaded."""

    def __init__(self, path):
        self.path = path

    def __reduce__(self):
        return open, (self.path, "w")


# (statement, special file); never a new name in /dev (as root, "/dev/zero.dot" is a file).
# Where the REPL's history file should be, what another program or user left there.
HISTORY_PLACES = st.sampled_from(["fresh", "fifo", "dev-zero", "folder", "dev-full",
                                  "unreadable"])


def check_history_place(kind):
    """The real REPL (in a pseudo-terminal) with its history file a FIFO, a link to
    /dev/zero or /dev/full, a folder, or none yet: it starts at once, computes, says at most
    one line about the history, and leaves on Ctrl-D. A history made fresh is private: the
    file 0600, its folder 0700."""
    import pexpect
    import tempfile
    with tempfile.TemporaryDirectory(prefix="microcalc-history-") as data:
        folder = Path(data) / "microcalc"
        folder.mkdir()
        history = folder / "history"
        if kind == "fresh":
            folder.rmdir()
        elif kind == "fifo":
            os.mkfifo(history)
        elif kind in ("dev-zero", "dev-full"):
            history.symlink_to("/dev/zero" if kind == "dev-zero" else "/dev/full")
        elif kind == "folder":
            history.mkdir()
        else:
            history.write_text("1 + 1\n")
            history.chmod(0)
        env = process_env(TERM="xterm", NO_COLOR="1", PROMPT_TOOLKIT_NO_CPR="1",
                          XDG_DATA_HOME=data)
        child = pexpect.spawn(sys.executable, ["-c", CAPPED_MAIN, str(PROCESS_MEMORY)], env=env,
                              cwd=data, encoding="utf-8", timeout=fuzz.TIME_LIMIT,
                              dimensions=(30, 120))
        try:
            child.expect("mc>")
            child.send("6 * 7\r")
            child.expect("42\r\n")
            child.expect("mc>")
            child.sendeof()
            child.expect(pexpect.EOF)
        except (pexpect.TIMEOUT, pexpect.EOF):
            raise TooSlow(f"the REPL with a history that is {kind!r} did not answer: "
                          f"{child.before!r}") from None
        finally:
            _end(child)
        screen = child.before or ""        # prompt_toolkit's own escape codes are in it
        assert not any(word in screen for word in FORBIDDEN), screen
        assert child.exitstatus == 0, (kind, child.exitstatus)
        if kind == "fresh":
            assert (folder.stat().st_mode & 0o777, history.stat().st_mode & 0o777) == \
                (0o700, 0o600), kind


def _end(child):
    """Close a pexpect child, killing it if it will not go."""
    import pexpect
    try:
        child.close(force=True)
    except pexpect.ExceptionPexpect:
        os.kill(child.pid, signal.SIGKILL)
        child.wait()


def check_output_formats(text):
    """--json and --html show what a program's strings and names hold escaped too: a
    terminal receives them when they are not redirected."""
    for option in ("--json", "--html"):
        status, out, err = run_main([option, "-e", text])
        assert_no_python_leaks(out, err)
        assert status in (0, 1), (option, status, out, err)
        if option == "--json":
            import json
            for line in out.splitlines():
                json.loads(line)


SPECIAL_CASES = st.sampled_from([(statement, special) for statement in FILE_STATEMENTS
                                 for special in SPECIAL_FILES
                                 if not (statement.endswith('.dot"') and special.startswith("/"))])
PROCESS_SPECIAL_CASES = st.one_of(
    st.tuples(st.just("stdin"), st.sampled_from(["/dev/zero", "/dev/urandom", "yes"])),
    st.tuples(st.sampled_from(["script", "statement"]), st.sampled_from(SPECIAL_FILES)))
CONTROL_NAMES = CONTROL_TEXT.map(lambda text: text.replace("\x00", "").replace("/", ""))

# A command line holds no NUL; a process's command line holds no lone surrogate either.
COMMAND_LINE_TEXT = ANY_TEXT.map(lambda text: text.replace("\x00", ""))
PROCESS_TEXT = st.one_of(PROGRAMS, MUTATED_PROGRAMS, TOKEN_SOUP, CONTROL_PROGRAMS).map(
    lambda text: "".join(ch for ch in text if ch != "\x00" and not 0xd800 <= ord(ch) <= 0xdfff))
REPL_INPUT = st.lists(st.one_of(ANY_TEXT, COLON_COMMANDS), min_size=1, max_size=3).map(
    lambda parts: ENTER.join(typed(part) for part in parts)).filter(
    lambda keys: not ends_or_waits(keys))


def ends_or_waits(keys):
    """Input the REPL door leaves out, as it does :quit and :reset: a line that leaves (quit,
    exit, :q), forgets the session (:r) or waits for a person (:e opens their editor)."""
    for line in keys.split(ENTER):
        stripped = line.strip()
        if stripped in LEAVE_WORDS:
            return True
        typed_command = re.match(r":(\S*)", stripped)
        found = typed_command and find_command(typed_command.group(1))
        if found and found.name in ("quit", "reset", "edit"):
            return True
    return False

# name, what is fed, the check, and how many inputs the tests try (a process costs ~0.2 s).
# The hostile doors come last.
DOORS = [
    ("pipe", ANY_BYTES, check_pipe, 150),
    ("script", ANY_BYTES, check_script, 150),
    ("-e", COMMAND_LINE_TEXT, check_eval, 150),
    ("REPL typed", REPL_INPUT, check_repl_typed, 60),
    ("REPL pasted", st.one_of(PROGRAMS, MUTATED_PROGRAMS), check_repl_pasted, 40),
    ("pipe process", PROCESS_TEXT.map(str.encode), check_pipe_process, 6),
    ("script process", st.one_of(PROCESS_TEXT.map(str.encode), RANDOM_BYTES),
     check_script_process, 6),
    ("-e process", PROCESS_TEXT, check_eval_process, 6),
    ("script named", CONTROL_NAMES, check_script_named, 30),
    ("REPL hostile script", st.one_of(CONTROL_PROGRAMS, RECURSIVE_GRAD_PROGRAMS),
     check_repl_hostile_script, 20),
    ("special files", SPECIAL_CASES, check_special_file_statement, 40),
    ("special script", st.sampled_from(SPECIAL_SCRIPTS), check_special_script, 8),
    ("special stdin", st.sampled_from(["/dev/zero", "/dev/urandom", "/dev/null", "yes"]),
     check_special_stdin, 4),
    ("REPL special files", st.sampled_from(SPECIAL_SCRIPTS), check_repl_special_file, 8),
    ("special process", PROCESS_SPECIAL_CASES, check_special_process, 6),
    ("memory capped process", MEMORY_HUNGRY, check_memory_capped, 8),
    ("stderr full process", PROCESS_TEXT, check_stderr_full, 4),
    ("cache folders process", CACHE_FOLDERS, check_planted_cache, 6),
    ("history process", HISTORY_PLACES, check_history_place, 6),
    ("output formats", st.one_of(CONTROL_PROGRAMS, PROGRAMS), check_output_formats, 30),
]
