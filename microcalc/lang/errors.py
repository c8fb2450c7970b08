"""Errors that point at the place in the program where they happened."""

from ..errors import MicrocalcError
from ..text import escape_controls

TAB_WIDTH = 4
# A longer source line (a pasted 10 MB one, say) is shown as the part around the error.
SHOWN_WIDTH = 100
ELLIPSIS = "..."


class SourceError(MicrocalcError):
    """An error at a line and column of a program, shown with the line and a caret under it.

    line and column count from 1; end_column (exclusive) marks the end of the span on that
    line, so the caret underlines the whole name or expression at fault.
    """

    def __init__(self, message, filename, line, column, source_line, end_column=None):
        super().__init__(message)
        self.message = message
        self.filename = filename
        self.line = line
        self.column = column
        self.source_line = source_line
        if end_column is None or end_column <= column:
            end_column = column + 1
        self.end_column = end_column

    def format(self):
        """Four lines: the message, where it is, the source line, a caret under the span."""
        number = str(self.line)
        gutter = " " * len(number)
        line = self.source_line.rstrip("\r\n")
        # A control character (a lone \r, NUL, ESC) is shown escaped, and the caret counts
        # the escape's width, so it still points at the right place.
        shown = _shown(line)
        start = len(_shown(line[:self.column - 1]))
        end = len(_shown(line[:self.end_column - 1]))
        if self.end_column - 1 > len(line):       # a span running past the end of the line
            end = max(len(shown), start) + 1
        if len(shown) > SHOWN_WIDTH:
            shown, start, end = _around(shown, start, end)
        carets = "^" * max(1, end - start)
        return (f"error: {self.message}\n"
                f"{gutter}--> {self.filename}:{self.line}:{self.column}\n"
                f"{number} | {shown}\n"
                f"{gutter} | {' ' * start}{carets}")

    def __str__(self):
        return self.message


def _shown(text):
    return escape_controls(text.expandtabs(TAB_WIDTH))


def _around(line, start, end):
    """The part of a long line around the span [start, end), marked where it was cut, and
    the span's place in it."""
    left = max(0, min(start - SHOWN_WIDTH // 4, len(line) - SHOWN_WIDTH))
    right = left + SHOWN_WIDTH
    before = ELLIPSIS if left else ""
    after = ELLIPSIS if right < len(line) else ""
    shift = len(before) - left
    return (before + line[left:right] + after, start + shift,
            min(end, right + len(after)) + shift)


class Source:
    """A program's text and file name: turns places in it into SourceErrors.

    A place is a syntax Node or Token (numbered tokens: their offsets are found by scanning
    the text again, once, the first time an error or a statement's text needs them) or a
    token of lark's (with its own line and column).
    """

    def __init__(self, text, filename="<input>"):
        self.text = text
        self.filename = filename
        self.locate = None          # text -> (token starts, token ends); set by the parser
        self._lines = None
        self._line_starts = None
        self._spans = None

    @property
    def lines(self):
        if self._lines is None:
            self._lines = self.text.split("\n")
        return self._lines

    def line_text(self, line):
        lines = self.lines
        return lines[line - 1] if 0 < line <= len(lines) else ""

    def spans(self):
        """The start and end offsets of every token, by token number."""
        if self._spans is None:
            locate = self.locate
            if locate is None:                  # made without the parser: ask it now
                from .parser import tables
                locate = tables().scanner.spans
            self._spans = locate(self.text)
        return self._spans

    def offsets(self, where):
        """(start, end) offsets in the text of a Node, a Token or a lark token."""
        where = getattr(where, "meta", where)
        first = getattr(where, "first", None)
        if first is None:
            return where.start_pos, where.end_pos
        starts, ends = self.spans()
        return starts[first], ends[where.last]

    def position(self, offset):
        """(line, column) of an offset, both counting from 1."""
        if self._line_starts is None:
            starts, at = [0], self.text.find("\n")
            while at != -1:
                starts.append(at + 1)
                at = self.text.find("\n", at + 1)
            self._line_starts = starts
        from bisect import bisect_right
        line = bisect_right(self._line_starts, offset)
        return line, offset - self._line_starts[line - 1] + 1

    def error(self, message, line, column, end_line=None, end_column=None):
        """A SourceError at line:column, underlining up to end_column if it is on that line."""
        if end_line is not None and end_line != line:
            end_column = len(self.line_text(line)) + 1
        return SourceError(message, self.filename, line, column, self.line_text(line), end_column)

    def error_at(self, message, where):
        """A SourceError spanning a Node, a Token or a lark token."""
        where = getattr(where, "meta", where)
        if getattr(where, "first", None) is None and hasattr(where, "line"):
            return self.error(message, where.line, where.column,
                              getattr(where, "end_line", None), getattr(where, "end_column", None))
        start, end = self.offsets(where)
        line, column = self.position(start)
        return self.error(message, line, column, *self.position(end))

    def slice(self, where):
        """The source text of a Node, a Token or a lark token."""
        start, end = self.offsets(where)
        return self.text[start:end]

    def text_of_tokens(self, first, last):
        """The source text from the token numbered first to the one numbered last."""
        starts, ends = self.spans()
        return self.text[starts[first]:ends[last]]
