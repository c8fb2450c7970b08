"""Flatten a Value graph into a program that can be replayed without building Values.

A program is a list of slots: the leaves first, then every computed node. Computed nodes
are ordered by level (a node's level is one more than its deepest operand's), and within
a level grouped by op, so that a back end can compute a whole group in one sweep: every
operand of a group was computed at a lower level. Each group names its op from the
engine's `OPS` and holds, per operand position, the slots its nodes read.

Chains of `+` and `-` (a neuron's weighted sum, a loss summed over a batch, the L2 term)
become one n-ary "sum" node, which cuts the graph's depth: micrograd's demo is 341 nodes
deep because of them. A sum adds its terms left to right, exactly as the chain did, so
the replay computes the same floats as the eager engine.
"""

import gc

from ..engine import OPS, topological_order

__all__ = ["SUM", "Group", "FlatGraph", "flatten", "graph_depth"]

SUM = "sum"     # the program's own n-ary op; every other op name is a key of OPS

_ADD, _SUB = OPS["add"], OPS["sub"]


class Group:
    """Nodes of one level that apply the same op: slots start..stop-1 of the program.

    operands[k] lists, node by node, the slot of the k-th operand. For a SUM group every
    node has the same number of terms (arity); operands[k] is then the k-th term of every
    node, and signs[k] its sign (+1.0 or -1.0) per node, or None when all are +1.
    """

    __slots__ = ("op", "level", "start", "stop", "operands", "signs")

    def __init__(self, op, level, start, stop, operands, signs=None):
        self.op = op
        self.level = level
        self.start = start
        self.stop = stop
        self.operands = operands
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
    engine's topological order, the `+`/`-` nodes absorbed into a sum, and folded_into the
    slot of the sum each belongs to (they are not slots themselves). topo is the engine's
    topological order of the whole graph and rank[slot] each slot's place in it: errors
    are reported at the node where the eager engine would have met them first.
    """

    def __init__(self, output_value, topo, nodes, n_leaves, output, groups, folded,
                 folded_into, rank):
        self.output_value = output_value
        self.topo = topo
        self.nodes = nodes
        self.n_leaves = n_leaves
        self.groups = groups
        self.folded = folded
        self.folded_into = folded_into
        self.rank = rank
        self.output = output
        self.depth = 1 + (groups[-1].level if groups else 0)
        self._depth_before = None

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
                "folded": len(self.folded), "groups": len(self.groups),
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


def _sum_terms(top, folded, folded_top):
    """The terms of the chain ending at top, left to right, with their signs; each folded
    node on the way is recorded in folded_top as belonging to top."""
    reversed_terms = []
    node = top
    while True:
        reversed_terms.append((node._b, 1.0 if node._op is _ADD else -1.0))
        if node._a not in folded:
            reversed_terms.append((node._a, 1.0))
            return reversed_terms[::-1]
        node = node._a
        folded_top[node] = top


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


def _flatten(output, keep):
    topo = topological_order(output)
    uses = {}
    sum_operands = []      # left operands that are `+`/`-` of a `+`/`-`
    for v in topo:
        a = v._a
        if a is None:
            continue
        uses[a] = uses.get(a, 0) + 1
        b = v._b
        if b is None:
            continue
        uses[b] = uses.get(b, 0) + 1
        if (v._op is _ADD or v._op is _SUB) and (a._op is _ADD or a._op is _SUB):
            sum_operands.append(a)

    # A `+`/`-` node whose only use is as the left operand of another `+`/`-` is folded
    # into it. Only the left operand: a left fold is what a chain of `+` computes, so the
    # sum stays exact; a right-nested a + (b + c) is added in its own order, as its own sum.
    folded = {a for a in sum_operands if uses[a] == 1 and a not in keep}
    folded_top = {}

    leaves, leaf_ranks, folded_in_order = [], [], []
    groups_of = {}         # (level, op, arity) -> rows (rank, value, operands, signs)
    level = {}
    for rank, v in enumerate(topo):
        a = v._a
        if a is None:
            leaves.append(v)
            leaf_ranks.append(rank)
            level[v] = 0
            continue
        if v in folded:
            folded_in_order.append(v)
            continue
        b = v._b
        signs = None
        if b is None:
            operands = (a,)
            lvl = level[a] + 1
            key = (lvl, v._op.name, 1)
        elif a in folded:
            terms = _sum_terms(v, folded, folded_top)
            operands = [t for t, _ in terms]
            signs = [s for _, s in terms]
            lvl = max([level[t] for t in operands]) + 1
            key = (lvl, SUM, len(operands))
        else:
            operands = (a, b)
            lvl = level[a]
            if level[b] > lvl:
                lvl = level[b]
            lvl += 1
            key = (lvl, v._op.name, 2)
        level[v] = lvl
        rows = groups_of.get(key)
        if rows is None:
            groups_of[key] = rows = []
        rows.append((rank, v, operands, signs))

    keys = sorted(groups_of)
    nodes = list(leaves)
    rank = list(leaf_ranks)
    for key in keys:
        for row in groups_of[key]:
            rank.append(row[0])
            nodes.append(row[1])
    slot = {v: i for i, v in enumerate(nodes)}

    groups = []
    start = len(leaves)
    for lvl, op, arity in keys:
        rows = groups_of[lvl, op, arity]
        operands = [[slot[row[2][k]] for row in rows] for k in range(arity)]
        signs = None
        if op == SUM and any(-1.0 in row[3] for row in rows):
            signs = [[row[3][k] for row in rows] for k in range(arity)]
        groups.append(Group(op, lvl, start, start + len(rows), operands, signs))
        start += len(rows)

    folded_into = [slot[folded_top[v]] for v in folded_in_order]

    return FlatGraph(output, topo, nodes, len(leaves), slot[output], groups, folded_in_order,
                     folded_into, rank)
