"""`backward L` at the REPL: the backward pass one node at a time, full screen.

Each step shows the node, the gradient it has when reached, its op's local derivatives and
what each operand receives, above L's tree with the gradients as they stand after that step
(blank where nothing has arrived yet) and the node highlighted. Enter, Space or Right: the
next step; b, Backspace or Left: the one before; q, Esc, Ctrl-C or Ctrl-D: back to the
prompt. The
walk reads and changes nothing of the session. After the last step a summary says whether
every gradient equals grad(L); Enter there leaves too.
"""

from ...lang.context import Event
from ...render.backprop import Walk
from ...render.style import number, paint
from ...render.tree import tree
from .fullscreen import View, marks

KEYS = "Enter/Space: next   b: back   q: leave"


def run_stepper(ctx, output, terminal):
    walk = Walk(output, ctx.name_of, ascii=ctx.settings.ascii, color=terminal.color)
    out = walk.names.text(output)
    count = len(walk)
    here = marks(ctx.settings.ascii).here
    state = {"page": 0, "marked": []}

    def title():
        page = state["page"]
        where = f"step {page + 1} of {count}" if page < count else "done"
        return f" backward {out}   {where}   {KEYS} "

    def body():
        page = state["page"]
        lines = walk.where()
        if page < count:
            step = walk.steps[page]
            lines += walk.step_lines(page) + [""]
            noted = {step.node: f"{here} here"}
            for c in step.contributions:
                noted.setdefault(c.operand, f"{here} gets {number(c.adds)}")
            totals = walk.totals_after(page)
        else:
            lines += walk.summary_lines() + [""]
            noted, totals = {}, walk.gradients
        picture = tree(output, ctx.name_of, ascii=ctx.settings.ascii, color=terminal.color,
                       gradients=totals, marks=noted)
        state["marked"] = [len(lines) + 1 + row for row in picture.data["marked_lines"]]
        lines += picture.split("\n")
        return "\n".join(lines)

    def focus():
        return max(state["marked"], default=0)

    view = View(terminal, lambda: paint(title(), "name", terminal.color), body, focus)

    @view.bind("enter", "space", "right", "n")
    def _next(event):
        if state["page"] >= count:
            view.leave(True)
        else:
            state["page"] += 1

    @view.bind("b", "backspace", "left", "p")
    def _back(event):
        state["page"] = max(0, state["page"] - 1)

    @view.bind("q", "escape", "c-c", "c-d")
    def _leave(event):
        view.leave(False)

    finished = view.run() or state["page"] >= count     # Esc on the summary: all seen
    if finished:
        said = (f"walked all {count} steps of backward {out}: every gradient equals "
                f"grad({out})" if walk.agrees else
                f"walked all {count} steps of backward {out}")
    else:
        said = f"left backward {out} at step {min(state['page'] + 1, count)} of {count}"
    ctx.emit(Event("note", said, {"command": "backward", "steps": count,
                                  "finished": bool(finished)}))
