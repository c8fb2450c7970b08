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

    def __init__(self, output_value, topo, nodes, n_leaves, output, groups, absorbed, rank):
        self.output_value = output_value
        self.topo = topo
        self.nodes = nodes
        self.n_leaves = n_leaves
        self.groups = groups
        self.rank = rank
        self.output = output
        self.depth = 1 + (groups[-1].level if groups else 0)
        self._depth_before = None
        self._absorbed = absorbed       # (sum's slot, [(rank, node, partial)]) per sum
        self._folded = None

    def _folded_lists(self):
        """(nodes, sums' slots, partials) of the folded nodes, in topological order."""
        if self._folded is None:
            rows = sorted((r, node, partial, top) for top, folded in self._absorbed
                          for r, node, partial in folded)
            self._folded = ([row[1] for row in rows], [row[3] for row in rows],
                            [row[2] for row in rows])
        return self._folded

    folded = property(lambda self: self._folded_lists()[0])
    folded_into = property(lambda self: self._folded_lists()[1])
    folded_sign = property(lambda self: self._folded_lists()[2])

    @property
    def n_folded(self):
        return sum(len(folded) for _, folded in self._absorbed)

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
    raise MicrocalcError(
        f"cannot compile this graph: a node ({v!r}) has operands but no operation of "
        f"microcalc's own (op {getattr(v, '_op', None)!r}), like a micrograd node made by hand "
        f"with its own _backward; a compiled program replays only the ops in OPS")


# A chain of `+`/`-` being gathered while the graph is walked: a list, for speed, of
_LEVEL, _RANK, _FIRSTS, _SECONDS, _SIGNS, _FOLDED = range(6)
# its terms' deepest level, the rank of its top node, per term the term itself or a
# product's first factor, None or a product's second factor, the term's sign, and the
# (rank, node, partial) of every node absorbed into it.


def _flatten(output, keep):
    topo = topological_order(output)
    uses = Counter(map(_operand_a, topo))
    uses.update(map(_operand_b, topo))
    for v in keep:
        uses[v] += 2              # a kept node is never folded: never "used once"

    level = {}
    leaves, leaf_ranks = [], []
    others = []             # (rank, node, key, operands) of nodes that are neither + - nor *
    products = {}           # * node -> (rank, level), until a sum absorbs it
    chains = {}             # the top + or - of a chain -> its chain, until a longer one takes it
    take_chain, take_product = chains.pop, products.pop
    rank = -1
    for v in topo:
        rank += 1
        a = v._a
        if a is None:
            leaves.append(v)
            leaf_ranks.append(rank)
            level[v] = 0
            continue
        op = v.op
        b = v._b
        if op is _ADD or op is _SUB:
            # Extend a's chain if a is a + or - used only here, else start one with a.
            chain = take_chain(a, None) if uses[a] == 1 else None
            if chain is not None:
                chain[_FOLDED].append((chain[_RANK], a, 1.0))
            else:
                product = take_product(a, None) if uses[a] == 1 else None
                if product is None:
                    chain = [level[a], 0, [a], [None], [1.0], []]
                else:
                    chain = [product[1] - 1, 0, [a._a], [a._b], [1.0], [(product[0], a, 1.0)]]
            sign = 1.0 if op is _ADD else -1.0
            product = take_product(b, None) if uses[b] == 1 else None
            if product is None:
                chain[_FIRSTS].append(b)
                chain[_SECONDS].append(None)
                deepest = level[b]
            else:
                chain[_FIRSTS].append(b._a)
                chain[_SECONDS].append(b._b)
                chain[_FOLDED].append((product[0], b, sign))
                deepest = product[1] - 1
            chain[_SIGNS].append(sign)
            if deepest > chain[_LEVEL]:
                chain[_LEVEL] = deepest
            chain[_RANK] = rank
            chains[v] = chain
            level[v] = chain[_LEVEL] + 1
            continue
        if op.__class__ is not Op:
            _refuse(v)
        if b is None:
            lvl = level[a] + 1
            others.append((rank, v, (lvl, op.name, 1), (a,)))
        else:
            lvl = level[a]
            if level[b] > lvl:
                lvl = level[b]
            lvl += 1
            if op is _MUL:
                products[v] = (rank, lvl)
            else:
                others.append((rank, v, (lvl, op.name, 2), (a, b)))
        level[v] = lvl
    return _lay_out(output, topo, leaves, leaf_ranks, others, products, chains)


def _lay_out(output, topo, leaves, leaf_ranks, others, products, chains):
    """Number the slots group by group and write every operand as a slot."""
    groups_of = {}          # (level, op, arity or which terms are products) -> rows
    for row in others:
        rows = groups_of.get(row[2])
        if rows is None:
            groups_of[row[2]] = rows = []
        rows.append(row)
    for v, (rank, lvl) in products.items():
        key = (lvl, "mul", 2)
        rows = groups_of.get(key)
        if rows is None:
            groups_of[key] = rows = []
        rows.append((rank, v, key, (v._a, v._b)))
    for v, chain in chains.items():
        key = (chain[_LEVEL] + 1, SUM, tuple(map(is_not, chain[_SECONDS], repeat(None))))
        rows = groups_of.get(key)
        if rows is None:
            groups_of[key] = rows = []
        rows.append((chain[_RANK], v, key, chain))

    keys = sorted(groups_of)
    nodes = list(leaves)
    rank = list(leaf_ranks)
    for key in keys:
        for row in groups_of[key]:
            rank.append(row[0])
            nodes.append(row[1])
    slot = {v: i for i, v in enumerate(nodes)}
    get = slot.__getitem__

    groups = []
    start = len(leaves)
    for key in keys:
        rows = groups_of[key]
        stop = start + len(rows)
        if key[1] == SUM:
            chains_ = [row[3] for row in rows]
            operands, partners = [], []
            for k, is_product in enumerate(key[2]):
                operands.append(list(map(get, [c[_FIRSTS][k] for c in chains_])))
                partners.append(list(map(get, [c[_SECONDS][k] for c in chains_]))
                                if is_product else None)
            signs = None
            if any(-1.0 in c[_SIGNS] for c in chains_):
                signs = [[c[_SIGNS][k] for c in chains_] for k in range(len(key[2]))]
            groups.append(Group(SUM, key[0], start, stop, operands, partners, signs))
        else:
            operands = [list(map(get, [row[3][k] for row in rows])) for k in range(key[2])]
            groups.append(Group(key[1], key[0], start, stop, operands))
        start = stop
    absorbed = [(slot[v], chain[_FOLDED]) for v, chain in chains.items() if chain[_FOLDED]]
    return FlatGraph(output, topo, nodes, len(leaves), slot[output], groups, absorbed, rank)


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
