"""Walking through backprop in the language: backward (the walk node by node), table (the
lecture's table, also written to a file) and sliders (inputs moved with the arrow keys).

The pictures are drawn by `microcalc.render` (backprop.py, textbook.py). A person at the
REPL gets full-screen views instead of text: the front end offers them in `ctx.screens`
(the stepper for backward, the sliders), and in scripts and pipes there are none, so
backward prints every step and sliders says that it needs a terminal.
"""

import os

from ...errors import MicrocalcError
from ...files import write_atomically
from ...render.defaults import BACKWARD_STEPS
from ..arguments import file_path
from ..context import Event
from .graphs import _count, _graph, _render, _show
from .registry import builtin

# How each kind of file is written, from the table's data: suffix -> (writer's name in
# render.textbook, what it is called in messages).
TABLE_FORMATS = {".md": ("markdown", "Markdown"), ".csv": ("csv_text", "CSV"),
                 ".tex": ("latex", "LaTeX")}


@builtin("backward", "Walk through backpropagation of L node by node, in reverse "
         "topological order: each node's gradient from above, its op's local derivative, "
         "and what it adds into each operand, whose running total adds up when a node is used "
         "twice. At the REPL it is a stepper (Enter or Space: next, b: back, q: leave); "
         "elsewhere every step is printed, at most `steps` of them.",
         example="a = 2; b = -3; c = 10; f = -2\nL = (a*b + c)*f\nbackward L",
         kind="command", category="graph")
def backward(ctx, L, steps=BACKWARD_STEPS):
    L = _graph(L, "backward")
    steps = _count(steps, "steps", 1)
    stepper = ctx.screens.get("backward")
    if stepper is not None:
        stepper(ctx, L)
        return
    settings = ctx.settings
    _show(ctx, "backward", _render().backward(L, ctx.name_of, ascii=settings.ascii,
                                              color=settings.color, steps=steps))


@builtin("table", "The textbook table of L's gradients: one row per node from L down to the "
         "inputs, with its op, its local derivative, the chain rule written out and the "
         "gradient. table L, \"t.md\" writes it as Markdown instead, .csv as CSV and .tex as a "
         "LaTeX tabular.",
         example="a = 2; b = -3; c = 10; f = -2\ne = a*b; d = e + c; L = d*f\ntable L",
         kind="command", category="graph")
def table(ctx, L, path=None):
    L = _graph(L, "table")
    from ...render import textbook
    settings = ctx.settings
    picture = textbook.chain_table(L, ctx.name_of, ascii=settings.ascii, color=settings.color)
    if path is None:
        _show(ctx, "table", picture)
        return
    path = file_path(ctx, path, "table", '"table.md"')
    suffix = os.path.splitext(path)[1].lower()
    if suffix not in TABLE_FORMATS:
        known = ", ".join(TABLE_FORMATS)
        raise MicrocalcError(f"table writes {known} files; cannot tell what to write from "
                             f"{path!r}")
    writer, kind = TABLE_FORMATS[suffix]
    document = getattr(textbook, writer)(picture.data)
    write_atomically(path, document)
    ctx.emit(Event("note", f"wrote the table of {picture.data['output']} to {path} ({kind})",
                   {"command": "table", "path": path, "format": kind}))


@builtin("sliders", "A full-screen view of o's tree with the value and gradient of every "
         "node, and its named inputs listed: up and down choose an input, left and right "
         "nudge it (by a step that [ and ] make 10 times smaller or larger) and everything is "
         "recomputed at once. Esc or q goes back with the new values kept; Ctrl-C puts them "
         "back. It needs a terminal: the REPL.",
         example="x1 = 2; x2 = 0; w1 = -3; w2 = 1; b = 6.8813735870195432\n"
                 "o = tanh(x1*w1 + x2*w2 + b)\nsliders o",
         kind="command", category="graph")
def sliders(ctx, o):
    o = _graph(o, "sliders")
    screen = ctx.screens.get("sliders")
    if screen is None:
        raise MicrocalcError("sliders needs a terminal: it is a full-screen view for the REPL "
                             "(run microcalc with no arguments, then sliders); here, change "
                             "an input with := and draw the tree again")
    inputs = ctx.named_inputs(o)
    if not inputs:
        name = ctx.name_of(o)
        raise MicrocalcError(f"sliders moves the named inputs of {name or 'the graph'}, and "
                             "it has none: name the numbers first (x = 2)")
    screen(ctx, o, inputs)
