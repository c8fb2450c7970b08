"""The session: what front ends (REPL, script runner, pipes, docs) talk to. It knows the
whole language: importing it loads every builtin (`lang/library`)."""

import gc
import os

from ..errors import MicrocalcError
from .brackets import is_complete
from .compiler import Compiler
from .context import Context, Settings
from .errors import Source, SourceError
from .namespace import Namespace
from .parser import parse


FAILED, PARTIAL = "failed", "partial"     # how a statement of the history ended

# Memory set aside to report running out of it: a statement that fills the memory (a list
# nested a hundred million deep) still holds it when its error is made and shown, so this is
# let go first, and taken again at the next run.
_RESERVE_BYTES = 4 * 2**20
_reserve = []


def _take_reserve():
    if not _reserve:
        try:
            _reserve.append(bytearray(_RESERVE_BYTES))
        except MemoryError:
            pass


class Session:
    """A running program's state: variables, functions, `ans`, settings and watchers.

    run() parses the whole source before running any of it, then runs it statement by
    statement, sending output to emit as `Event`s. The first error stops it with a
    SourceError; the statements before it have run and no variable is lost.
    """

    def __init__(self, settings=None):
        self.namespace = Namespace()
        self.ctx = Context(_ignore, settings if settings is not None else Settings(),
                           self.namespace)
        self._compiler = Compiler(self.namespace, self.ctx)
        self._history = []
        self._notes_given = set()

    @property
    def settings(self):
        return self.ctx.settings

    @settings.setter
    def settings(self, settings):
        self.ctx.settings = settings

    def parse(self, source, filename="<input>"):
        """The syntax tree of a program, for run() to run without reading it again (the REPL
        parses on Enter, to keep an input with a syntax error in the editor). Raises the
        SourceError of its first syntax error."""
        text = Source(source, filename)
        return Parsed(text, _uncollected(parse, text))

    def run(self, source, filename="<input>", emit=None, on_statement=None):
        """Run a program: its text, or what parse() made of it. Without emit, the events are
        collected and returned as a list. on_statement(first_line, last_line) is called
        before each top-level statement runs, with the lines of the source it was written on
        (a document of the run groups the output under them)."""
        _take_reserve()
        events = [] if emit is None else None
        self.ctx.emit = self._once(_guarded(emit) if emit is not None else events.append)
        if isinstance(source, Parsed):
            text, tree = source.source, source.tree
        else:
            text, tree = Source(source, filename), None
        self.ctx.directory = _script_directory(text.filename)
        # The finished program is frozen out of the cyclic collector's sight while it runs
        # (see _uncollected).
        statements = _uncollected(
            lambda: self._compiler.compile_program(tree or parse(text), text))
        gc.freeze()
        try:
            self._run_statements(statements, on_statement)
        except _FrontEndFailure as failure:
            raise failure.error from None
        finally:
            gc.unfreeze()
        return events

    def _run_statements(self, statements, on_statement=None):
        history = self._history
        for statement in statements:
            if on_statement is not None:
                on_statement(*statement.lines())
            self.ctx.stopped_early = None
            # The history keeps the statement's place (source, first and last token), not
            # its text, which is found only when to_script needs it.
            place = (statement.source, statement.where.first, statement.where.last)
            self._notes_given.clear()
            try:
                statement.run()
            except SourceError as exc:
                history.append((*place, FAILED, f"stopped with an error ({exc.message})"))
                raise
            except MicrocalcError as exc:
                history.append((*place, FAILED, f"stopped with an error ({exc})"))
                raise statement.error(str(exc)) from None
            except RecursionError:
                history.append((*place, FAILED, "stopped: it was nested too deeply"))
                raise statement.error("this is nested too deeply to run") from None
            except KeyboardInterrupt:
                history.append((*place, FAILED, "was interrupted by Ctrl-C"))
                raise
            except MemoryError:
                _reserve.clear()             # memory to make and show the error with
                history.append((statement.text, FAILED, "stopped: it ran out of memory"))
                raise statement.error("this statement ran out of memory") from None
            except Exception as exc:     # a bug; still no traceback for the user
                history.append((*place, FAILED, "stopped with an internal error"))
                raise statement.error(f"internal error: {type(exc).__name__}: {exc}") from exc
            history.append((*place, PARTIAL if self.ctx.stopped_early else None,
                            self.ctx.stopped_early))

    def _once(self, emit):
        """emit, giving each note once per statement: a loop or a recursion that meets the
        same remark a thousand times says it once."""
        given = self._notes_given

        def emit_once(event):
            if event.kind == "note":
                if event.text in given:
                    return
                given.add(event.text)
            emit(event)
        return emit_once

    def is_complete(self, text):
        """False while a bracket or `{` is open at the end of text: the REPL reads on."""
        return is_complete(text)

    def names(self):
        """User variables and functions, for completion."""
        return self.namespace.names()

    @property
    def variables(self):
        return self.namespace.variables

    @property
    def functions(self):
        return self.namespace.functions

    def reset(self):
        """Forget every variable, function, watcher and the history."""
        self.namespace.reset()
        self._history.clear()

    def to_script(self):
        """Every statement that has run, in order: the session as a .mg file. A statement
        that stopped with an error or Ctrl-C may have done part of its work (a loop that
        failed at its third pass): it is kept as a comment that says so, since running it
        again would stop the script. One that ran to its end but did less than its text says
        (training stopped by Ctrl-C) is kept, after a comment saying what ran."""
        lines = []
        for source, first, last, how, remark in self._history:
            text = source.text_of_tokens(first, last)
            if how is FAILED:
                lines.append(f"# This statement {remark}; what it did before it stopped is "
                             f"not repeated here:")
                lines.extend("# " + line for line in text.split("\n"))
                continue
            if how is PARTIAL:
                lines.append(f"# This statement ran only in part ({remark}):")
            lines.append(text)
        return "".join(line + "\n" for line in lines)


def _ignore(event):
    pass


def _uncollected(build, *args):
    """build(*args) with Python's cyclic collector off. Parsing and compiling allocate
    millions of small objects for a long script and free none; the collector would scan them
    again and again (10x the time, measured with bench/language.py)."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        return build(*args)
    finally:
        if collecting:
            gc.enable()


class Parsed:
    """A program's source and syntax tree, as Session.parse gives them to Session.run."""

    __slots__ = ("source", "tree")

    def __init__(self, source, tree):
        self.source = source
        self.tree = tree


def _script_directory(filename):
    """The folder of a script file; None for "<input>", "<stdin>", "-e" and the like."""
    if filename.startswith("<") or not os.path.isfile(filename):
        return None
    return os.path.dirname(os.path.abspath(filename))


class _FrontEndFailure(BaseException):
    """An exception raised by the front end's emit callback (a closed pipe, say), carried
    past every handler that turns errors into SourceErrors and re-raised as it was."""

    def __init__(self, error):
        super().__init__(error)
        self.error = error


def _guarded(emit):
    def guarded_emit(event):
        try:
            emit(event)
        except Exception as exc:
            raise _FrontEndFailure(exc) from exc
    return guarded_emit
