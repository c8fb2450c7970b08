"""What a node is called in a picture: its variable name, its op, or its number; and the
names a worked example gives every node of a graph (t1, t2, ... for unnamed operations)."""

from collections.abc import Mapping

from .formulas import expression, op_of, substitute
from .style import number


def namer(names):
    """names (a callable Value -> name or None, a mapping, or None) as one lookup that also
    falls back on a node's own `.label` (set by Python API users, as in micrograd)."""
    if names is None:
        lookup = None
    elif isinstance(names, Mapping):
        lookup = names.get
    elif callable(names):
        lookup = names
    else:
        raise TypeError("names must be a mapping or a callable from Value to name")

    def name_of(value):
        name = lookup(value) if lookup is not None else None
        return name or value.label or None

    return name_of


def op_text(value):
    """The op that made value as it is written: "*", "tanh", a home-made node's own `_op`;
    "" for an input."""
    return str(value.op) if value.op else value.op_label


def node_text(value, name_of):
    """A node's short name: its variable name, else its op, else (an unnamed input) its number."""
    return name_of(value) or op_text(value) or number(value.data)


class WorkedNames:
    """What each node of one output's graph is called when the chain rule is worked by hand:
    its own name; the output, when it has none, `out`; an unnamed operation t1, t2, ... in
    the order it is first mentioned (so the names stay small and a node keeps its name); an
    unnamed input (a constant) its number. `where()` defines the generated names mentioned
    since `forget_mentions()`, one operation each: t1 = x1*w1."""

    def __init__(self, output, order, name_of):
        self.given = {v: name_of(v) for v in order}
        self.names = dict(self.given)
        used = set(self.names.values())
        if self.names[output] is None:
            self.names[output] = "out" if "out" not in used else None
        self._fresh = (f"t{k}" for k in range(1, len(order) + 2) if f"t{k}" not in used)
        self._generated = set()
        self.mentioned = {}     # generated names used since forget_mentions()

    def __contains__(self, v):
        return v in self.names

    def text(self, v):
        """A node's name (given or generated), or for an unnamed input its number."""
        name = self.names[v]
        if name is None:
            if v.is_input:
                return number(v.data)
            name = self.names[v] = next(self._fresh)
            self._generated.add(v)
        if v in self._generated:
            self.mentioned.setdefault(v, name)
        return name

    def forget_mentions(self):
        self.mentioned = {}

    def where(self, limit, ellipsis, lead="  where "):
        """Definitions of the generated names mentioned, wrapped under lead; defining one can
        mention another (t1 = t2+t3), which is then defined too, up to limit of them."""
        definitions = []
        k = 0
        while k < len(self.mentioned) and k < limit:
            v = list(self.mentioned)[k]
            operands = [self.text(c) for c in v.operands]
            definitions.append(f"{self.names[v]} = {substitute(expression(op_of(v)), operands)}")
            k += 1
        if len(self.mentioned) > k:
            definitions.append(ellipsis)
        return wrapped(lead, definitions)


def wrapped(lead, parts, width=88):
    """parts joined by ", " after lead, in lines of at most width columns."""
    if not parts:
        return []
    lines, line = [], lead
    for k, part in enumerate(parts):
        piece = part + ("," if k < len(parts) - 1 else "")
        if line.strip() and len(line) + len(piece) + 1 > width:
            lines.append(line.rstrip())
            line = " " * len(lead)
        line += piece + " "
    lines.append(line.rstrip())
    return lines
