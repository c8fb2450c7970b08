"""The chain rule written out for one gradient: every path from the output down to an input,
the local derivative on each edge with its formula, the product along each path, and the
sum over the paths; the table one works out by hand for L = (a*b + c)*f:

    dL/da = dL/dd · dd/de · de/da = -2 × 1 × (-3) = 6

Paths are counted before any is listed (one pass, children first), because their number can
be astronomical: 60 doublings x1 = x0 + x0, ... give 2**60. When there are more paths, or
more distinct edges on them, than fit on a screen, the explanation is summarised instead:
the number of paths, and the last step of reverse mode, where the gradient is the sum over
the edges into the input of (adjoint of the parent) × (local derivative).

Intermediate nodes without a variable name are given short names (t1, t2, ...) defined under
the heading, one operation each, so every edge can be written as d(parent)/d(child).
"""

from __future__ import annotations

from ..engine import Value, grad, topological_order
from ..errors import MicrocalcError
from .defaults import EXPLAIN_PATHS
from .formulas import local_derivative, op_of, rule, worked_rule
from .labels import WorkedNames, namer
from .picture import Picture, table
from .style import factor, glyphs, number

TYPE_CHECKING = False      # typing is not imported when microcalc runs
if TYPE_CHECKING:
    from typing import Any, Callable, Mapping, Optional, Sequence, Union
    from .picture import Picture
    Names = Union[Mapping[Value, str], Callable[[Value], Optional[str]], None]

MAX_PATHS = EXPLAIN_PATHS
MAX_EDGES = 30
MAX_SUMMARY_ROWS = 20
MAX_DEFINITIONS = 24


def explain(output: Value, wrt: Union[Value, Sequence[Value]], names: Names = None,
            ascii: bool = False, color: bool = False, paths: int = MAX_PATHS) -> Picture:
    """The chain rule for d(output)/d(x), for x in wrt (a Value or a list of Values).

    Lists every path when there are at most `paths` of them (and at most 30 distinct edges);
    otherwise summarises. Returns a `Picture` whose .data holds edges, paths and gradients.
    """
    targets = [wrt] if isinstance(wrt, Value) else list(wrt)
    if not targets:
        raise MicrocalcError("explain needs the input to differentiate by: explain grad(L, a)")
    for x in targets:
        if not isinstance(x, Value):
            raise MicrocalcError("explain differentiates by a variable (a Value), "
                                 f"not {type(x).__name__}")
    context = _Context(output, namer(names), glyphs(ascii), color)
    parts, data = [], []
    for target in targets:
        text, item = context.explain_one(target, paths)
        parts.append(text)
        data.append(item)
    return Picture("\n\n".join(parts), data if len(data) > 1 else data[0])


class _Context:
    """One output's graph, its adjoints and its node names, shared by several targets."""

    def __init__(self, output, name_of, g, color):
        self.output = output
        self.g = g
        self.color = color
        self.order = topological_order(output)
        self.adjoints = dict(zip(self.order, grad(output, self.order)))
        self.name_of = name_of
        self.names = WorkedNames(output, self.order, name_of)
        self.text = self.names.text

    def derivative(self, parent, child):
        return f"d{self.text(parent)}/d{self.text(child)}"

    def local(self, parent, index):
        """The partial derivative of parent by its operand number index, at current values."""
        return local_derivative(parent, index)

    def edge_label(self, parent, index):
        child = parent.operands[index]
        label = self.derivative(parent, child)
        if len(parent.operands) == 2 and parent.operands[0] is parent.operands[1]:
            label += f" [{'uv'[index]}]"    # a*a: two edges between the same nodes
        return label

    def explain_one(self, target, max_paths):
        self.names.forget_mentions()
        out = self.text(self.output)
        wanted = f"d{out}/d{self.text(target)}" if target in self.names else None
        if target not in self.names:
            name = self.name_of(target)
            said = f"d{out}/d{name} = 0" if name else "its gradient is 0"
            return (f"{out} does not depend on {name or 'this input'}: {said}",
                    {"output": out, "wrt": name, "paths": 0, "gradient": 0.0})
        gradient = self.adjoints[target]
        if target is self.output:
            return (f"{wanted} = 1: the output itself",
                    {"output": out, "wrt": out, "paths": 1, "gradient": 1.0})
        counts = self._count_paths(target)
        total = counts[self.output]
        edges = self._edges_on_paths(counts)
        if total <= max_paths and len(edges) <= MAX_EDGES:
            return self._enumerate(target, counts, wanted, gradient)
        return self._summarise(target, total, len(edges), counts, wanted, gradient)

    def _count_paths(self, target):
        """paths[v]: how many paths lead from v down to target (each operand slot an edge)."""
        counts = {}
        for v in self.order:
            if v is target:
                counts[v] = 1
            else:
                counts[v] = sum(counts[c] for c in v.operands)
        return counts

    def _edges_on_paths(self, counts):
        """Every (parent, operand index) edge lying on some path, from the output down."""
        return [(v, i) for v in reversed(self.order) if counts[v]
                for i, c in enumerate(v.operands) if counts[c]]

    def _where(self):
        return self.names.where(MAX_DEFINITIONS, self.g.ellipsis)

    def _enumerate(self, target, counts, wanted, gradient):
        g = self.g
        paths = []
        stack = [(self.output, [])]          # node, edges taken so far
        while stack:
            node, taken = stack.pop()
            if node is target:
                paths.append(taken)
                continue
            for i in reversed(range(len(node.operands))):
                child = node.operands[i]
                if counts[child]:
                    stack.append((child, taken + [(node, i)]))

        edges = list(dict.fromkeys(edge for path in paths for edge in path))
        locals_ = {edge: self.local(*edge) for edge in edges}
        noun = "path" if len(paths) == 1 else "paths"
        lines = [f"{wanted} by the chain rule: {len(paths)} {noun} from "
                 f"{self.text(self.output)} down to {self.text(target)}"]
        lines += ["", "local derivatives"]
        rows = []
        edge_data = []
        for parent, i in edges:
            generic, formula = rule(op_of(parent), i)
            steps = worked_rule(parent, i, [self.text(c) for c in parent.operands],
                           locals_[(parent, i)])
            rows.append([("  " + self.edge_label(parent, i), "name"),
                         ("= " + steps, "value")])
            edge_data.append({"from": self.text(parent), "to": self.text(parent.operands[i]),
                              "operand": i, "rule": f"{generic} = {formula}",
                              "value": locals_[(parent, i)]})
        lines += table(rows, "<<", self.color, gap=" ")

        lines += ["", "paths" if len(paths) > 1 else "path"]
        rows = []
        path_data = []
        products = []
        for k, path in enumerate(paths, 1):
            nodes = [self.output] + [parent.operands[i] for parent, i in path]
            factors = [locals_[edge] for edge in path]
            product = 1.0
            for f in factors:
                product *= f
            products.append(product)
            chain = f" {g.dot} ".join(self.edge_label(*edge) for edge in path)
            worked = _product_text(factors, g)
            if len(factors) > 1:
                worked += f" = {number(product)}"
            rows.append([(f"  {k}" if len(paths) > 1 else "", "muted"),
                         (f" {g.arrow} ".join(self.text(v) for v in nodes), "name"),
                         (f"{chain} = {worked}", "value")])
            path_data.append({"nodes": [self.text(v) for v in nodes], "product": product})
        if len(paths) == 1:
            rows = [[("  " + row[1][0], "name"), row[2]] for row in rows]
            lines += table(rows, "<<", self.color, gap="    ")
        else:
            lines += table(rows, "><<", self.color)

        lines.append("")
        if len(paths) == 1:
            lines.append(f"{wanted} = {number(gradient)}")
        else:
            lines.append(f"sum over the {len(paths)} paths: {wanted} = "
                         f"{_sum_text(products)} = {number(gradient)}")
        lines[1:1] = self._where()
        data = {"output": self.text(self.output), "wrt": self.text(target),
                "paths": len(paths), "edges": edge_data, "path_list": path_data,
                "gradient": gradient}
        return "\n".join(lines), data

    def _summarise(self, target, total, edge_count, counts, wanted, gradient):
        g = self.g
        nodes_on_paths = sum(1 for v in self.order if counts[v])
        noun = "path" if total == 1 else "paths"
        out = self.text(self.output)
        lines = [f"{wanted} by the chain rule: {total:,} {noun} from {out} down to "
                 f"{self.text(target)},",
                 f"through {nodes_on_paths:,} nodes and {edge_count:,} edges: too many to list.",
                 "Reverse mode adds them up without listing them: the adjoint "
                 f"d{out}/dnode of a node",
                 f"is the sum over its parents of (parent's adjoint) {g.times} "
                 "(local derivative).",
                 f"The last step, into {self.text(target)}:"]
        into = [(v, i) for v in reversed(self.order) if counts[v]
                for i, c in enumerate(v.operands) if c is target]
        rows = [[("  edge", "muted"), ("local", "muted"),
                 (f"d{self.text(self.output)}/dparent", "muted"), ("contribution", "muted")]]
        edge_data = []
        for parent, i in into[:MAX_SUMMARY_ROWS]:
            local = self.local(parent, i)
            adjoint = self.adjoints[parent]
            generic, formula = rule(op_of(parent), i)
            rows.append([("  " + self.edge_label(parent, i), "name"),
                         (number(local), "value"), (number(adjoint), "grad"),
                         (number(adjoint * local), "value")])
            edge_data.append({"from": self.text(parent), "to": self.text(target), "operand": i,
                              "rule": f"{generic} = {formula}", "value": local,
                              "parent_adjoint": adjoint})
        lines += table(rows, "<>>>", self.color)
        if len(into) > MAX_SUMMARY_ROWS:
            lines.append(f"  {g.ellipsis} and {len(into) - MAX_SUMMARY_ROWS:,} more edges "
                         "into it, included in the sum")
        lines += ["", f"{wanted} = {number(gradient)}  (the sum of the contributions)"]
        lines[5:5] = self._where()
        data = {"output": self.text(self.output), "wrt": self.text(target), "paths": total,
                "summarised": True, "edges": edge_data, "edges_into": len(into),
                "gradient": gradient}
        return "\n".join(lines), data


def _product_text(factors, g):
    return f" {g.times} ".join(factor(f, i == 0) for i, f in enumerate(factors))


def _sum_text(terms):
    return " + ".join(factor(t, i == 0) for i, t in enumerate(terms))
