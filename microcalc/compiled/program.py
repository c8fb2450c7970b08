"""Flatten a Value graph into a program that can be replayed without building Values.

A program is a list of slots: the leaves first, then every computed node. Computed nodes
are ordered by level (a node's level is one more than its deepest operand's), and within
a level grouped by op, so that a back end can compute a whole group in one sweep: every
operand of a group was computed at a lower level. Each group names its op from the
engine's `OPS` and holds, per operand position, the slots its nodes read.

Chains of `+` and `-` (a neuron's weighted sum, a loss summed over a batch, the L2 term)
become one n-ary "sum" node, which cuts the graph's depth: micrograd's demo is 341 nodes
deep because of them. A term of a sum that is a product used nowhere else (`w * x` in a
neuron) stays inside the sum as a product of two slots, so a neuron is one node. A sum
adds its terms left to right, exactly as the chain did, and each product is the same
rounded `*`, so the replay computes the same floats as the eager engine.
"""

import gc
from collections import Counter
from itertools import repeat
from operator import attrgetter, is_not

from ..engine import OPS, Op, topological_order
from ..errors import MicrocalcError

__all__ = ["SUM", "Group", "FlatGraph", "flatten", "graph_depth"]

SUM = "sum"     # the program's own n-ary op; every other op name is a key of OPS

_ADD, _SUB, _MUL = OPS["add"], OPS["sub"], OPS["mul"]
_PLAIN, _PRODUCT = "s", "p"       # a sum's term: one slot, or the product of two


class Group:
    """Nodes of one level that apply the same op: slots start..stop-1 of the program.

    operands[k] lists, node by node, the slot of the k-th operand. For a SUM group every
    node has the same number of terms (arity) of the same kinds: operands[k] is the k-th
    term of every node, or for a product term (partners[k] not None) its first factor and
    partners[k] its second; signs[k] is the term's sign (+1.0 or -1.0) per node, or signs
    is None when all are +1.
    """

    __slots__ = ("op", "level", "start", "stop", "operands", "partners", "signs")

    def __init__(self, op, level, start, stop, operands, partners=None, signs=None):
        self.op = op
        self.level = level
        self.start = start
        self.stop = stop
        self.operands = operands
        self.partners = partners
        self.signs = signs

    @property
    def arity(self):
        return len(self.operands)

    def __len__(self):
        return self.stop - self.start

    def __repr__(self):
        return (f"<group {self.op}/{self.arity} level {self.level}: "
                f"slots {self.start}..{self.stop - 1}>")


class FlatGraph:
    """The flat program of one output Value.

    nodes[slot] is the Value behind each slot (leaves are slots 0..n_leaves-1); groups
    cover the computed slots in order; output is the output's slot. folded lists, in the
    engine's topological order, the nodes absorbed into a sum (the `+`/`-` of its chain
    and its products), which are not slots themselves: folded_into[i] is the slot of the
    sum each belongs to and folded_sign[i] that sum's partial with respect to it. topo is
    the engine's topological order of the whole graph and rank[slot] each slot's place in
    it: errors are reported at the node where the eager engine would have met them first.
    """

    def __init__(self, output_value, topo, nodes, n_leaves, slot, groups):
        self.output_value = output_value
        self.topo = topo
        self.nodes = nodes
        self.n_leaves = n_leaves
        self.groups = groups
        self.slot = slot                # node -> its slot
        self.output = slot[output_value]
        self.depth = 1 + (groups[-1].level if groups else 0)
        self._depth_before = None
        self._rank = None
        self._folded = None

    @property
    def rank(self):
        """Each slot's place in the engine's topological order (made when first asked for,
        by an error report)."""
        if self._rank is None:
            place = {v: i for i, v in enumerate(self.topo)}
            self._rank = [place[v] for v in self.nodes]
        return self._rank

    def _folded_lists(self):
        """(nodes, sums' slots, partials) of the folded nodes, in topological order: the
        `+`/`-` on each sum's left spine (partial +1) and its products (partial its sign)."""
        if self._folded is None:
            slot = self.slot
            rows = []
            for group in self.groups:
                if group.op != SUM:
                    continue
                for top in range(group.start, group.stop):
                    node = self.nodes[top]
                    while True:
                        a, b = node._a, node._b
                        if b not in slot:                       # a product term
                            rows.append((b, top, 1.0 if node.op is _ADD else -1.0))
                        if a in slot:
                            break
                        rows.append((a, top, 1.0))    # a product, or the next + or -
                        if a.op is _MUL:
                            break
                        node = a
            place = {v: i for i, v in enumerate(self.topo)}
            rows.sort(key=lambda row: place[row[0]])
            self._folded = tuple([row[k] for row in rows] for k in range(3))
        return self._folded

    folded = property(lambda self: self._folded_lists()[0])
    folded_into = property(lambda self: self._folded_lists()[1])
    folded_sign = property(lambda self: self._folded_lists()[2])

    @property
    def n_folded(self):
        return len(self.topo) - len(self.nodes)

    @property
    def depth_before(self):
        """The graph's depth before sums were folded (computed when first asked for)."""
        if self._depth_before is None:
            self._depth_before = graph_depth(self.output_value, self.topo)
        return self._depth_before

    @property
    def leaves(self):
        return self.nodes[:self.n_leaves]

    def stats(self):
        """Sizes and depths, before and after folding the sums, for reports and benchmarks."""
        return {"nodes": len(self.topo), "slots": len(self.nodes), "leaves": self.n_leaves,
                "folded": self.n_folded, "groups": len(self.groups),
                "depth_before": self.depth_before, "depth": self.depth}


def graph_depth(output, topo=None):
    """The number of nodes on the longest path from a leaf to output (a lone leaf: 1)."""
    depth = {}
    for v in topo if topo is not None else topological_order(output):
        a, b = v._a, v._b
        if a is None:
            depth[v] = 1
        elif b is None:
            depth[v] = depth[a] + 1
        else:
            depth[v] = max(depth[a], depth[b]) + 1
    return depth[output]


def flatten(output, keep=()):
    """The FlatGraph of output: leaves, then computed nodes by level and op.

    Nodes in keep stay slots of their own, never folded into a sum, so that their values
    can be read after a replay (a network's outputs, for its accuracy)."""
    # Flattening makes tens of thousands of small tuples and lists and no reference
    # cycles; left on, the cyclic collector would walk the whole graph again and again
    # while they are made (a third of the time on micrograd's demo).
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _flatten(output, set(keep))
    finally:
        if collecting:
            gc.enable()


_operand_a = attrgetter("_a")
_operand_b = attrgetter("_b")


def _refuse(v):
    label = getattr(v, "_op", None)
    raise MicrocalcError(
        f"cannot compile this graph: it has a node made by hand ({v!r}"
        + (f", op {label!r}" if label else "") + "), with operands but no operation of "
        "microcalc's op table (as micrograd makes one, with its own _backward); a compiled "
        "program can replay only the ops of microcalc.engine.OPS")


# A chain of `+`/`-` being gathered while the graph is walked: a list, for speed, of
_LEVEL, _FIRSTS, _SECONDS, _SIGNS = range(4)
# its terms' deepest level and, per term, the term itself or a product's first factor,
# None or a product's second factor, and the term's sign.


def _flatten(output, keep):
    topo = topological_order(output)
    uses = Counter(map(_operand_a, topo))
    uses.update(map(_operand_b, topo))
    for v in keep:
        uses[v] += 2              # a kept node is never folded: never "used once"

    ADD, SUB, MUL = _ADD, _SUB, _MUL
    level = {}
    leaves = []
    others = []             # (node, key, operands) of nodes that are neither + - nor *
    products = {}           # * node -> its level, until a sum absorbs it
    chains = {}             # the top + or - of a chain -> its chain, until a longer one takes it
    take_chain, take_product = chains.pop, products.pop
    for v in topo:
        a = v._a
        if a is None:
            leaves.append(v)
            level[v] = 0
            continue
        op = v.op
        b = v._b
        if op is ADD or op is SUB:
            # Extend a's chain if a is a + or - used only here, else start one with a.
            if uses[a] == 1:
                chain = take_chain(a, None)
                if chain is None:
                    deepest = take_product(a, None)
                    if deepest is None:
                        chain = [level[a], [a], [None], [1.0]]
                    else:
                        chain = [deepest - 1, [a._a], [a._b], [1.0]]
            else:
                chain = [level[a], [a], [None], [1.0]]
            deepest = take_product(b, None) if uses[b] == 1 else None
            if deepest is None:
                chain[1].append(b)
                chain[2].append(None)
                deepest = level[b]
            else:
                chain[1].append(b._a)
                chain[2].append(b._b)
                deepest -= 1
            chain[3].append(1.0 if op is ADD else -1.0)
            if deepest > chain[0]:
                chain[0] = deepest
            chains[v] = chain
            level[v] = chain[0] + 1
            continue
        if op.__class__ is not Op:
            _refuse(v)
        if b is None:
            lvl = level[a] + 1
            others.append((v, (lvl, op.name, 1), (a,)))
        else:
            lvl = level[a]
            if level[b] > lvl:
                lvl = level[b]
            lvl += 1
            if op is MUL:
                products[v] = lvl
            else:
                others.append((v, (lvl, op.name, 2), (a, b)))
        level[v] = lvl
    return _lay_out(output, topo, leaves, others, products, chains)


def _lay_out(output, topo, leaves, others, products, chains):
    """Number the slots group by group and write every operand as a slot."""
    groups_of = {}          # (level, op, arity or which terms are products) -> rows
    for row in others:
        rows = groups_of.get(row[1])
        if rows is None:
            groups_of[row[1]] = rows = []
        rows.append(row)
    for v, lvl in products.items():
        key = (lvl, "mul", 2)
        rows = groups_of.get(key)
        if rows is None:
            groups_of[key] = rows = []
        rows.append((v, key, (v._a, v._b)))
    for v, chain in chains.items():
        key = (chain[_LEVEL] + 1, SUM, tuple(map(is_not, chain[_SECONDS], repeat(None))))
        rows = groups_of.get(key)
        if rows is None:
            groups_of[key] = rows = []
        rows.append((v, key, chain))

    keys = sorted(groups_of)
    nodes = list(leaves)
    for key in keys:
        nodes.extend([row[0] for row in groups_of[key]])
    slot = {v: i for i, v in enumerate(nodes)}
    get = slot.__getitem__

    groups = []
    start = len(leaves)
    for key in keys:
        rows = groups_of[key]
        stop = start + len(rows)
        if key[1] == SUM:
            chains_ = [row[2] for row in rows]
            firsts = zip(*[c[_FIRSTS] for c in chains_])
            operands = [list(map(get, column)) for column in firsts]
            partners = [list(map(get, column)) if is_product else None
                        for column, is_product in zip(zip(*[c[_SECONDS] for c in chains_]),
                                                      key[2])]
            signs = None
            if any(-1.0 in c[_SIGNS] for c in chains_):
                signs = [list(column) for column in zip(*[c[_SIGNS] for c in chains_])]
            groups.append(Group(SUM, key[0], start, stop, operands, partners, signs))
        else:
            operands = [list(map(get, column)) for column in zip(*[row[2] for row in rows])]
            groups.append(Group(key[1], key[0], start, stop, operands))
        start = stop
    return FlatGraph(output, topo, nodes, len(leaves), slot, groups)


class _Marker:
    """A stand-in operand that supports no arithmetic: what a rule returns for it shows
    whether a partial is a constant, an operand itself or the result itself."""

    __slots__ = ()


def partial_forms(op):
    """What op's derivative rule gives, operand by operand, found by calling the rule on
    markers: ("constant", c) for a number that does not depend on the operands (add: 1),
    ("operand", k) when it is the k-th operand itself (mul: d(a*b)/da is b), ("result",)
    when it is the op's result (exp), and None when it must be computed node by node.
    Back ends use the forms to skip calling the rule per node; the numbers are the rule's."""
    operands = tuple(_Marker() for _ in range(op.arity))
    result = _Marker()
    try:
        partials = op.derivative(*operands, result)
    except (TypeError, ArithmeticError, ValueError):
        return (None,) * op.arity
    forms = []
    for d in partials:
        if d.__class__ is float:
            forms.append(("constant", d))
        elif d is result:
            forms.append(("result",))
        elif any(d is x for x in operands):
            forms.append(("operand", next(k for k, x in enumerate(operands) if d is x)))
        else:
            forms.append(None)
    return tuple(forms)
