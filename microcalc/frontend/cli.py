"""The `microcalc` command: one session behind three doors.

    microcalc                  the REPL, when stdin and stdout are terminals
    microcalc FILE.mg ...      run scripts, in order, in one session
    microcalc -e 'EXPR'        run a program given on the command line
    ... | microcalc            run what stdin holds as a script

Scripts and pipes print only results, one per line, and stop at the first error (exit 1, the
error on stderr). Start-up matters for those: the language is imported only once the
arguments are read (so --version and --help import nothing of it), and prompt_toolkit only on
the way into the REPL.

Exit status: 0 success; 1 an error in the program or an unreadable file; 2 a usage error;
70 an internal error (a bug in microcalc: one line on stderr, never a traceback);
130 interrupted by Ctrl-C; 141 stdout was closed early (`microcalc big.mg | head -1`), as for
other Unix tools stopped by SIGPIPE.
"""

import os
import sys

from .. import __version__
from ..errors import MicrocalcError
from .display import Display, OutputClosed, OutputFailed

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2            # argparse's own
EXIT_INTERNAL = 70        # EX_SOFTWARE in sysexits.h
EXIT_INTERRUPTED = 130    # 128 + SIGINT
EXIT_BROKEN_PIPE = 141    # 128 + SIGPIPE

# Set this variable to see the traceback behind an "internal error" line.
TRACEBACK_VARIABLE = "MICROCALC_TRACEBACK"


def build_parser():
    import argparse
    parser = argparse.ArgumentParser(
        prog="microcalc",
        description="A calculator that knows its derivatives: scalar autograd, "
                    "a small math language and neural networks.",
        epilog="With no FILE and no -e: the REPL on a terminal, otherwise stdin is run as a "
               "script. Exit status: 0 ok, 1 error in the program, 2 usage, 70 internal "
               "error, 130 interrupted, 141 output closed early.",
    )
    parser.add_argument("files", nargs="*", metavar="FILE",
                        help="script to run (.mg); - reads stdin")
    parser.add_argument("-e", "--eval", action="append", default=[], metavar="PROGRAM",
                        help="run PROGRAM (may be repeated; runs before any FILE)")
    parser.add_argument("-i", "--interactive", action="store_true",
                        help="start the REPL after running the programs, keeping their variables")
    parser.add_argument("--json", action="store_true",
                        help="print every output event as one JSON object per line")
    parser.add_argument("--no-color", action="store_true",
                        help="no colour even on a terminal (so does the NO_COLOR variable)")
    parser.add_argument("--ascii", action="store_true",
                        help="draw pictures with plain ASCII instead of Unicode box drawing")
    parser.add_argument("--html", action="store_true",
                        help="write the run as one self-contained HTML page to hand out: "
                             "each statement with its output, charts as SVG")
    parser.add_argument("--version", action="version", version=f"microcalc {__version__}")
    return parser


def main(argv=None):
    """The console script: returns the exit status. No traceback ever reaches the user."""
    for stream in (sys.stdout, sys.stderr):
        # A character the terminal cannot encode is shown as '?', not a crash.
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="replace")
    try:
        return _main(argv)
    except KeyboardInterrupt:
        _tell("interrupted")
        return EXIT_INTERRUPTED
    except (BrokenPipeError, OutputClosed):
        _detach_stdout()
        return EXIT_BROKEN_PIPE
    except OutputFailed as failure:
        _detach_stdout()
        _tell(f"error: cannot write the output: {failure.reason}")
        return EXIT_ERROR
    except Exception as exc:
        if os.environ.get(TRACEBACK_VARIABLE):
            raise
        _tell(f"internal error: {type(exc).__name__}: {exc} "
              f"(set {TRACEBACK_VARIABLE}=1 to see where)")
        return EXIT_INTERNAL


def _main(argv):
    argv = sys.argv[1:] if argv is None else argv
    if argv == ["--version"]:          # answered before anything else is loaded
        sys.stdout.write(f"microcalc {__version__}\n")
        return EXIT_OK
    parser = build_parser()
    args = parser.parse_args(_programs_attached(argv))
    on_terminal = _isatty(sys.stdin) and _isatty(sys.stdout)
    if args.interactive and not on_terminal:
        parser.error("-i needs a terminal on stdin and stdout")
    if args.html and (args.interactive or args.json):
        parser.error("--html writes a page of the programs run: not with -i or --json")

    display = _make_display(args)
    programs = [("<-e>", text) for text in args.eval]
    wants_repl = args.interactive or (not programs and not args.files and on_terminal
                                      and not args.html)
    from .sources import read_source
    try:
        # Every file is read before anything runs: a missing second file runs nothing.
        programs += [(path, read_source(path)) for path in args.files]
        if not programs and not wants_repl:
            programs = [("<stdin>", read_source("-"))]
    except MicrocalcError as error:
        display.error(error)
        return EXIT_ERROR

    from ..lang import Session
    from ..lang.context import Settings
    from ..render.style import UNICODE_CHARACTERS
    session = Session(Settings(
        color=display.color,
        ascii=args.ascii or not _can_encode(sys.stdout, UNICODE_CHARACTERS),
        width=display.width,
    ))
    if args.html:
        from .lesson import run_lesson
        return run_lesson(session, programs, display)
    for filename, source in programs:
        try:
            session.run(source, filename=filename, emit=display.show)
        except MicrocalcError as error:
            display.error(error)
            if not wants_repl:
                return EXIT_ERROR
            break
        except KeyboardInterrupt:
            display.end_live_line()
            if not wants_repl:
                raise
            display.message("interrupted")
            break
    display.end_live_line()

    if wants_repl:
        from .repl.loop import run_repl
        return run_repl(session, display)
    return EXIT_OK


def _programs_attached(argv):
    """argv with each `-e PROGRAM` written `--eval=PROGRAM`: a program may start with a minus
    (-x * 2, -1e308), which argparse would otherwise take for an option."""
    attached = []
    rest = iter(argv)
    for arg in rest:
        if arg == "--":
            attached += [arg, *rest]
        elif arg in ("-e", "--eval"):
            program = next(rest, None)
            attached.append(arg if program is None else f"--eval={program}")
        else:
            attached.append(arg)
    return attached


def _make_display(args):
    terminal = _isatty(sys.stdout) and not args.json
    colour = terminal and not args.no_color and not os.environ.get("NO_COLOR") \
        and os.environ.get("TERM") != "dumb"
    if terminal:
        import shutil
        width = shutil.get_terminal_size().columns
    else:
        width = 80
    return Display(sys.stdout, sys.stderr, color=colour, live=terminal,
                   as_json=args.json, width=width)


def _isatty(stream):
    try:
        return stream is not None and stream.isatty()
    except (ValueError, OSError):     # closed
        return False


def _can_encode(stream, characters):
    try:
        characters.encode(getattr(stream, "encoding", None) or "ascii")
    except (UnicodeEncodeError, LookupError):
        return False
    return True


def _tell(line):
    """A line on stderr, if stderr can be written at all: the exit status says the rest."""
    try:
        sys.stderr.write(line + "\n")
        sys.stderr.flush()
    except (AttributeError, OSError, ValueError):    # None (closed at start), full, closed
        pass


def _detach_stdout():
    """After stdout failed: make the interpreter's final flush of what is left harmless."""
    if sys.stdout is None:
        return
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
