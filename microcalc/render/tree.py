"""A graph drawn as an indented tree: each node with its value and its gradient.

The gradient shown beside a node is d(root)/d(node), computed afresh with the engine's
functional `grad` every time the tree is drawn. It neither reads nor changes any `.grad`
field, so a tree drawn before any backward pass already shows the real gradients.

A graph is a DAG, not a tree: a node used twice would be drawn twice, and a chain of
doublings (x1 = x0 + x0, x2 = x1 + x1, ...) has 2**60 paths after 60 levels. So every
operation node used more than once is drawn in full once, tagged `#k`, and every later use
is one line saying "see #k": the picture grows with the number of nodes, not of paths.
Leaves are one line either way and are always drawn where they are used.

The walk is iterative (graphs can be a million nodes deep) and stops at a depth and a node
count that the caller can raise; what was cut is said under the tree.
"""

from __future__ import annotations

from ..engine import Value, grad, topological_order
from ..errors import MicrocalcError
from .defaults import TREE_DEPTH, TREE_NODES
from .labels import namer, op_text
from .picture import Picture, table
from .style import glyphs, number

TYPE_CHECKING = False      # typing is not imported when microcalc runs
if TYPE_CHECKING:
    from typing import Any, Callable, Mapping, Optional, Sequence, Union
    from .picture import Picture
    Names = Union[Mapping[Value, str], Callable[[Value], Optional[str]], None]

DEFAULT_DEPTH = TREE_DEPTH
DEFAULT_NODES = TREE_NODES


def tree(value: Value, names: Names = None, ascii: bool = False, color: bool = False,
         depth: int = DEFAULT_DEPTH, nodes: int = DEFAULT_NODES, constants: bool = True,
         gradients: Any = None, marks: Any = None) -> Picture:
    """value's graph as a tree: name or op, value and d(value)/d(node) on every line.

    names maps Values to variable names (a mapping or a callable). depth is how many levels
    below the root are drawn; nodes is how many lines at most. constants=False leaves out
    the constants (inputs without a name, such as the 2 in 2*x). gradients (a mapping from
    node to number) shows those numbers instead of d(value)/d(node), and a blank for a node
    it lacks: the running totals of a backward pass half done. marks maps nodes to a few
    words written at the end of their lines, which are highlighted (the node a walk is at).
    Returns a `Picture` (a str whose `.data` holds the drawn nodes and edges, and the lines
    of the marked nodes).
    """
    if not isinstance(value, Value):
        raise MicrocalcError(f"tree draws a Value's graph, not {type(value).__name__}")
    if depth < 0 or nodes < 1:
        raise MicrocalcError("tree needs depth >= 0 and nodes >= 1")
    name_of = namer(names)
    g = glyphs(ascii)
    order = topological_order(value)
    if gradients is None:
        gradients, grad_error = _gradients(value, order)
    else:
        grad_error = None
    marks = marks or {}
    uses = _count_uses(order)

    def shown(child):
        return constants or not child.is_input or name_of(child)

    ids = {}                # node -> its id in data["nodes"], in order of first drawing
    tags = {}               # shared operation node -> k, once it has been drawn in full
    drawn_nodes = []
    edges = []
    rows = []
    marked_lines = []       # the lines (0 is the first under the header) of marked nodes
    cut = []                # ids of nodes drawn at the depth limit without their operands
    hidden = set()          # constants left out
    stack = [(value, 0, "", "", None)]   # node, depth, lead, branch glyph, parent id
    while stack:
        if len(rows) == nodes:
            break
        node, level, lead, branch, parent = stack.pop()
        name = name_of(node)
        op = op_text(node)
        gradient = gradients.get(node) if gradients is not None else None
        if node not in ids:
            ids[node] = len(drawn_nodes)
            drawn_nodes.append({
                "id": ids[node], "name": name, "op": op or None, "value": node.data,
                "grad": gradient})
        if parent is not None:
            edges.append([parent, ids[node]])

        label = _label(name, op, node)
        note, note_role = "", "muted"
        children = [child for child in node.operands if shown(child)]
        hidden.update(child for child in node.operands if not shown(child))
        if children and node in tags:
            note = f"see #{tags[node]}"
            children = ()
        elif children and level == depth:
            note = f"{g.ellipsis} {_operands(len(children))} not shown"
            cut.append(ids[node])
            children = ()
        elif children and uses[node] > 1:
            tags[node] = len(tags) + 1
            note = f"#{tags[node]}"
        label_role = "name" if name else "op"
        if node in marks:
            note, note_role, label_role = " ".join(filter(None, (note, marks[node]))), \
                "highlight", "highlight"
            marked_lines.append(len(rows))
        shown_grad = "?" if gradients is None else "" if gradient is None else number(gradient)
        rows.append([[(lead + branch, "muted"), (label, label_role)],
                     (number(node.data), "value"), (shown_grad, "grad"), (note, note_role)])

        child_lead = lead + (g.pipe if branch == g.tee else g.blank if branch else "")
        for i in reversed(range(len(children))):
            last = i == len(children) - 1
            stack.append((children[i], level + 1, child_lead, g.elbow if last else g.tee,
                          ids[node]))

    stopped = bool(stack)
    lines = _layout(rows, color)
    lines += _footer(len(order), len(ids), bool(cut), depth, stopped, nodes, grad_error)
    if hidden:
        lines.append(f"{_count(len(hidden), 'constant')} not shown (constants=true shows "
                     f"{'it' if len(hidden) == 1 else 'them'})")
    data = {"root": 0, "nodes": drawn_nodes, "edges": edges, "total_nodes": len(order),
            "cut_at_depth": cut, "stopped_at_line_limit": stopped,
            "constants_hidden": len(hidden), "marked_lines": marked_lines}
    return Picture("\n".join(lines), data)


def _gradients(value, order):
    """d(value)/d(node) for every node, or (None, why) if a local derivative is undefined."""
    try:
        return dict(zip(order, grad(value, order))), None
    except MicrocalcError as exc:
        return None, str(exc)


def _count_uses(order):
    uses = dict.fromkeys(order, 0)
    for node in order:
        for child in node.operands:
            uses[child] += 1
    return uses


def _label(name, op, node):
    if name and op:
        return f"{name} ({op})"
    return name or op or number(node.data)


def _operands(count):
    return _count(count, "operand")


def _count(count, noun):
    return f"1 {noun}" if count == 1 else f"{count} {noun}s"


def _layout(rows, color):
    """Tree column (branches + label) left-aligned, then value and gradient right-aligned."""
    header = [("node", "muted"), ("value", "muted"), ("grad", "muted"), ("", "muted")]
    return table([header] + rows, "<>><", color=color)


def _footer(total, drawn, cut_at_depth, depth, stopped, nodes, grad_error):
    cuts, raise_with = [], []
    if cut_at_depth:
        cuts.append(f"at depth {depth}")
        raise_with.append("depth=N")
    if stopped:
        cuts.append(f"after {nodes} lines")
        raise_with.append("nodes=N")
    lines = []
    if cuts:
        lines.append(f"{drawn:,} of {total:,} nodes shown: cut " + " and ".join(cuts)
                     + f" (raise with {', '.join(raise_with)})")
    if grad_error:
        lines.append(f"gradients unknown: {grad_error}")
    return lines
