"""A graph as Graphviz DOT text, drawn as micrograd's draw_dot draws it: one box per value
(name | value | gradient) and one small circle per operation, inputs on the left.

Gradients are d(output)/d(node) from the engine's functional `grad`, so a graph drawn before
any backward pass shows real gradients. Writing .svg or .png runs Graphviz's `dot` program
when it is installed; the DOT text itself needs nothing.
"""

import os
import shutil
import subprocess
from collections import deque

from ..engine import Value, grad, topological_order
from ..errors import MicrocalcError
from .defaults import DOT_NODES
from .labels import namer, op_text
from .picture import Picture
from .style import number

DEFAULT_NODES = DOT_NODES
IMAGE_FORMATS = ("svg", "png", "pdf")
TEXT_SUFFIXES = (".dot", ".gv")
GRAPHVIZ_HELP = ("install Graphviz to get the `dot` program (Debian/Ubuntu: apt install "
                 "graphviz; macOS: brew install graphviz; others: https://graphviz.org/download/), "
                 "or write a .dot file and convert it elsewhere")


def dot(value, names=None, nodes=DEFAULT_NODES):
    """value's graph as DOT text (a `Picture` whose .data holds its nodes and edges, and the
    number of nodes in the whole graph).

    At most `nodes` values are drawn: those nearest the output, breadth first. Beyond a few
    hundred a picture is unreadable and Graphviz takes minutes to lay it out. An operation
    whose operands were left out gets a `...` in their place, and the graph is labelled
    with what is missing.
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
    ids = {node: i for i, (node, _) in enumerate(drawn)}
    lines = ["digraph microcalc {",
             "  rankdir=LR;",
             "  ordering=in;",          # operands keep their order: a - b is not b - a
             '  node [fontname="monospace"];']
    if len(drawn) < len(order):
        lines.append(f'  label="{len(drawn):,} of {len(order):,} nodes drawn, those nearest '
                     f'{_quote(name_of(value) or "the output")}"; labelloc=t;')
    nodes, edges = [], []
    for node, gradient in drawn:
        i = ids[node]
        name = name_of(node) or ""
        shown_grad = "?" if gradient is None else number(gradient)
        fields = [_record_escape(name)] if name else []
        fields += [_record_escape(f"value {number(node.data)}"),
                   _record_escape(f"grad {shown_grad}")]
        lines.append(f'  v{i} [shape=record, label="{{ {" | ".join(fields)} }}"];')
        nodes.append({"id": i, "name": name or None, "op": op_text(node) or None,
                      "value": node.data, "grad": gradient})
        if not node.is_input:
            lines.append(f'  v{i}_op [shape=circle, label="{_quote(op_text(node))}"];')
            lines.append(f"  v{i}_op -> v{i};")
            for child in node.operands:
                if child in ids:
                    lines.append(f"  v{ids[child]} -> v{i}_op;")
                    edges.append([ids[child], i])
            if any(child not in ids for child in node.operands):
                lines.append(f'  v{i}_more [shape=plaintext, label="..."];')
                lines.append(f"  v{i}_more -> v{i}_op;")
    lines.append("}")
    return Picture("\n".join(lines), {"nodes": nodes, "edges": edges, "root": ids[value],
                                      "total": len(order)})


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


def write_dot(value, path, names=None, nodes=DEFAULT_NODES):
    """Write value's graph to path: DOT text for .dot/.gv, an image for .svg/.png/.pdf
    (through Graphviz's `dot` program). At most `nodes` values are drawn, as in dot().
    Returns the path written."""
    text = dot(value, names, nodes)
    suffix = os.path.splitext(path)[1].lower()
    if suffix in TEXT_SUFFIXES:
        try:
            with open(path, "w", encoding="utf-8") as f:
                f.write(text + "\n")
        except OSError as exc:
            raise MicrocalcError(f"cannot write {path}: {exc.strerror}") from None
        return path
    image_format = suffix[1:]
    if image_format not in IMAGE_FORMATS:
        known = ", ".join(TEXT_SUFFIXES + tuple("." + f for f in IMAGE_FORMATS))
        raise MicrocalcError(f"cannot tell what to write from {path!r}: use one of {known}")
    program = shutil.which("dot")
    if program is None:
        raise MicrocalcError(f"writing {path} needs Graphviz: {GRAPHVIZ_HELP}")
    try:
        # A list argv, never a shell. The path is joined to -o: as an argument of its own, a
        # name such as "-c.svg" would be read as another of dot's options. nslimit bounds
        # the layout's network simplex, which otherwise takes minutes on a few hundred nodes
        # that share one input; smaller graphs come out the same.
        result = subprocess.run([program, f"-T{image_format}", "-Gnslimit=1", "-Gnslimit1=1",
                                 f"-o{path}"], input=text,
                                capture_output=True, text=True, timeout=120)
    except (OSError, subprocess.SubprocessError) as exc:
        raise MicrocalcError(f"Graphviz's dot failed: {exc}") from None
    if result.returncode != 0:
        why = result.stderr.strip().splitlines()
        raise MicrocalcError(f"Graphviz's dot could not write {path}: "
                             + (why[-1] if why else f"exit status {result.returncode}"))
    return path


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
