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
from ..text import escape_controls
from .display import Display, OutputClosed, OutputFailed

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2            # argparse's own
EXIT_INTERNAL = 70        # EX_SOFTWARE in sysexits.h
EXIT_INTERRUPTED = 130    # 128 + SIGINT
EXIT_BROKEN_PIPE = 141    # 128 + SIGPIPE

# Set this variable to see the traceback behind an "internal error" line.
TRACEBACK_VARIABLE = "MICROCALC_TRACEBACK"


ENVIRONMENT = [
    ("NO_COLOR", "when set (not empty), no colour unless --color=always"),
    ("FORCE_COLOR", "when set (not empty), colour even in a pipe, as --color=always"),
    (TRACEBACK_VARIABLE, "when set, an internal error shows its Python traceback"),
    ("XDG_CONFIG_HOME", "config.toml and init.mg are read from $XDG_CONFIG_HOME/microcalc "
                        "(~/.config/microcalc)"),
    ("XDG_DATA_HOME", "the REPL's history is kept in $XDG_DATA_HOME/microcalc/history "
                      "(~/.local/share/microcalc/history)"),
    ("EDITOR", "the editor of Ctrl-X Ctrl-E and :edit in the REPL"),
    ("PAGER", "shows help that is longer than the screen (less by default)"),
]
EXAMPLES = [
    ("echo 'x = 3; grad(x**2, x)' | microcalc", "the derivative of x**2 at 3: prints 6"),
    ("microcalc examples/moons.mg > out.txt", "run a script; results to out.txt, training "
                                              "progress and notes to the terminal"),
    ("microcalc -e 'help tanh'", "what a builtin does"),
]
SHELLS = ("bash", "zsh", "fish")


def build_parser():
    import argparse

    class Parser(argparse.ArgumentParser):
        """argparse, with what it echoes of the command line escaped for the terminal."""

        def error(self, message):
            super().error(escape_controls(message))

    parser = Parser(
        prog="microcalc",
        description="A calculator that knows its derivatives: scalar autograd, "
                    "a small math language and neural networks.",
        epilog=_epilog(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("files", nargs="*", metavar="FILE",
                        help="script to run (.mg); - reads stdin")
    parser.add_argument("-e", "--eval", action="append", default=[], metavar="PROGRAM",
                        help="run PROGRAM (may be repeated; runs before any FILE)")
    parser.add_argument("-i", "--interactive", action="store_true",
                        help="start the REPL after running the programs, keeping their variables")
    parser.add_argument("--json", action="store_true",
                        help="print every output event, errors and notes too, as one JSON "
                             "object per line")
    parser.add_argument("--color", choices=("auto", "always", "never"), default=None,
                        metavar="WHEN", help="colour: auto (on a terminal, the default), "
                                             "always (also in a pipe, for less -R) or never")
    parser.add_argument("--no-color", action="store_true",
                        help="the same as --color=never")
    parser.add_argument("--digits", type=_digits, default=None, metavar="N",
                        help="show results to N significant digits (default: every digit)")
    parser.add_argument("--ascii", action="store_true",
                        help="draw pictures with plain ASCII instead of Unicode box drawing")
    parser.add_argument("--html", action="store_true",
                        help="write the run as one self-contained HTML page to hand out: "
                             "each statement with its output, charts as SVG")
    parser.add_argument("--no-init", action="store_true",
                        help="do not run init.mg before the REPL starts")
    parser.add_argument("--print-config", action="store_true",
                        help="print a config file with every setting at its default, and exit")
    parser.add_argument("--completions", choices=SHELLS, metavar="SHELL",
                        help="print the completion script for SHELL (bash, zsh or fish), "
                             "and exit")
    parser.add_argument("--man", action="store_true",
                        help="print the manual page (roff), and exit: microcalc --man | man -l -")
    parser.add_argument("--version", action="version", version=f"microcalc {__version__}")
    return parser


def _epilog():
    import textwrap

    def wrapped(text, indent):
        return textwrap.fill(text, 79, initial_indent=indent, subsequent_indent=indent,
                             break_long_words=False, break_on_hyphens=False)
    column = max(len(name) for name, _ in ENVIRONMENT) + 4
    lines = ["With no FILE and no -e: the REPL on a terminal, otherwise stdin is run as a "
             "script.", "", "environment:"]
    for name, meaning in ENVIRONMENT:
        lines.append(f"  {name.ljust(column - 2)}" + wrapped(meaning, " " * column)[column:])
    lines += ["", "examples:"]
    for command, meaning in EXAMPLES:
        lines += [f"  {command}", wrapped(meaning, " " * 6)]
    lines += ["", wrapped("exit status: 0 ok, 1 error in the program, 2 usage, 70 internal "
                          "error, 130 interrupted, 141 output closed early.", "")]
    return "\n".join(lines)


def _digits(text):
    import argparse
    try:
        digits = int(text)
    except ValueError:
        digits = 0
    if not 1 <= digits <= 17:
        raise argparse.ArgumentTypeError(f"must be a whole number from 1 to 17, not {text!r}")
    return digits


def main(argv=None):
    """The console script: returns the exit status. No traceback ever reaches the user, and
    no second exception escapes while the first is reported (a second Ctrl-C, say)."""
    try:
        try:
            for stream in (sys.stdout, sys.stderr):
                # A character the terminal cannot encode is shown as '?', not a crash.
                if hasattr(stream, "reconfigure"):
                    stream.reconfigure(errors="replace")
            return _main(argv)
        except SystemExit as exit:            # argparse: --help, usage errors
            return exit.code if isinstance(exit.code, int) else EXIT_USAGE
        except BaseException as exc:
            if os.environ.get(TRACEBACK_VARIABLE) and isinstance(exc, Exception):
                raise
            return _status_for(exc)
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    except (SystemExit, Exception):
        if os.environ.get(TRACEBACK_VARIABLE):
            raise
        return EXIT_INTERNAL


def _status_for(exc):
    """The exit status for what stopped the run, after saying so in one line."""
    if isinstance(exc, KeyboardInterrupt):
        _tell("interrupted")
        return EXIT_INTERRUPTED
    if isinstance(exc, (BrokenPipeError, OutputClosed)):
        _detach_stdout()
        return EXIT_BROKEN_PIPE
    if isinstance(exc, OutputFailed):
        _detach_stdout()
        _tell(f"error: cannot write the output: {exc.reason}")
        return EXIT_ERROR
    if isinstance(exc, MemoryError):
        _tell("error: out of memory")
        return EXIT_ERROR
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
    if args.print_config or args.completions or args.man:
        return _print_and_exit(parser, args)
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
    if not wants_repl and len(programs) == 1:
        from .help import answer_help_request
        answered = answer_help_request(programs[0][1], display)
        if answered is not None:
            return answered

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
    config = None
    if wants_repl:
        from .startup import load_settings
        config = load_settings(session, display, run_init=not args.no_init,
                               digits_given=args.digits is not None)
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
        return run_repl(session, display, config=config)
    return EXIT_OK


def _print_and_exit(parser, args):
    if args.print_config:
        from .config import default_config_text
        text = default_config_text()
    elif args.completions:
        from .completions import completion_script
        text = completion_script(parser, args.completions)
    else:
        from .completions import man_page
        text = man_page(parser, ENVIRONMENT, EXAMPLES)
    sys.stdout.write(text if text.endswith("\n") else text + "\n")
    sys.stdout.flush()
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
    if terminal:
        import shutil
        width = shutil.get_terminal_size().columns
    else:
        width = 80
    # Progress lines go where the notes go (stderr outside the REPL): live if that is a
    # terminal. The REPL moves them to stdout when it starts.
    return Display(sys.stdout, sys.stderr, color=_colour(args, terminal),
                   live=_isatty(sys.stderr) and not args.json, as_json=args.json,
                   width=width, digits=args.digits)


def _colour(args, terminal):
    """--color, else NO_COLOR, else FORCE_COLOR, else colour on a terminal that has it."""
    when = "never" if args.no_color else args.color
    if args.json or when == "never":
        return False
    if when == "always":
        return True
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return terminal and os.environ.get("TERM") != "dumb"


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
        sys.stderr.write(escape_controls(line) + "\n")
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
