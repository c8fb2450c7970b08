"""microcalc runs nothing but microcalc (docs/security.md).

- The language cannot reach Python: it has no attribute access, no import, no eval; a name
  is a variable, a function of yours, a constant or a builtin, nothing else.
- No user text is ever passed to eval, exec or a shell: the source holds no eval or exec at
  all, and the one program it starts (Graphviz's dot) gets an argument list.
- Files are read and written only where a command names them (plus the REPL's history, in
  the user's own folder), and a string is only ever a file name.
"""

import ast
import builtins
import io
import os
import pickle
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from prompt_toolkit.filters import to_filter
from prompt_toolkit.history import InMemoryHistory
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput

from microcalc import files
from microcalc.errors import MicrocalcError
from microcalc.lang.errors import SourceError
from microcalc.frontend.repl.commands import run_command
from microcalc.frontend.display import Display
from microcalc.frontend.config import Config
from microcalc.frontend.repl.loop import Repl, make_prompt
from microcalc.lang import Session as new_session

from conftest import matches, mc_blocks, shown, steps

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "microcalc"
SHELL_WORDS = ['"$(touch pwned)"', '"`touch pwned`"', '"x; touch pwned"', '"x | touch pwned"',
               '"x && touch pwned"', '"-o pwned"', "\"x' ; touch pwned ; '\""]


def run(text):
    session = new_session()
    try:
        return [event.text for event in session.run(text)], None
    except SourceError as error:
        return None, error.message


@pytest.fixture(autouse=True)
def in_a_scratch_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return tmp_path


def nothing_ran(folder):
    """No file named as a shell command would have named it."""
    return not any("pwned" == path.name for path in Path(folder).rglob("*"))


# -- the language cannot reach Python ----------------------------------------------------------

@pytest.mark.parametrize("program, message", [
    ('__import__("os")', "unknown name '__import__'"),
    ('open("x.txt")', "unknown name 'open'"),
    ('exec("1")', "unknown name 'exec'"),
    ('eval("1 + 1")', "unknown name 'eval'"),
    ("globals()", "unknown name 'globals'"),
    ('getattr(x, "data")', "unknown name 'getattr'"),
    ("__builtins__", "unknown name '__builtins__'"),
    ("os", "unknown name 'os'"),
    ("x.__class__", "unexpected character '.'"),
    ("tanh.__globals__", "unexpected character '.'"),
    ('x["__class__"]', "only a list can be indexed, and x is a number"),
    ('"abc"["__len__"]', "an index must be a whole number, not a string"),
    ("tanh(x, __class__=1)", "tanh takes no keyword arguments"),
    ("import os", "'import': there is nothing to import"),
    ("lambda: 1", "unexpected character ':' (there is no lambda"),
])
def test_python_is_out_of_reach(program, message):
    printed, error = run("x = 2\n" + program)
    assert error is not None and error.startswith(message)


def test_text_that_looks_like_python_is_only_a_string():
    code = "__import__('os').system('touch pwned')"
    printed, error = run(f's = "{code}"\ns\nlen(s)')
    assert error is None and printed == [f'"{code}"', f'"{code}"', str(len(code))]


def test_a_name_is_only_ever_looked_up_in_the_sessions_own_tables():
    """Every builtin the language can call is in BUILTINS; `tanh` alone is not a value that
    could be handed to Python."""
    assert run("t = tanh")[1] == "'tanh' is a function: call it, as in tanh(x)"
    assert run("t = dot")[1] == "'dot' is a command: write it as a statement of its own, " \
                                "as in dot L, [path], nodes=200, [highlight]"


# -- no eval, no exec, no shell ------------------------------------------------------------------

def python_files():
    return sorted(PACKAGE.rglob("*.py"))


def calls_in(path):
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            yield node


def called_name(call):
    function = call.func
    if isinstance(function, ast.Name):
        return function.id
    if isinstance(function, ast.Attribute) and isinstance(function.value, ast.Name):
        return f"{function.value.id}.{function.attr}"
    return None


@pytest.mark.slow
def test_the_source_calls_no_eval_exec_or_shell():
    forbidden = {"eval", "exec", "compile", "__import__", "os.system", "os.popen",
                 "os.execv", "os.execvp", "os.spawnv", "pickle.load", "pickle.loads",
                 "subprocess.Popen", "subprocess.call", "subprocess.check_output"}
    found = [(path.relative_to(PACKAGE).as_posix(), called_name(call))
             for path in python_files() for call in calls_in(path)
             if called_name(call) in forbidden]
    # The one exception: the engine compiles the op table's own derivative rules (text
    # written in engine/ops.py, never text from a program or a file) once, at import.
    assert sorted(found) == [("engine/rules.py", "compile"), ("engine/rules.py", "exec")]


def test_the_programs_started_get_an_argument_list_and_no_shell():
    """Graphviz's dot, and in the REPL the user's own editor and pager (started only from
    the keyboard: Ctrl-X Ctrl-E, :edit, help longer than the screen)."""
    runs = [(path, call) for path in python_files() for call in calls_in(path)
            if called_name(call) == "subprocess.run"]
    assert sorted(path.name for path, _ in runs) == ["dot.py", "outside.py", "outside.py"]
    for path, call in runs:
        assert isinstance(call.args[0], ast.List)
        assert all(keyword.arg != "shell" for keyword in call.keywords)


@pytest.mark.parametrize("name", SHELL_WORDS)
def test_dot_never_passes_the_file_name_to_graphviz(name, monkeypatch, tmp_path):
    """Graphviz draws on stdout and microcalc writes the file itself (atomically), so a file
    name that looks like an option or a command is never among dot's arguments."""
    started = []

    def record(argv, **options):
        started.append((argv, options))
        return subprocess.CompletedProcess(argv, 0, b"<svg>drawn</svg>", b"")
    monkeypatch.setattr(shutil, "which", lambda program: "/usr/bin/dot")
    monkeypatch.setattr(subprocess, "run", record)
    path = name.strip('"') + ".svg"
    printed, error = run(f'x = 3; y = x * x\ndot y, "{path}"')
    assert error is None
    (argv, options), = started
    assert argv[:2] == ["/usr/bin/dot", "-Tsvg"] and not any(path in arg for arg in argv)
    assert b"digraph" in options["input"]
    assert (tmp_path / path).read_bytes() == b"<svg>drawn</svg>"
    assert "shell" not in options and nothing_ran(tmp_path)


@pytest.mark.parametrize("name", SHELL_WORDS)
def test_dot_with_graphviz_writes_the_file_named_and_nothing_else(name, tmp_path):
    """With Graphviz installed, the file is made under exactly its name; without it, the error
    says so. Either way no command in the name ran."""
    path = name.strip('"') + ".svg"
    printed, error = run(f'x = 3; y = x * x\ndot y, "{path}"')
    if shutil.which("dot"):
        assert error is None and (tmp_path / path).read_text().lstrip().startswith("<?xml")
    else:
        assert error.startswith(f"writing {path} needs Graphviz")
    assert nothing_ran(tmp_path)


@pytest.mark.parametrize("name", SHELL_WORDS)
def test_files_named_in_the_language_are_only_file_names(name, tmp_path):
    session = new_session()
    session.run("net = mlp(2, [2, 1], seed=1)")
    base = name.strip('"')
    session.run(f'save(net, "{base}.json")\nload(net, "{base}.json")\n'
                f'dot net([1, 2]), "{base}.dot"')
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([base + ".json", base + ".dot"])
    with pytest.raises(SourceError, match="no such file"):
        session.run(f'load_csv("{base}.csv")')
    assert nothing_ran(tmp_path)


def test_the_repl_offers_no_way_out_to_a_shell():
    """prompt_toolkit can run a shell command (Meta-!) or suspend (Ctrl-Z); the REPL turns
    neither on. (It does open the user's own $EDITOR on Ctrl-X Ctrl-E.)"""
    with create_pipe_input() as pipe:
        prompt = make_prompt(new_session(), InMemoryHistory(), color=False, input=pipe,
                             output=DummyOutput())
        for feature in (prompt.enable_system_prompt, prompt.enable_suspend):
            assert to_filter(feature)() is False
        assert to_filter(prompt.enable_open_in_editor)() is True


def a_repl():
    """A REPL whose commands can be run one by one (run_command), showing nothing."""
    shown = io.StringIO()
    with create_pipe_input() as pipe:
        return Repl(new_session(), Display(shown, shown), Config(), history=InMemoryHistory(),
                    input=pipe, output=DummyOutput())


def test_repl_file_commands_take_one_file_name():
    repl = a_repl()
    with pytest.raises(MicrocalcError, match="usage: :save FILE"):
        run_command(":save $(touch pwned) x", repl)
    run_command(':save "x; touch pwned"', repl)
    assert Path("x; touch pwned").exists() and nothing_ran(Path.cwd())


# -- writing files: whole or not at all -------------------------------------------------------------
#
# Every file microcalc writes for a program (save, dot, :save) goes through
# microcalc.files.write_atomically: a temporary file beside the target, fsync, os.replace.

GOOD = b'{"the previous": "good file"}\n'
WRITERS = {
    "save": lambda: run('net = mlp(2, [3, 1], seed=1)\nsave(net, "target")'),
    "dot": lambda: run('x = 3; y = x * x\ndot y, "target.dot"'),
    ":save": lambda: run_command(":save target.mg", a_repl()),
}
TARGETS = {"save": "target", "dot": "target.dot", ":save": "target.mg"}


def leftovers(folder):
    return sorted(p.name for p in Path(folder).iterdir() if p.name.endswith(".tmp"))


@pytest.mark.parametrize("writer", WRITERS)
@pytest.mark.parametrize("fault", [OSError(28, "No space left on device"), KeyboardInterrupt])
def test_a_write_that_fails_half_way_leaves_the_previous_file(writer, fault, tmp_path,
                                                               monkeypatch):
    """The disk fills (ENOSPC) or Ctrl-C comes while the new file is flushed: the file that
    was there is still there, whole, and no temporary file is left behind."""
    target = tmp_path / TARGETS[writer]
    target.write_bytes(GOOD)

    def fail(fd):
        raise fault
    monkeypatch.setattr(os, "fsync", fail)
    try:
        result = WRITERS[writer]()
    except (KeyboardInterrupt, MicrocalcError) as exc:
        result = (None, str(exc))
    if fault is KeyboardInterrupt:
        assert result == (None, "")
    else:
        assert result[1] == f"cannot write {TARGETS[writer]}: the disk is full"
    assert target.read_bytes() == GOOD and leftovers(tmp_path) == []


def test_a_full_disk_leaves_the_previous_model(tmp_path):
    """A real limit on file size (RLIMIT_FSIZE, as a full disk or quota gives): saving a
    larger network over a small one fails with one line and the small one is still whole."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    small = 'net = mlp(2, [2, 1], seed=1)\nsave(net, "model.json")'
    done = subprocess.run([sys.executable, "-m", "microcalc", "-e", small], cwd=tmp_path,
                          capture_output=True, text=True, timeout=60, env=env)
    assert done.returncode == 0, done.stderr
    before = (tmp_path / "model.json").read_bytes()
    limit = "import resource; resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))"
    big = 'net = mlp(2, [16, 16, 1], seed=1)\nsave(net, "model.json")'
    done = subprocess.run([sys.executable, "-c", f"{limit}\nimport runpy, sys\n"
                           "sys.argv = ['microcalc', '-e', sys.argv[1]]\n"
                           "runpy.run_module('microcalc', run_name='__main__')", big],
                          cwd=tmp_path, capture_output=True, text=True, timeout=60, env=env)
    assert done.returncode == 1
    assert done.stderr.splitlines()[0] == ("error: cannot write model.json: the file is too "
                                           "large for this system")
    assert (tmp_path / "model.json").read_bytes() == before and leftovers(tmp_path) == []


KILLED_WRITER = """
import sys
from microcalc.files import write_atomically
print("writing", flush=True)
for k in range(1000):
    write_atomically(sys.argv[1], (b"A" if k % 2 else b"B") * 20_000_000)
"""


@pytest.mark.slow
def test_a_writer_killed_mid_write_leaves_a_whole_file(tmp_path):
    """SIGKILL at any moment: the file holds one whole version, never a truncated one."""
    target = tmp_path / "big"
    target.write_bytes(b"C" * 20_000_000)
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    for delay in (0.05, 0.2, 0.45):
        writer = subprocess.Popen([sys.executable, "-c", KILLED_WRITER, str(target)],
                                  stdout=subprocess.PIPE, env=env)
        writer.stdout.readline()
        try:
            writer.wait(timeout=delay)
        except subprocess.TimeoutExpired:
            pass
        writer.kill()
        writer.wait()
        data = target.read_bytes()
        assert len(data) == 20_000_000 and data in (b"A" * len(data), b"B" * len(data),
                                                    b"C" * len(data))


def test_a_symbolic_link_at_the_target_is_replaced_not_followed(tmp_path):
    """docs/security.md: save, dot and :save put a file where the link was; the file the
    link pointed to (perhaps someone else's) is not written."""
    elsewhere = tmp_path / "elsewhere.json"
    elsewhere.write_bytes(GOOD)
    (tmp_path / "model.json").symlink_to(elsewhere)
    printed, error = run('net = mlp(2, [3, 1], seed=1)\nsave(net, "model.json")')
    assert error is None
    assert not (tmp_path / "model.json").is_symlink()
    assert b"microcalc-parameters" in (tmp_path / "model.json").read_bytes()
    assert elsewhere.read_bytes() == GOOD


def test_a_file_replaced_keeps_its_permissions_and_a_new_one_follows_the_umask(tmp_path):
    private = tmp_path / "private.json"
    private.write_bytes(GOOD)
    private.chmod(0o600)
    files.write_atomically(private, "new")
    assert private.read_text() == "new" and private.stat().st_mode & 0o777 == 0o600
    mask = os.umask(0o027)
    try:
        files.write_atomically(tmp_path / "fresh.json", "new")
    finally:
        os.umask(mask)
    assert (tmp_path / "fresh.json").stat().st_mode & 0o777 == 0o640


@pytest.mark.parametrize("statement", ['save(net, "{path}")', 'dot net([1, 2]), "{path}"'])
def test_a_device_a_fifo_or_a_folder_is_not_written(statement, tmp_path):
    """A FIFO nobody reads would hang a plain open(); a device or a folder cannot be
    replaced."""
    fifo = tmp_path / "fifo.dot"
    os.mkfifo(fifo)
    (tmp_path / "folder.dot").mkdir()
    targets = [(fifo, "it is a FIFO (named pipe)"), (tmp_path / "folder.dot", "it is a directory")]
    if statement.startswith("save"):         # dot wants a .dot (or image) name
        targets.append(("/dev/null", "it is a device"))
    for path, why in targets:
        printed, error = run("net = mlp(2, [3, 1], seed=1)\n" + statement.format(path=path))
        assert error == f"cannot write {path}: {why}"
    assert fifo.exists() and leftovers(tmp_path) == []


def test_a_file_that_cannot_be_written_names_its_reason(tmp_path):
    printed, error = run('net = mlp(2, [3, 1], seed=1)\nsave(net, "no/such/folder/m.json")')
    assert error == "cannot write no/such/folder/m.json: its folder does not exist"
    printed, error = run('net = mlp(2, [3, 1], seed=1)\nsave(net, " /m.json")')
    assert error == "cannot write  /m.json: its folder does not exist"      # bench/fuzz.py


def test_a_folder_that_cannot_be_written_says_permission_denied(tmp_path, monkeypatch):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    if os.access(locked, os.W_OK):
        # root writes anywhere: the kernel's refusal is made here as it would come
        import errno
        import microcalc.files as files
        real_open = files.os.open

        def refusing_open(path, flags, *args):
            if os.path.abspath(path).startswith(str(locked)) and flags & os.O_CREAT:
                raise PermissionError(errno.EACCES, "Permission denied", str(path))
            return real_open(path, flags, *args)
        monkeypatch.setattr(files.os, "open", refusing_open)
    try:
        printed, error = run('net = mlp(2, [3, 1], seed=1)\nsave(net, "locked/m.json")')
        assert error == "cannot write locked/m.json: permission denied"
    finally:
        locked.chmod(0o700)


# -- reading files: regular files only, never without end ---------------------------------------

@pytest.mark.parametrize("statement", ['load(mlp(2, [3, 1]), "{path}")', 'load_csv("{path}")'])
def test_devices_and_fifos_are_refused_at_once(statement, tmp_path):
    """/dev/zero never ends and a FIFO nobody writes never starts: both are refused before
    any byte is read (a FIFO was waited on for ever)."""
    fifo = tmp_path / "nobody-writes"
    os.mkfifo(fifo)
    for path, why in (("/dev/zero", "it is a device"), ("/dev/urandom", "it is a device"),
                      (fifo, "it is a FIFO (named pipe)"), (tmp_path, "it is a directory")):
        printed, error = run(statement.format(path=path))
        assert error == f"cannot read {path}: {why}"


@pytest.mark.parametrize("statement", ['load(mlp(2, [3, 1]), "big")', 'load_csv("big")'])
def test_a_file_past_100_mb_is_refused_before_it_is_read(statement, tmp_path):
    with open(tmp_path / "big", "wb") as f:
        f.truncate(100 * 2**20 + 1)          # sparse: no disk used
    printed, error = run(statement)
    assert error == "cannot read big: it is larger than 104,857,600 bytes, the most " \
                    "microcalc reads"


# -- relative file names: one rule for reading and writing -----------------------------------------

SAVE_THEN_LOAD = ('net = mlp(2, [3, 1], seed=1)\nsave(net, "m.json")\n'
                  'other = load(mlp(2, [3, 1], seed=2), "m.json")\n'
                  'other([1, 2]) - net([1, 2])\ndot net([1, 2]), "g.dot"\n'
                  'data = load_csv("d.csv")\n')


def test_a_script_saves_and_loads_beside_itself_from_any_folder(tmp_path):
    """A script that saves then loads m.json reads what it saved, not a stale m.json in the
    current folder (it did: save wrote to the current folder, load looked beside the script
    first)."""
    project, elsewhere = tmp_path / "project", tmp_path / "elsewhere"
    project.mkdir()
    elsewhere.mkdir()
    (project / "d.csv").write_text("1,2,1\n3,4,-1\n")
    (elsewhere / "m.json").write_bytes(GOOD)         # a stale copy where the script is run
    (project / "m.json").write_bytes(GOOD)           # and one beside the script
    script = project / "fit.mg"
    script.write_text(SAVE_THEN_LOAD)
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    done = subprocess.run([sys.executable, "-m", "microcalc", str(script)], cwd=elsewhere,
                          capture_output=True, text=True, timeout=60, env=env)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[2] == "0"          # the network loaded is the one saved
    assert done.stderr.splitlines()[0] == f"saved 13 parameters to {project}/m.json"
    assert b"microcalc-parameters" in (project / "m.json").read_bytes()
    assert (project / "g.dot").exists()
    assert sorted(p.name for p in elsewhere.iterdir()) == ["m.json"]
    assert (elsewhere / "m.json").read_bytes() == GOOD


def test_a_script_below_the_current_folder_shows_its_files_relative_to_it(tmp_path):
    project = tmp_path / "project"
    project.mkdir()
    (project / "d.csv").write_text("1,2,1\n3,4,-1\n")
    (project / "fit.mg").write_text(SAVE_THEN_LOAD)
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    done = subprocess.run([sys.executable, "-m", "microcalc", "project/fit.mg"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=60, env=env)
    assert done.returncode == 0, done.stderr
    assert done.stderr.splitlines() == ["saved 13 parameters to project/m.json",
                                        "wrote project/g.dot"]


@pytest.mark.parametrize("door", ["-e", "pipe", "REPL :save"])
def test_typed_or_piped_programs_use_the_current_folder(door, tmp_path):
    (tmp_path / "d.csv").write_text("1,2,1\n3,4,-1\n")
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    if door == "REPL :save":
        run_command(":save s.mg", a_repl())
        assert (tmp_path / "s.mg").exists()
        return
    argv, stdin = (["-e", SAVE_THEN_LOAD], "") if door == "-e" else ([], SAVE_THEN_LOAD)
    done = subprocess.run([sys.executable, "-m", "microcalc", *argv], input=stdin,
                          cwd=tmp_path, capture_output=True, text=True, timeout=60, env=env)
    assert done.returncode == 0, done.stderr
    assert done.stderr.splitlines()[0] == "saved 13 parameters to m.json"
    assert {"m.json", "g.dot"} <= {p.name for p in tmp_path.iterdir()}


# -- no parser cache --------------------------------------------------------------------------------

def test_a_cache_folder_others_can_write_to_is_never_read(tmp_path):
    """An older microcalc kept its parser in a pickle in the cache folder, and loading a
    pickle runs what it says. The tables now ship inside the package as plain data: a pickle
    planted where the cache was (in a folder anyone can write to) is never read."""
    shared = tmp_path / "shared"
    folder = shared / "microcalc"
    folder.mkdir(parents=True)
    folder.chmod(0o777)
    marker = tmp_path / "planted-cache-ran"

    class Planted:
        def __reduce__(self):
            return builtins.open, (str(marker), "w")

    for name in ("grammar-0123456789abcdef01234567.lark", "parser.pickle"):
        (folder / name).write_bytes(b"planted\n" + pickle.dumps(Planted()))
    env = dict(os.environ, PYTHONPATH=str(ROOT), XDG_CACHE_HOME=str(shared))
    done = subprocess.run([sys.executable, "-m", "microcalc", "-e", "1 + 1"],
                          capture_output=True, text=True, timeout=60, env=env)
    assert (done.returncode, done.stdout, done.stderr) == (0, "2\n", "")
    assert not marker.exists()


# -- docs/security.md ------------------------------------------------------------------------------

SECURITY_DOC = ROOT / "docs" / "security.md"


@pytest.mark.parametrize("start, lines", mc_blocks(SECURITY_DOC.read_text("utf-8")),
                         ids=lambda value: f"line{value}" if isinstance(value, int) else "")
def test_the_examples_in_docs_security_run_as_shown(start, lines):
    session = new_session()
    for source, expected in steps(lines):
        actual = shown(session, source)
        assert matches(expected, actual), (
            f"docs/security.md, example at line {start}: mc> {source}\n"
            f"expected:\n" + "\n".join(expected) + "\nactual:\n" + "\n".join(actual))
