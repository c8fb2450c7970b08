"""A run as a document to hand out. `microcalc --html lesson.mg > lesson.html` writes the
script with what each statement showed under it, its comments as prose; the REPL's
`:export FILE.html` (or `.md`) writes what was typed and shown so far.

What goes into the document is decided here; how it looks is microcalc.render.document's.
Text is kept as the terminal shows it, less colour, with control characters made visible
(\\x1b); pictures are kept whole, so that a chart becomes an SVG.
"""

import os
import re

from .. import __version__
from ..errors import MicrocalcError
from ..files import write_atomically
from ..lang.context import Event
from ..render.style import unpainted
from .display import error_report

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_SPEED = re.compile(r"\s+[0-9.]+ steps/s$")
FORMATS = {".html": "html", ".htm": "html", ".md": "markdown", ".markdown": "markdown"}


class Transcript:
    """What a run showed, kept as a document's blocks: (kind, content) pairs, the kinds of
    microcalc.render.document. It listens to a Display (display.listeners) or takes a
    session's events directly."""

    def __init__(self):
        self.blocks = []

    def __call__(self, what, payload):
        """A Display's listener: ("event", Event), ("error", report) or ("message", text)."""
        if what == "event":
            self.event(payload)
        else:
            self.add("error" if what == "error" else "note", payload)

    def event(self, event):
        if event.kind in ("value", "text"):
            self.add("output", event.text)
        elif event.kind == "note":
            self.add("note", event.text)
        elif event.kind == "progress":
            if isinstance(event.data, dict) and event.data.get("report"):
                # The same document every time it is made: without the speed of the machine.
                self.add("progress", _SPEED.sub("", event.text))
        else:
            self.add("output", event.text)

    def add(self, kind, content):
        if getattr(content, "kind", "text") == "text":     # pictures to draw stay whole
            content = visible(content)
            if (kind in ("output", "progress", "note") and self.blocks
                    and self.blocks[-1][0] == kind
                    and getattr(self.blocks[-1][1], "kind", "text") == "text"):
                content = self.blocks.pop()[1] + "\n" + content    # one block of lines
        self.blocks.append((kind, content))

    def typed(self, text):
        """An input at the REPL's prompt, written as it was typed after the prompt."""
        shown = "\n".join(("mc> " if k == 0 else "... ") + line
                           for k, line in enumerate(text.split("\n")))
        self.blocks.append(("input", visible(shown)))

    @classmethod
    def of(cls, display):
        """The transcript listening to display, if any."""
        return next((listen for listen in display.listeners if isinstance(listen, cls)), None)

    def source(self, lines):
        """Lines of a script: comment lines become prose, the rest code (one block for the
        statements that follow each other with nothing shown between them)."""
        for kind, text in source_blocks(lines):
            if kind == "input" and self.blocks and self.blocks[-1][0] == "input":
                text = self.blocks.pop()[1] + "\n" + text
            self.blocks.append((kind, visible(text)))


def visible(text):
    """Text as the document shows it: no colour codes, other control characters escaped."""
    text = unpainted(text)
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def source_blocks(lines):
    """Script lines as ("prose", text) for runs of comment lines (a comment indented past
    its '#' keeps a paragraph of its own) and ("input", text) for the code between them."""
    blocks = []
    kind, current = None, []

    def flush():
        while current and not current[-1].strip():
            current.pop()
        if current:
            blocks.append((kind, "\n".join(current)))
        current.clear()

    for line in lines:
        stripped = line.strip()
        if stripped.startswith("#!") and not blocks and not current:
            continue                              # a shebang line is for the shell
        if stripped.startswith("#"):
            words = stripped[1:]
            if kind != "prose":
                flush()
                kind = "prose"
            if words.startswith("   ") and words.strip():
                current.append("")                # an indented comment: its own paragraph
                current.extend([words.strip(), ""])
            else:
                current.append(words.strip())
        elif not stripped:
            if kind == "prose":
                current.append("")
            elif current:
                current.append(line)
        else:
            if kind != "input":
                flush()
                kind = "input"
            current.append(line)
    flush()
    return [(kind, text) for kind, text in blocks if text.strip()]


def run_lesson(session, programs, display):
    """Run the programs as a script would and write them, with what they showed, as one HTML
    page on the display's output. The first error stops the run, as in a script: it is in the
    page where it happened and on stderr, the rest of the source is shown as not run, and the
    status is 1."""
    transcript = Transcript()
    status = 0
    for filename, source in programs:
        if len(programs) > 1:
            transcript.add("heading", _shown_name(filename))
        lines = source.split("\n")
        shown = 0                       # lines of the source already in the document

        def before(first, last):
            nonlocal shown
            if last > shown:
                transcript.source(lines[shown:last])
                shown = last
        try:
            session.run(source, filename=filename, emit=transcript.event, on_statement=before)
        except MicrocalcError as error:
            transcript.add("error", error_report(error))
            display.error(error)
            rest = "\n".join(lines[shown:]).strip("\n")
            if rest.strip():
                transcript.blocks.append(("skipped", visible(rest)))
            status = 1
            break
        transcript.source(lines[shown:])
    title = (_shown_name(programs[0][0]) if len(programs) == 1 else "microcalc lesson")
    page = write_document(transcript.blocks, "html", title, _footer(programs))
    display.show(Event("text", page.rstrip("\n")))
    return status


def export(blocks, path, title="microcalc session"):
    """Write a transcript's blocks to path, as HTML or Markdown by its suffix; returns the
    format's name."""
    suffix = os.path.splitext(path)[1].lower()
    if suffix not in FORMATS:
        raise MicrocalcError(f":export writes {', '.join(sorted(FORMATS))} files; cannot "
                             f"tell what to write from {path!r}")
    kind = FORMATS[suffix]
    text = write_document(blocks, kind, title, f"Written by microcalc {__version__}.")
    write_atomically(path, text)
    return "HTML" if kind == "html" else "Markdown"


def write_document(blocks, kind, title, footer):
    from ..render import document
    return getattr(document, kind)(title, blocks, footer)


def _shown_name(filename):
    return {"<-e>": "-e", "<stdin>": "standard input", "-": "standard input"}.get(
        filename, os.path.basename(filename))


def _footer(programs):
    names = ", ".join(_shown_name(name) for name, _ in programs)
    return f"Written by microcalc {__version__} from {names}."
