"""A run written as a document to hand out: an HTML page or a Markdown file, from a list of
blocks (the comments of a script as prose, each statement, and what it showed).

The HTML page is one self-contained file: its style inline, no script, nothing loaded from
anywhere; line charts and decision boundaries as SVG drawn by microcalc, graphs as SVG laid
out by Graphviz where it is installed (else their tree), everything else as text. Every
piece of text from the run is escaped.

What a block is (`Block.kind`):
    heading    a title for what follows (a file's name)
    prose      comment lines of a script, the leading '#' taken off
    input      source text, as written (a statement, or the lines of a REPL input)
    output     what a statement showed: a value, or a picture (`Picture`, drawn as above)
    note       a remark (dim), as the terminal shows notes
    progress   a line of a training run's progress
    error      an error report, exactly as the terminal shows it
    skipped    source that did not run, because the run stopped at an error before it
"""

from collections import namedtuple
from html import escape

from .notebook import svg_of
from .style import unpainted

Block = namedtuple("Block", "kind content")

KINDS = ("heading", "prose", "input", "output", "note", "progress", "error", "skipped")

STYLE = """
body { margin: 0; background: #fafafa; color: #1d1d1d;
       font: 16px/1.5 "DejaVu Sans", Helvetica, Arial, sans-serif; }
main { max-width: 58rem; margin: 0 auto; padding: 1.5rem 1.5rem 4rem; background: #fff; }
h1 { font-size: 1.6rem; margin: 0.5rem 0 1rem; }
h2 { font-size: 1.25rem; margin: 2rem 0 0.75rem; border-bottom: 1px solid #ddd; }
p { margin: 0.75rem 0; }
pre { margin: 0; padding: 0.4rem 0.75rem; overflow-x: auto;
      font: 14px/1.35 "DejaVu Sans Mono", Menlo, Consolas, monospace; white-space: pre; }
pre.input { background: #f1f4f8; border-left: 3px solid #1f6fb4; margin-top: 0.75rem; }
pre.output { border-left: 3px solid #cfd8e3; }
pre.note, pre.progress { color: #6a6a6a; border-left: 3px solid #e6e6e6; }
pre.error { color: #b3261e; border-left: 3px solid #b3261e; background: #fdf3f2; }
pre.skipped { color: #8a8a8a; background: #f6f6f6; border-left: 3px dashed #c8c8c8; }
p.skipped { color: #8a8a8a; font-style: italic; }
figure { margin: 0.5rem 0; border-left: 3px solid #cfd8e3; padding-left: 0.75rem; }
figure svg { max-width: 100%; height: auto; }
footer { margin-top: 3rem; color: #8a8a8a; font-size: 0.85rem; }
"""


def html(title, blocks, footer=None):
    """The blocks as one HTML page."""
    parts = ["<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
             '<meta name="viewport" content="width=device-width, initial-scale=1">',
             f"<title>{escape(title)}</title>", f"<style>{STYLE}</style>", "</head>",
             "<body>", "<main>", f"<h1>{escape(title)}</h1>"]
    for block in blocks:
        parts.append(_html_block(block))
    if footer:
        parts.append(f"<footer>{escape(footer)}</footer>")
    parts += ["</main>", "</body>", "</html>"]
    return "\n".join(parts) + "\n"


def _html_block(block):
    kind, content = block
    if kind == "heading":
        return f"<h2>{escape(content)}</h2>"
    if kind == "prose":
        return "\n".join(f"<p>{escape(paragraph)}</p>" for paragraph in _paragraphs(content))
    if kind == "output":
        drawn = svg_of(content)
        if drawn is not None:
            return f'<figure class="picture">{drawn}</figure>'
        if getattr(content, "kind", None) == "dot" and content.fallback:
            content = content.fallback()          # a graph without Graphviz: its tree
        return _pre("output", content)
    if kind == "skipped":
        return ('<p class="skipped">Not run: the run stopped at the error above.</p>\n'
                + _pre("skipped", content))
    if kind not in KINDS:
        raise ValueError(f"unknown kind of block {kind!r}")
    return _pre(kind, content)


def _pre(kind, text):
    return f'<pre class="{kind}">{escape(unpainted(text))}</pre>'


def _paragraphs(text):
    """Prose lines as paragraphs: a blank line ends one."""
    paragraphs, current = [], []
    for line in text.split("\n"):
        if line.strip():
            current.append(line.strip())
        elif current:
            paragraphs.append(" ".join(current))
            current = []
    if current:
        paragraphs.append(" ".join(current))
    return paragraphs


def markdown(title, blocks, footer=None):
    """The blocks as a Markdown file: prose as paragraphs, code and output in fenced blocks,
    pictures as their text (a graph as its tree)."""
    parts = [f"# {title}"]
    for kind, content in blocks:
        if kind == "heading":
            parts.append(f"## {content}")
        elif kind == "prose":
            parts.extend(_paragraphs(content))
        elif kind == "input":
            parts.append(_fenced(content, "mc"))
        elif kind == "skipped":
            parts.append("*Not run: the run stopped at the error above.*")
            parts.append(_fenced(content, "mc"))
        else:
            if getattr(content, "kind", None) == "dot" and content.fallback:
                content = content.fallback()
            prefix = {"note": "note: ", "progress": ""}.get(kind, "")
            parts.append(_fenced(prefix + unpainted(content), "text"))
    if footer:
        parts.append(f"*{footer}*")
    return "\n\n".join(parts) + "\n"


def _fenced(text, language):
    """text in a fence longer than any run of backticks inside it."""
    longest = run = 0
    for ch in text:
        run = run + 1 if ch == "`" else 0
        longest = max(longest, run)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{language}\n{text}\n{fence}"
