"""The textbook table of backpropagation: one row per node, from the output down to the
inputs, with the op that made it, its local derivative, the chain rule written out and the
gradient, as the micrograd lecture works L = (a*b + c)*f by hand:

    node  op  local derivative  chain                     grad
    L     *                     dL/dL = 1                    1
    f         dL/df = d = 4     dL/df = 4                    4
    c         dd/dc = 1         dL/dd · dd/dc = -2 × 1      -2

The rows are the steps of the backward walk (render/backprop.py), so the numbers are the
engine's. The same table can be written as Markdown, CSV or a LaTeX tabular, for handouts.
"""

from __future__ import annotations

from .backprop import Walk
from .formulas import worked_rule
from .picture import Picture, table
from .style import factor, number

TYPE_CHECKING = False      # typing is not imported when microcalc runs
if TYPE_CHECKING:
    from typing import Any, Callable, Mapping, Optional, Union
    from ..engine import Value
    from .picture import Picture
    Names = Union[Mapping[Value, str], Callable[[Value], Optional[str]], None]

COLUMNS = ("node", "op", "local derivative", "chain", "grad")


def chain_table(output: Value, names: Names = None, ascii: bool = False,
                color: bool = False) -> Picture:
    """output's graph as the textbook table. Returns a `Picture` whose .data holds the rows
    (node, op, local derivative, chain, grad) for `markdown`, `csv_text` and `latex`."""
    walk = Walk(output, names, ascii, color)
    text, g = walk.names.text, walk.g
    out = text(output)
    into = {}           # node -> [(parent, contribution)], in the order the walk reaches it
    for step in walk.steps:
        for c in step.contributions:
            into.setdefault(c.operand, []).append((step.node, c))

    rows = []
    for step in walk.steps:
        node = step.node
        edges = into.get(node, [])
        locals_, terms, worked = [], [], []
        for parent, c in edges:
            edge = f"d{text(parent)}/d{text(node)}"
            if len(edges) > 1 and sum(p is parent for p, _ in edges) > 1:
                edge += f" [{'uv'[c.index]}]"       # a*a: two edges between the same nodes
            operand_texts = [text(x) for x in parent.operands]
            locals_.append(f"{edge} = {_worked(parent, c, operand_texts)}")
            if parent is output:
                terms.append(edge)
                worked.append(factor(c.local, not worked))
            else:
                terms.append(f"d{out}/d{text(parent)} {g.dot} {edge}")
                worked.append(f"{factor(walk.gradients[parent], not worked)} {g.times} "
                              f"{factor(c.local)}")
        if node is output:
            chain = f"d{out}/d{out} = 1"
        else:
            chain = f"{' + '.join(terms)} = {' + '.join(worked)}"
        rows.append({"node": text(node), "op": str(node.op) if node.op else "",
                     "local derivative": ", ".join(locals_), "chain": chain,
                     "grad": step.gradient})

    header = [(name, "muted") for name in COLUMNS]
    body = [[(row["node"], "name"), (row["op"], "op"), (row["local derivative"], "value"),
             (row["chain"], "value"), (number(row["grad"]), "grad")] for row in rows]
    lines = table([header] + body, "<<<<>", color)
    lines += walk.where()
    return Picture("\n".join(lines), {"output": out, "columns": list(COLUMNS), "rows": rows,
                                      "agrees_with_grad": walk.agrees})


def _worked(parent, contribution, operand_texts):
    return worked_rule(parent, contribution.index, operand_texts, contribution.local,
                       generic=False)


def _cells(row):
    return [row["node"], row["op"], row["local derivative"], row["chain"], number(row["grad"])]


def markdown(data):
    """The table as a Markdown (GitHub) table."""
    def cell(text):
        return text.replace("\\", "\\\\").replace("|", "\\|").replace("*", "\\*") or " "
    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * (len(COLUMNS) - 1) + "---:|"]
    lines += ["| " + " | ".join(cell(c) for c in _cells(row)) + " |" for row in data["rows"]]
    return "\n".join(lines) + "\n"


def csv_text(data):
    """The table as CSV: a header row, then one row per node; gradients in full precision."""
    import csv
    import io
    from ..text import shortest
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in data["rows"]:
        writer.writerow(_cells(row)[:4] + [shortest(row["grad"])])
    return buffer.getvalue()


_LATEX_SPECIAL = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#",
                  "_": r"\_", "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}",
                  "^": r"\textasciicircum{}", "·": r"$\cdot$", "×": r"$\times$",
                  "…": r"\ldots{}"}


def latex(data):
    """The table as a LaTeX tabular (booktabs-free, so it needs no package)."""
    def cell(text):
        return "".join(_LATEX_SPECIAL.get(ch, ch) for ch in text)
    lines = [r"\begin{tabular}{llllr}", r"\hline",
             " & ".join(cell(c) for c in COLUMNS) + r" \\", r"\hline"]
    lines += [" & ".join(cell(c) for c in _cells(row)) + r" \\" for row in data["rows"]]
    lines += [r"\hline", r"\end{tabular}"]
    return "\n".join(lines) + "\n"
