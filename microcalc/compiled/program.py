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

Compiling reads each node once, in the engine's topological order, into arrays (its
operands' places and its op's number in OPS); finding the chains, their terms, the levels
and the groups is numpy work on those arrays, so it costs little more than that one read.
"""

import gc
from itertools import count, repeat
from operator import attrgetter

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
        self._number_exponents = None

    @property
    def number_exponents(self):
        """The slots of the exponents of x ** number: constants that get no gradient (the
        engine differentiates pow by a number in its base only)."""
        if self._number_exponents is None:
            self._number_exponents = [
                group.operands[1][j] for group in self.groups if group.op == "pow"
                for j, node in enumerate(self.nodes[group.start:group.stop])
                if node._rule.by_number]
        return self._number_exponents

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
    # Flattening makes lists and dicts of tens of thousands of entries and no reference
    # cycles; left on, the cyclic collector would walk the whole graph again and again
    # while they are made.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _flatten(output, set(keep))
    finally:
        if collecting:
            gc.enable()


_operand_a = attrgetter("_a")
_operand_b = attrgetter("_b")
_op_of = attrgetter("op")
_MAX_LEVEL_ROUNDS = 64          # then levels are counted node by node


def _refuse(v):
    label = getattr(v, "_op", None)
    raise MicrocalcError(
        f"cannot compile this graph: it has a node made by hand ({v!r}"
        + (f", op {label!r}" if label else "") + "), with operands but no operation of "
        "microcalc's op table (as micrograd makes one, with its own _backward); a compiled "
        "program can replay only the ops of microcalc.engine.OPS")


def _flatten(output, keep):
    """Each node is read once, in the engine's topological order, into three arrays (its
    operands' places and its op); folding, levels and grouping are array work on those."""
    import numpy as np
    topo = topological_order(output)
    n = len(topo)
    ops = list(OPS.values())
    codes = {op: k for k, op in enumerate(ops)}         # an op's number in OPS
    place = dict(zip(topo, count()))
    A = np.fromiter(map(place.get, map(_operand_a, topo), repeat(-1)), np.intp, n)
    B = np.fromiter(map(place.get, map(_operand_b, topo), repeat(-1)), np.intp, n)
    code = np.fromiter(map(codes.get, map(_op_of, topo), repeat(-1)), np.intp, n)
    made_by_hand = np.flatnonzero((code < 0) & (A >= 0))
    if made_by_hand.size:
        _refuse(topo[made_by_hand[0]])

    uses = np.bincount(A[A >= 0], minlength=n) + np.bincount(B[B >= 0], minlength=n)
    for v in keep:
        if v in place:
            uses[place[v]] += 2       # a kept node is never folded: never "used once"
    everywhere = np.arange(n)
    left = np.where(A >= 0, A, 0)
    is_sum = (code == codes[_ADD]) | (code == codes[_SUB])
    # A + or - whose left operand is a + or - used only there continues its chain.
    continues = is_sum & is_sum[left] & (uses[left] == 1)
    folded = np.zeros(n, bool)
    folded[A[continues]] = True
    top = everywhere.copy()                 # each + or - node's chain, by its top node
    top[A[continues]] = np.flatnonzero(continues)
    climbing = np.flatnonzero(folded)
    while climbing.size:
        higher = top[top[climbing]]
        moved = higher != top[climbing]
        top[climbing] = higher
        climbing = climbing[moved]

    # The terms of every chain, left to right: the bottom node's left operand, then each
    # node's right operand from the bottom up (the engine's order puts a before its user).
    spine = np.flatnonzero(is_sum)
    bottoms = spine[~continues[spine]]
    term = np.concatenate([A[bottoms], B[spine]])
    term_top = np.concatenate([top[bottoms], top[spine]])
    sign = np.concatenate([np.ones(bottoms.size),
                           np.where(code[spine] == codes[_SUB], -1.0, 1.0)])
    order = np.argsort(term_top * (2 * n) + np.concatenate([2 * bottoms, 2 * spine + 1]))
    term, term_top, sign = term[order], term_top[order], sign[order]
    # A term that is a * used only there stays in the sum as a product of two slots.
    is_product = (code[term] == codes[_MUL]) & (uses[term] == 1)
    absorbed = np.zeros(n, bool)
    absorbed[term[is_product]] = True
    first = np.where(is_product, A[term], term)
    second = np.where(is_product, B[term], -1)

    is_slot = ~folded & ~absorbed
    tops = np.flatnonzero(is_sum & is_slot)
    arity = np.zeros(n, np.intp)
    arity[tops] = np.bincount(term_top, minlength=n)[tops]
    computed = np.flatnonzero(is_slot & (A >= 0))
    plain = computed[~is_sum[computed]]
    arity[plain] = np.where(B[plain] >= 0, 2, 1)
    term_start = np.zeros(n, np.intp)       # where each chain's terms begin
    if term.size:
        firsts_of_chains = np.flatnonzero(np.r_[True, term_top[1:] != term_top[:-1]])
        term_start[term_top[firsts_of_chains]] = firsts_of_chains
    level = _levels(np, n, plain, A, B, tops, term_start[tops], first, second)

    # Groups: computed slots by level, op, arity and (for sums) which terms are products.
    kinds = np.zeros(n, np.intp)            # a number for each pattern of kinds of terms
    for m in np.unique(arity[tops]).tolist():
        chains = tops[arity[tops] == m]
        patterns = is_product[term_start[chains][:, None] + np.arange(m)]
        if m <= 62:
            kinds[chains] = patterns @ (1 << np.arange(m))
        elif chains.size > 1:
            kinds[chains] = np.unique(patterns, axis=0, return_inverse=True)[1].ravel()
    op_key = np.where(is_sum, len(ops), code)         # a sum after every op of OPS
    ranked = computed[np.lexsort((computed, kinds[computed], arity[computed],
                                  op_key[computed], level[computed]))]
    leaves = np.flatnonzero(A < 0)
    slot_order = np.concatenate([leaves, ranked])
    slot_of = np.full(n, -1, np.intp)
    slot_of[slot_order] = np.arange(slot_order.size)

    groups = []
    if ranked.size:
        key = np.stack([level[ranked], op_key[ranked], arity[ranked], kinds[ranked]])
        starts = np.flatnonzero(np.r_[True, (key[:, 1:] != key[:, :-1]).any(axis=0)])
        bounds = np.r_[starts, ranked.size]
        for begin, end in zip(bounds[:-1].tolist(), bounds[1:].tolist()):
            members = ranked[begin:end]
            op = ops[op_key[members[0]]] if op_key[members[0]] < len(ops) else SUM
            groups.append(_group(np, members, leaves.size + begin, int(level[members[0]]),
                                 op, int(arity[members[0]]), A, B, slot_of, term_start,
                                 first, second, sign, is_product))
    nodes = [topo[i] for i in slot_order.tolist()]
    return FlatGraph(output, topo, nodes, leaves.size, dict(zip(nodes, count())), groups)


def _levels(np, n, plain, A, B, tops, chain_starts, first, second):
    """Each slot's level, one more than its deepest operand's (a product term's operands
    are its factors), by rounds over every slot at once: as many rounds as the flat
    program is deep, then one sweep node by node for a deep one."""
    level = np.zeros(n, np.intp)
    a_of, b_of = A[plain], np.where(B[plain] >= 0, B[plain], A[plain])
    second_or_first = np.where(second >= 0, second, first)
    for _ in range(_MAX_LEVEL_ROUNDS):
        plain_level = np.maximum(level[a_of], level[b_of]) + 1
        sum_level = np.maximum.reduceat(np.maximum(level[first], level[second_or_first]),
                                        chain_starts) + 1 if tops.size else tops
        if (plain_level == level[plain]).all() and (sum_level == level[tops]).all():
            return level
        level[plain] = plain_level
        level[tops] = sum_level
    # Deep: the engine's order puts every operand first, so one sweep settles it.
    levels = level.tolist()
    sources = {}
    for v, a, b in zip(plain.tolist(), a_of.tolist(), b_of.tolist()):
        sources[v] = (a, b)
    firsts, seconds = first.tolist(), second_or_first.tolist()
    bounds = np.r_[chain_starts, first.size].tolist()
    for v, begin, end in zip(tops.tolist(), bounds[:-1], bounds[1:]):
        sources[v] = firsts[begin:end] + seconds[begin:end]
    for v in sorted(sources):
        levels[v] = 1 + max([levels[s] for s in sources[v]])
    return np.array(levels, np.intp)


def _group(np, members, start, level, op, arity, A, B, slot_of, term_start, first,
           second, sign, is_product):
    """The Group of nodes with one key (for sums: one pattern of plain and product terms)."""
    stop = start + members.size
    if op is not SUM:
        operands = [slot_of[A[members]].tolist()]
        if arity == 2:
            operands.append(slot_of[B[members]].tolist())
        return Group(op.name, level, start, stop, operands)
    terms = term_start[members][:, None] + np.arange(arity)          # (members, arity)
    products = is_product[terms]
    operands = slot_of[first[terms]].T.tolist()
    partners = [slot_of[second[terms[:, k]]].tolist() if products[0, k] else None
                for k in range(arity)]
    signs = sign[terms]
    return Group(SUM, level, start, stop, operands, partners,
                 signs.T.tolist() if (signs < 0).any() else None)


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
