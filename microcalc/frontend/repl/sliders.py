"""`sliders o` at the REPL: o's named inputs moved with the arrow keys, full screen.

The inputs are listed with their values and gradients above o's tree (value and gradient at
every node). Up and down choose an input; left and right nudge it by the step shown; [ and ]
make the step 10 times smaller or larger. Every nudge is the session's own change of an
input in place (as `x1 := 2.1`), so every graph that uses the input is recomputed at once,
and a change that would make a graph undefined is refused with the reason. Esc or q goes
back to the prompt with the new values kept (so do Enter and Ctrl-D); Ctrl-C puts every
input back as it was.

Steps are added in decimal (0.2 nudged up by 0.1 is 0.3, not 0.30000000000000004), and
nudging back and forth returns to the number started from exactly.
"""

from decimal import Decimal

from ...engine import grad, recompute
from ...errors import MicrocalcError
from ...lang.context import Event
from ...render.style import number, paint
from ...render.tree import tree
from ...text import shortest
from .fullscreen import View, marks

KEYS = ("{g.up_down}: input   {g.left_right}: nudge   [ ]: step /10 {g.times}10   "
        "Esc/q: done   Ctrl-C: undo")
FIRST_STEP = Decimal("0.1")


def run_sliders(ctx, output, inputs, terminal):
    g = marks(ctx.settings.ascii)
    names = [ctx.name_of(x) for x in inputs]
    originals = [x.data for x in inputs]
    state = {"chosen": 0, "step": FIRST_STEP, "status": ""}
    out = ctx.name_of(output) or "the graph"

    def body():
        color = terminal.color
        try:
            gradients = [number(d) for d in grad(output, inputs)]
        except MicrocalcError:        # undefined here (sqrt at 0): the tree says why
            gradients = ["?"] * len(inputs)
        width = max(len(name) for name in names)
        lines = []
        for k, (name, x, d) in enumerate(zip(names, inputs, gradients)):
            chosen = k == state["chosen"]
            pointer = g.chosen if chosen else " " * len(g.chosen)
            line = f"{pointer} {name:<{width}} = {shortest(x.data):<22} d{out}/d{name} = {d}"
            lines.append(paint(line, "highlight", color) if chosen else line)
        lines += ["", f"step {shortest(float(state['step']))}     "
                      f"{out} = {shortest(output.data)}", ""]
        lines += tree(output, ctx.name_of, ascii=ctx.settings.ascii, color=color).split("\n")
        if state["status"]:
            lines += ["", paint(state["status"], "bad", color)]
        return "\n".join(lines)

    def title():
        return paint(f" sliders {out}   {KEYS.format(g=g)} ", "name", terminal.color)

    view = View(terminal, title, body, focus=lambda: state["chosen"])

    def move(by):
        state["chosen"] = (state["chosen"] + by) % len(inputs)

    def nudge(sign):
        x = inputs[state["chosen"]]
        new = float(Decimal(repr(x.data)) + sign * state["step"])
        state["status"] = _change(ctx, output, x, new) or ""

    def scale(factor):
        state["step"] = state["step"] * factor

    view.bind("up", "k")(lambda event: move(-1))
    view.bind("down", "j", "tab")(lambda event: move(1))
    view.bind("right", "l", "+")(lambda event: nudge(1))
    view.bind("left", "h", "-")(lambda event: nudge(-1))
    view.bind("]")(lambda event: scale(Decimal(10)))
    view.bind("[")(lambda event: scale(Decimal("0.1")))
    view.bind("escape", "q", "enter", "c-d")(lambda event: view.leave(True))
    view.bind("c-c")(lambda event: view.leave(False))

    with _quiet(ctx) as held:
        kept = view.run()
        if not kept:
            for x, before in zip(inputs, originals):
                if x.data != before:
                    _change(ctx, output, x, before)
    changed = [(name, before, x.data) for name, x, before in zip(names, inputs, originals)
               if x.data != before]
    for event in held:
        ctx.emit(event)
    if changed:
        for watcher in list(ctx.watchers):     # watched trees, drawn once with the new values
            watcher()
    ctx.emit(Event("note", _summary(out, kept, changed),
                   {"command": "sliders", "kept": bool(kept),
                    "changed": {name: new for name, _, new in changed}}))


def _change(ctx, output, x, new):
    """x := new through the session, and output recomputed; the reason if it is refused."""
    old = x.data
    try:
        ctx.change_input(x, new)
        recompute(output)     # output itself, when no variable holds it
    except MicrocalcError as exc:
        if x.data != old:          # the change went through, but output is undefined there
            ctx.change_input(x, old)
            recompute(output)
        return str(exc)
    return None


class _quiet:
    """While a view is on the screen nothing else may print: output from the session (and
    the watchers, which would redraw at every nudge) is held back until it closes."""

    def __init__(self, ctx):
        self.ctx = ctx

    def __enter__(self):
        self.emit, self.watchers = self.ctx.emit, list(self.ctx.watchers)
        self.held = []
        self.ctx.emit = self.held.append
        self.ctx.watchers.clear()
        return self.held

    def __exit__(self, *exc):
        self.ctx.emit = self.emit
        self.ctx.watchers[:] = self.watchers
        return False


def _summary(out, kept, changed):
    if not changed and kept:
        return f"sliders {out}: nothing changed"
    if not kept:
        return f"sliders {out}: undone, every input as it was"
    moves = ", ".join(f"{name} = {shortest(new)} (was {shortest(old)})"
                      for name, old, new in changed)
    return f"sliders {out}: {moves}"
