"""Turning a session's output events into text on a terminal, in a pipe, or as JSON lines.

Every front end (the REPL, script files, a pipe, `-e`) shows output through one `Display`, so
the three doors print the same results. It never imports prompt_toolkit: a piped run must
start quickly.

What differs between a person and a program reading the output:
- colour (ANSI) only where the user wants it (--color, NO_COLOR, FORCE_COLOR);
- training progress rewrites one line in place with a carriage return on a terminal (the
  last stays); elsewhere only the lines marked `data["report"]` are kept, and outside the
  REPL they go to stderr with the notes, so that stdout holds only results and is the same
  on every run (the lines report steps per second);
- notes ("L does not depend on z") go to stderr outside the REPL;
- with --json every event, errors and notes included, becomes one JSON object per line:
  {"kind", "text", "data"} (progress on stderr, the rest on stdout);
- `digits` rounds the numbers of results to that many significant digits (the REPL's
  :digits, --digits); without it every number is shown exactly.

Everything written passes through `escape_controls`: text from a program, a file or a file
name never reaches the terminal raw. Writing to stderr is best effort: a closed or full
stderr loses the notes, never the results on stdout.
"""

import math

from ..lang.errors import SourceError
from ..text import JSON_CONTROLS, escape_controls, significant

RED = "\x1b[31m"
DIM = "\x1b[2m"
RESET = "\x1b[0m"


class OutputClosed(BaseException):
    """The reader of stdout went away (`microcalc big.mg | head -1`).

    A BaseException, like KeyboardInterrupt, so that it passes through the session (which
    reports any Exception from a statement as an error of the program) to the command's exit.
    """


class OutputFailed(BaseException):
    """Writing the output failed for another reason: a full disk, or a stream that was closed
    before microcalc started (`microcalc ... >&-`). A BaseException, as OutputClosed is."""

    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason


class Display:
    def __init__(self, out, err, *, color=False, live=False, notes_to_stdout=False,
                 as_json=False, width=80, digits=None):
        self.out = out
        self.err = err
        self.color = color
        self.live = live                    # rewrite progress lines in place
        self.notes_to_stdout = notes_to_stdout
        self.as_json = as_json
        self.width = width
        self.digits = digits                # significant digits of results; None: exact
        self._live_length = 0               # length of the open progress line, 0 if none
        self._live_stream = None            # where it is open
        self._err_broken = False            # stderr failed once: notes are dropped since
        # callables told of everything shown, as (kind, event or text): the REPL's transcript
        # listens, for :export
        self.listeners = []

    def show(self, event):
        """Print one Event; the session calls this as its `emit` callback."""
        for listen in self.listeners:
            listen("event", event)
        if self.as_json:
            self._json(event)
        elif event.kind == "progress":
            self._progress(event)
        elif event.kind == "note":
            self._remark(event.text)
        else:
            # Pictures ("text") may be painted; a value is never, whatever its string holds.
            keep_colour = self.color and event.kind == "text"
            self._write(self.out, escape_controls(self._rounded(event), keep_colour) + "\n")

    def error(self, error):
        """Print an error: a SourceError's caret report, or one `error: ...` line."""
        report = error_report(error)
        for listen in self.listeners:
            listen("error", report)
        if self.as_json:
            self._json_line(self.out, {"kind": "error", "text": report,
                                       "data": _error_data(error)})
            return
        self._write(self.err, self._paint(escape_controls(report), RED) + "\n", best_effort=True)

    def message(self, text):
        """A remark from the front end itself (interrupted, saved, ...), shown like a note."""
        for listen in self.listeners:
            listen("message", text)
        if self.as_json:
            self._json_line(self.out, {"kind": "note", "text": text, "data": None})
            return
        self._remark(text)

    def end_live_line(self):
        """Keep the last progress line on screen and move below it."""
        if self._live_length:
            self._live_length = 0
            self._put(self._live_stream, "\n", best_effort=self._live_stream is self.err)

    # -- the kinds of output ---------------------------------------------------------------

    def _remark(self, text):
        stream = self.out if self.notes_to_stdout else self.err
        self._write(stream, self._paint(escape_controls(text), DIM) + "\n",
                    best_effort=stream is self.err)

    def _progress(self, event):
        stream = self.out if self.notes_to_stdout else self.err
        text = escape_controls(event.text)
        if not self.live:
            if isinstance(event.data, dict) and event.data.get("report"):
                self._write(stream, text + "\n", best_effort=stream is self.err)
            return
        # One line, rewritten in place; the last one stays when other output follows.
        # A line longer than the terminal would wrap, and \r returns only to the last row.
        text = text[:max(self.width - 1, 1)]
        padding = " " * max(self._live_length - len(text), 0)
        if self._live_stream is not stream:
            self.end_live_line()
        self._live_stream = stream
        self._put(stream, "\r" + text + padding, best_effort=stream is self.err)
        self._live_length = len(text)

    def _json(self, event):
        record = {"kind": event.kind, "text": self._rounded(event),
                  "data": _json_safe(event.data)}
        self._json_line(self.err if event.kind == "progress" else self.out, record)

    def _json_line(self, stream, record):
        import json     # here: only --json needs it, and start-up counts
        self._put(stream, json.dumps(record, ensure_ascii=False).translate(JSON_CONTROLS) + "\n",
                  best_effort=stream is self.err)

    def _rounded(self, event):
        """The event's text, with the numbers of a result rounded to `digits`."""
        if self.digits is None or event.kind != "value" or not isinstance(event.data, dict):
            return event.text
        shown = _with_digits(event.data.get("value"), self.digits)
        return event.text if shown is None else shown

    # -- writing -----------------------------------------------------------------------------

    def _write(self, stream, text, best_effort=False):
        self.end_live_line()
        self._put(stream, text, best_effort)

    def _put(self, stream, text, best_effort=False):
        if best_effort:
            if self._err_broken:
                return
            try:
                self._put(stream, text)
            except (OutputClosed, OutputFailed):
                self._err_broken = True
            return
        if stream is None:            # Python's stand-in for a stream closed at start
            raise OutputFailed("it is closed")
        try:
            stream.write(text)
            stream.flush()
        except BrokenPipeError:
            raise OutputClosed from None
        except (OSError, ValueError) as exc:       # ValueError: closed while running
            raise OutputFailed(getattr(exc, "strerror", None) or str(exc)) from None

    def _paint(self, text, colour):
        return f"{colour}{text}{RESET}" if self.color else text


def error_report(error):
    """An error as it is shown: a SourceError's caret report, or one `error: ...` line."""
    return error.format() if isinstance(error, SourceError) else f"error: {error}"


def _with_digits(value, digits):
    """A result's text with its numbers to `digits` significant digits; None if the value is
    not made of numbers (and strings) alone."""
    if isinstance(value, float):
        return significant(value, digits)
    if isinstance(value, str):
        from ..lang.format import format_string
        return format_string(value)
    if isinstance(value, list):
        items = [_with_digits(item, digits) for item in value]
        return None if None in items else "[" + ", ".join(items) + "]"
    return None


def _error_data(error):
    if isinstance(error, SourceError):
        return {"message": error.message, "file": error.filename, "line": error.line,
                "column": error.column, "end_column": error.end_column}
    return {"message": str(error)}


def _json_safe(data):
    """Data as strict JSON allows it: no NaN or Infinity, no opaque objects."""
    if isinstance(data, float):
        return data if math.isfinite(data) else repr(data)
    if isinstance(data, dict):
        return {str(key): _json_safe(value) for key, value in data.items()}
    if isinstance(data, (list, tuple)):
        return [_json_safe(value) for value in data]
    if data is None or isinstance(data, (bool, int, str)):
        return data
    return str(data)
