"""Turning a session's output events into text on a terminal, in a pipe, or as JSON lines.

Every front end (the REPL, script files, a pipe, `-e`) shows output through one `Display`, so
the three doors print the same results. It never imports prompt_toolkit: a piped run must
start quickly.

What differs between a person and a program reading the output:
- colour (ANSI) only on a terminal, and only when the user has not said NO_COLOR;
- progress lines (training) rewrite one line in place with a carriage return on a terminal
  (the last stays); in a pipe only the lines marked `data["report"]` are printed;
- notes ("L does not depend on z") go to stderr outside the REPL, so that stdout holds only
  results, one per line;
- with --json every event becomes one JSON object per line: {"kind", "text", "data"}.
"""

import math

from ..lang.errors import SourceError

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
                 as_json=False, width=80):
        self.out = out
        self.err = err
        self.color = color
        self.live = live                    # rewrite progress lines in place
        self.notes_to_stdout = notes_to_stdout
        self.as_json = as_json
        self.width = width
        self._live_length = 0               # length of the open progress line, 0 if none
        # callables told of everything shown, as (kind, event or text): the REPL's transcript
        # listens, for :export
        self.listeners = []

    def show(self, event):
        """Print one Event; the session calls this as its `emit` callback."""
        for listen in self.listeners:
            listen("event", event)
        if self.as_json:
            import json     # here: only --json needs it, and start-up counts
            self._write(self.out, json.dumps(_json_event(event), ensure_ascii=False) + "\n")
        elif event.kind == "progress":
            self._progress(event)
        elif event.kind == "note":
            stream = self.out if self.notes_to_stdout else self.err
            self._write(stream, self._paint(event.text, DIM) + "\n")
        else:
            self._write(self.out, event.text + "\n")

    def error(self, error):
        """Print an error: a SourceError's caret report, or one `error: ...` line."""
        report = error_report(error)
        for listen in self.listeners:
            listen("error", report)
        self._write(self.err, self._paint(report, RED) + "\n")

    def message(self, text):
        """A remark from the front end itself (interrupted, saved, ...), shown like a note."""
        for listen in self.listeners:
            listen("message", text)
        stream = self.out if self.notes_to_stdout else self.err
        self._write(stream, self._paint(text, DIM) + "\n")

    def end_live_line(self):
        """Keep the last progress line on screen and move below it."""
        if self._live_length:
            self._live_length = 0
            self._put(self.out, "\n")

    def _progress(self, event):
        if not self.live:
            if isinstance(event.data, dict) and event.data.get("report"):
                self._write(self.out, event.text + "\n")
            return
        # One line, rewritten in place; the last one stays when other output follows.
        # A line longer than the terminal would wrap, and \r returns only to the last row.
        text = event.text[:max(self.width - 1, 1)]
        padding = " " * max(self._live_length - len(text), 0)
        self._put(self.out, "\r" + text + padding)
        self._live_length = len(text)

    def _write(self, stream, text):
        self.end_live_line()
        self._put(stream, text)

    @staticmethod
    def _put(stream, text):
        if stream is None:            # Python's stand-in for a stream closed at start
            raise OutputFailed("it is closed")
        try:
            stream.write(text)
            stream.flush()
        except BrokenPipeError:
            raise OutputClosed from None
        except OSError as exc:
            raise OutputFailed(exc.strerror or str(exc)) from None

    def _paint(self, text, colour):
        return f"{colour}{text}{RESET}" if self.color else text


def error_report(error):
    """An error as it is shown: a SourceError's caret report, or one `error: ...` line."""
    return error.format() if isinstance(error, SourceError) else f"error: {error}"


def _json_event(event):
    return {"kind": event.kind, "text": event.text, "data": _json_safe(event.data)}


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
