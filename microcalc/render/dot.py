"""A graph as Graphviz DOT text, drawn as micrograd's draw_dot draws it: one box per value
(name | value | gradient) and one small circle per operation, inputs on the left.

Gradients are d(output)/d(node) from the engine's functional `grad`, so a graph drawn before
any backward pass shows real gradients. Values are coloured by what they are (the output,
named inputs, a network's parameters, constants), with a legend; `highlight=a` marks every
path from the output down to a. Writing .svg or .png runs Graphviz's `dot` program when it
is installed; the DOT text itself needs nothing.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections import deque

from ..engine import Value, grad, topological_order
from ..errors import MicrocalcError
from ..files import write_atomically
from .defaults import DOT_NODES
from .labels import namer, op_text
from .picture import Picture
from .style import number

TYPE_CHECKING = False      # typing is not imported when microcalc runs
if TYPE_CHECKING:
    from typing import Any, Callable, Mapping, Optional, Sequence, Union
    from .picture import Picture
    Names = Union[Mapping[Value, str], Callable[[Value], Optional[str]], None]

DEFAULT_NODES = DOT_NODES
IMAGE_FORMATS = ("svg", "png", "pdf")
TEXT_SUFFIXES = (".dot", ".gv")
GRAPHVIZ_HELP = ("install Graphviz to get the `dot` program (Debian/Ubuntu: apt install "
                 "graphviz; macOS: brew install graphviz; others: https://graphviz.org/download/), "
                 "or write a .dot file and convert it elsewhere")


# Fill colours by what a value is; values computed inside the graph are left white.
KINDS = {"output": "#ffd08a", "input": "#bfe0ff", "parameter": "#c8ecb4",
         "constant": "#e4e4e4"}
HIGHLIGHT = "#d62728"


def dot(value: Value, names: Names = None, nodes: int = DEFAULT_NODES,
        parameters: Sequence[Value] = (), highlight: Any = None) -> Picture:
    """value's graph as DOT text (a `Picture` whose .data holds its nodes and edges, and the
    number of nodes in the whole graph).

    At most `nodes` values are drawn: those nearest the output, breadth first. Beyond a few
    hundred a picture is unreadable and Graphviz takes minutes to lay it out. An operation
    whose operands were left out gets a `...` in their place, and the graph is labelled
    with what is missing. parameters are the inputs that are a network's weights and
    biases (coloured apart from other inputs); highlight, a value of the graph, has every
    path from the output down to it drawn in red.
    """
    if not isinstance(value, Value):
        raise MicrocalcError(f"dot draws a Value's graph, not {type(value).__name__}")
    name_of = namer(names)
    order = topological_order(value)
    try:
        gradients = grad(value, order)
    except MicrocalcError:
        gradients = [None] * len(order)    # a local derivative is undefined somewhere
    if len(order) > nodes:
        nearest = _nearest(value, nodes)
        drawn = [(node, gradient) for node, gradient in zip(order, gradients) if node in nearest]
    else:
        drawn = list(zip(order, gradients))
    on_path = _on_paths(order, highlight, name_of) if highlight is not None else set()
    parameters = set(parameters)
    ids = {node: i for i, (node, _) in enumerate(drawn)}
    lines = ["digraph microcalc {",
             "  rankdir=LR;",
             "  ordering=in;",          # operands keep their order: a - b is not b - a
             '  node [fontname="monospace"];']
    if len(drawn) < len(order):
        lines.append(f'  label="{len(drawn):,} of {len(order):,} nodes drawn, those nearest '
                     f'{_quote(name_of(value) or "the output")}"; labelloc=t;')
    nodes, edges = [], []
    kinds_drawn = []
    for node, gradient in drawn:
        i = ids[node]
        name = name_of(node) or ""
        kind = _kind(node, value, name, parameters)
        if kind and kind not in kinds_drawn:
            kinds_drawn.append(kind)
        shown_grad = "?" if gradient is None else number(gradient)
        fields = [_record_escape(name)] if name else []
        fields += [_record_escape(f"value {number(node.data)}"),
                   _record_escape(f"grad {shown_grad}")]
        style = f', style=filled, fillcolor="{KINDS[kind]}"' if kind else ""
        mark = f', color="{HIGHLIGHT}", penwidth=2' if node in on_path else ""
        lines.append(f'  v{i} [shape=record, label="{{ {" | ".join(fields)} }}"{style}{mark}];')
        nodes.append({"id": i, "name": name or None, "op": op_text(node) or None,
                      "value": node.data, "grad": gradient, "kind": kind or "computed",
                      "highlighted": node in on_path})
        if not node.is_input:
            marked = node in on_path
            op_mark = f', color="{HIGHLIGHT}", penwidth=2' if marked else ""
            edge_mark = f' [color="{HIGHLIGHT}", penwidth=2]' if marked else ""
            lines.append(f'  v{i}_op [shape=circle, label="{_quote(op_text(node))}"{op_mark}];')
            lines.append(f"  v{i}_op -> v{i}{edge_mark};")
            for child in node.operands:
                if child in ids:
                    into = edge_mark if child in on_path and marked else ""
                    lines.append(f"  v{ids[child]} -> v{i}_op{into};")
                    edges.append([ids[child], i])
            if any(child not in ids for child in node.operands):
                lines.append(f'  v{i}_more [shape=plaintext, label="..."];')
                lines.append(f"  v{i}_more -> v{i}_op;")
    lines += _legend(kinds_drawn, (name_of(highlight) or "that value") if on_path else None)
    lines.append("}")
    data = {"nodes": nodes, "edges": edges, "root": ids[value], "total": len(order)}
    if highlight is not None:
        data["highlight"] = name_of(highlight)
    return Picture("\n".join(lines), data, kind="dot", fallback=_tree_of(value, names))


def _kind(node, output, name, parameters):
    """What a value is, for its colour: output, parameter, input, constant, or None for a
    value computed inside the graph."""
    if node is output:
        return "output"
    if not node.is_input:
        return None
    if node in parameters:
        return "parameter"
    return "input" if name else "constant"


def _on_paths(order, target, name_of):
    """The nodes on some path from the output down to target: target and everything above it."""
    if target not in set(order):
        raise MicrocalcError(f"{name_of(target) or 'that value'} is not part of this graph: "
                             "there is no path to highlight")
    found = set()
    for node in order:              # operands first: a node is on a path if an operand is
        if node is target or any(child in found for child in node.operands):
            found.add(node)
    return found


def _legend(kinds, highlighted):
    """A box per kind of value drawn, and the highlight's meaning, grouped apart."""
    if not kinds and not highlighted:
        return []
    lines = ["  subgraph cluster_legend {",
             '    label="legend"; fontname="monospace"; style=dashed; color=gray;']
    for kind in sorted(kinds, key=list(KINDS).index):
        lines.append(f'    legend_{kind} [shape=box, style=filled, fillcolor="{KINDS[kind]}", '
                     f'label="{kind}"];')
    if highlighted:
        lines.append(f'    legend_path [shape=box, color="{HIGHLIGHT}", penwidth=2, '
                     f'label="{_quote("on a path to " + highlighted)}"];')
    lines.append("  }")
    return lines


def _tree_of(value, names):
    """The same graph as a text tree, for where no picture of the DOT can be made."""
    def draw():
        from .tree import tree
        return tree(value, names)
    return draw


def _nearest(root, count):
    """The `count` nodes nearest root, breadth first through the operands."""
    kept = {root}
    queue = deque([root])
    while queue and len(kept) < count:
        for child in queue.popleft().operands:
            if child not in kept and len(kept) < count:
                kept.add(child)
                queue.append(child)
    return kept


def write_dot(value: Value, path: str, names: Names = None, nodes: int = DEFAULT_NODES,
              parameters: Sequence[Value] = (), highlight: Any = None) -> str:
    """Write value's graph to path: DOT text for .dot/.gv, an image for .svg/.png/.pdf
    (through Graphviz's `dot` program). At most `nodes` values are drawn, and parameters and
    highlight are coloured, as in dot(). The file is replaced atomically (microcalc.files):
    a failed or interrupted write leaves the one that was there. Returns the path written."""
    text = dot(value, names, nodes, parameters, highlight)
    suffix = os.path.splitext(path)[1].lower()
    if suffix in TEXT_SUFFIXES:
        return write_atomically(path, text + "\n")
    image_format = suffix[1:]
    if image_format not in IMAGE_FORMATS:
        known = ", ".join(TEXT_SUFFIXES + tuple("." + f for f in IMAGE_FORMATS))
        raise MicrocalcError(f"cannot tell what to write from {path!r}: use one of {known}")
    if not has_graphviz():
        raise MicrocalcError(f"writing {path} needs Graphviz: {GRAPHVIZ_HELP}")
    # The image comes back on stdout and microcalc writes the file: the file name is never
    # one of dot's arguments (a name such as "-c.svg" would be read as an option).
    return write_atomically(path, _graphviz(text, image_format, f"could not write {path}"))


def has_graphviz():
    """Is Graphviz's `dot` program installed?"""
    return shutil.which("dot") is not None


def graphviz_svg(text):
    """DOT text laid out by Graphviz as one <svg> element, ready to put inside a page (its
    XML prolog, doctype and comments dropped); None without Graphviz."""
    if not has_graphviz():
        return None
    svg = _graphviz(text, "svg", "could not draw the graph").decode("utf-8", "replace")
    start = svg.find("<svg")
    svg = svg[start:] if start >= 0 else svg
    return re.sub(r"<!--.*?-->\s*", "", svg, flags=re.S).strip()


def _graphviz(text, image_format, failing):
    """The drawing Graphviz's dot makes of DOT text, as bytes (an image may be binary)."""
    try:
        # A list argv, never a shell. nslimit bounds the layout's network simplex, which
        # otherwise takes minutes on a few hundred nodes that share one input; smaller
        # graphs come out the same.
        result = subprocess.run([shutil.which("dot"), f"-T{image_format}", "-Gnslimit=1",
                                 "-Gnslimit1=1"], input=text.encode("utf-8"),
                                capture_output=True, timeout=120)
    except (OSError, subprocess.SubprocessError, TypeError) as exc:
        raise MicrocalcError(f"Graphviz's dot failed: {exc}") from None
    if result.returncode != 0 or not result.stdout:
        why = result.stderr.decode("utf-8", "replace").strip().splitlines()
        raise MicrocalcError(f"Graphviz's dot {failing}: "
                             + (why[-1] if why else f"exit status {result.returncode}"))
    return result.stdout


def _quote(text):
    """text inside a DOT double-quoted string."""
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _record_escape(text):
    """text as one field of a record label, its structure characters escaped."""
    out = []
    for ch in text:
        if ch in '\\"{}|<>':
            out.append("\\" + ch)
        elif ch == "\n":
            out.append("\\n")
        else:
            out.append(ch)
    return "".join(out)
