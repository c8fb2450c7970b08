"""Backpropagation walked node by node, as the micrograd lecture works it by hand: start with
dL/dL = 1 at the output, then visit every node in reverse topological order (each node after
every node that uses it, so its gradient is complete when it is reached) and pass the
gradient down: each operand receives (the node's gradient) × (the op's local derivative), and
adds it to what it already holds.

    1. L = d*f = -8;  dL/dL = 1 to start
         into d:  dL/dd = d(u*v)/du = v = f = -2  adds 1 × (-2) = -2  d.grad = -2

The local derivatives come from the op registry (`Op.formulas` as text, `Op.derivative` as
numbers), so the walk is the engine's own backward pass, written out. It reads no `.grad`
field and changes none: the gradients it reaches are checked against the engine's `grad`.
A `Walk` holds every step, for the whole text (`backward`) or one step at a time (a front
end's stepper); `chain_table` (render/textbook.py) is the same walk as the lecture's table.
"""

from __future__ import annotations

from collections import namedtuple

from ..engine import Value, grad, topological_order
from ..errors import MicrocalcError
from .defaults import BACKWARD_STEPS
from .formulas import expression, local_derivative, op_of, substitute, worked_rule
from .labels import WorkedNames, namer, wrapped
from .picture import Picture, table
from .style import factor, glyphs, number

TYPE_CHECKING = False      # typing is not imported when microcalc runs
if TYPE_CHECKING:
    from typing import Any, Callable, Mapping, Optional, Union
    from .picture import Picture
    Names = Union[Mapping[Value, str], Callable[[Value], Optional[str]], None]

MAX_DEFINITIONS = 24

# What one node passes to one operand: the operand's place (index), the local derivative
# d(node)/d(operand) and its rule worked out, the contribution (node's gradient × local),
# and the operand's running total before and after it.
Contribution = namedtuple("Contribution", "operand index local rule adds before total")

# One node of the walk: its gradient when reached (complete, since every node that uses it
# came before) and what it passes to each operand, in operand order.
Step = namedtuple("Step", "node gradient contributions")


class Walk:
    """The backward pass of output's graph, one step per node, reverse topological order."""

    def __init__(self, output: Value, names: Names = None, ascii: bool = False,
                 color: bool = False) -> None:
        if not isinstance(output, Value):
            raise MicrocalcError(f"backward walks a Value's graph, not {type(output).__name__}")
        self.output = output
        self.g = glyphs(ascii)
        self.color = color
        order = topological_order(output)
        self.order = order[::-1]
        self.names = WorkedNames(output, order, namer(names))
        self.steps = self._walk()
        self.gradients = {step.node: step.gradient for step in self.steps}
        expected = grad(output, order)
        self.agrees = all(self.gradients[v] == g for v, g in zip(order, expected))

    def _walk(self):
        totals = {self.output: 1.0}
        steps = []
        text = self.names.text
        for node in self.order:
            gradient = totals[node]
            contributions = []
            operand_texts = [text(c) for c in node.operands]
            for i, child in enumerate(node.operands):
                local = local_derivative(node, i)
                adds = gradient * local
                before = totals.get(child)
                total = adds if before is None else before + adds
                totals[child] = total
                contributions.append(Contribution(child, i, local,
                                                  worked_rule(node, i, operand_texts, local),
                                                  adds, before, total))
            steps.append(Step(node, gradient, contributions))
        return steps

    def __len__(self):
        return len(self.steps)

    def totals_after(self, k: int) -> Any:
        """Every gradient as it stands once step k (from 0) is done: the running totals;
        a node nothing has reached yet is missing."""
        totals = {self.output: 1.0}
        for step in self.steps[:k + 1]:
            for c in step.contributions:
                totals[c.operand] = c.total
        return totals

    # -- text ------------------------------------------------------------------------------

    def heading(self) -> str:
        out = self.names.text(self.output)
        count = len(self.steps)
        return (f"backward {out}: the chain rule node by node, from {out} down to its inputs "
                f"({count} {'step' if count == 1 else 'steps'})")

    def step_lines(self, k: int) -> list[str]:
        """The lines of step k (from 0): the node, the gradient it has, what each operand
        receives and the operand's running total."""
        step = self.steps[k]
        node, text, g = step.node, self.names.text, self.g
        out = text(self.output)
        value = number(node.data)
        if node is self.output:
            said = f"d{out}/d{out} = 1 to start"
        else:
            said = f"d{out}/d{text(node)} = {number(step.gradient)} from above"
        if node.is_input:
            what = (f"{text(node)} = {value}, an input" if self.names.given[node] else
                    f"the constant {value}")
            return [f"{k + 1}. {what};  {said}" + ("" if node is self.output else ", final")]
        definition = substitute(expression(op_of(node)), [text(c) for c in node.operands])
        lines = [f"{k + 1}. {text(node)} = {definition} = {value};  {said}"]
        rows = []
        for c in step.contributions:
            operand = text(c.operand)
            edge = f"d{text(node)}/d{operand}"
            if len(node.operands) == 2 and node.operands[0] is node.operands[1]:
                edge += f" [{'uv'[c.index]}]"      # a*a: two edges between the same nodes
            adds = (f"{factor(step.gradient, True)} {g.times} {factor(c.local)}"
                    f" = {number(c.adds)}")
            if c.before is None:
                total = f"{operand}.grad = {number(c.total)}"
            else:        # a node used more than once: its contributions add up
                total = (f"{operand}.grad = {number(c.before)} + {factor(c.adds)} = "
                         f"{number(c.total)}")
            rows.append([(f"     into {operand}:", "name"), (f"{edge} = {c.rule}", "value"),
                         ("adds " + adds, "value"), (total, "grad")])
        return lines + table(rows, "<<<<", self.color)

    def where(self) -> Any:
        """Definitions of the names given to unnamed operations (t1 = x1*w1)."""
        return self.names.where(MAX_DEFINITIONS, self.g.ellipsis)

    def summary_lines(self, limit: Optional[int] = None) -> list[str]:
        """The end of the walk: every gradient reached, and whether they equal grad(L)."""
        out = self.names.text(self.output)
        text = self.names.text
        shown = self.steps if limit is None else self.steps[:limit]
        pairs = [f"{text(step.node)} {number(step.gradient)}" for step in shown]
        if len(shown) < len(self.steps):
            pairs.append(f"{self.g.ellipsis} {len(self.steps) - len(shown):,} more")
        verdict = (f"every gradient now equals grad({out}):" if self.agrees else
                   f"these gradients differ from grad({out}), which is a bug in microcalc:")
        return [verdict] + wrapped("  ", pairs)

    def to_data(self, limit: Optional[int] = None) -> dict[str, Any]:
        text = self.names.text
        steps = []
        for k, step in enumerate(self.steps[:limit]):
            steps.append({
                "step": k + 1, "node": text(step.node), "value": step.node.data,
                "op": step.node.op.name if step.node.op else None,
                "gradient": step.gradient,
                "into": [{"operand": text(c.operand), "local": c.local, "rule": c.rule,
                          "adds": c.adds, "before": c.before, "total": c.total}
                         for c in step.contributions]})
        return {"output": text(self.output), "steps": steps, "total_steps": len(self.steps),
                "gradients": [[text(s.node), s.gradient] for s in self.steps[:limit]],
                "agrees_with_grad": self.agrees}


def backward(output: Value, names: Names = None, ascii: bool = False, color: bool = False,
             steps: int = BACKWARD_STEPS) -> Picture:
    """The whole walk as text: a heading, every step (at most `steps` of them) and the
    gradients it ends with. Returns a `Picture` whose .data holds the steps."""
    walk = Walk(output, names, ascii, color)
    shown = min(steps, len(walk))
    body = []
    for k in range(shown):
        body += walk.step_lines(k)
    if shown < len(walk):
        body.append(f"{walk.g.ellipsis} {len(walk) - shown:,} more steps not shown "
                    f"(raise with steps=N)")
    lines = [walk.heading()] + walk.where() + [""] + body + [""] + walk.summary_lines(shown)
    return Picture("\n".join(lines), walk.to_data(shown))
