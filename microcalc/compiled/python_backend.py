"""Replay a flat program on Python lists of floats.

Forward, a group is one `map` of the op's own forward rule (`OPS[name].forward`) over its
operands' slots: the engine's functions, applied to the same floats, so values are bit for
bit the eager ones. A sum adds its terms left to right, a product term being mul's forward
rule on its two factors.

Backward applies each op's derivative rule (`OPS[name].derivative`). Where the rule's
partials are constants, operands or the result itself (`partial_forms`: add, sub, mul, neg,
exp, step, sign), a whole group's contributions are one `map` with no call per node;
otherwise the rule is called per node. Only floats are made, no Value and no closure.
"""

import operator
from itertools import repeat

from ..engine import OPS
from .program import SUM, partial_forms
from .replay import Program

__all__ = ["PythonProgram"]

_add = operator.add
_mul = operator.mul
_neg = operator.neg
_MUL = OPS["mul"]
_EACH_OTHER = (("operand", 1), ("operand", 0))     # partials that are the other operand


class PythonProgram(Program):
    backend = "python"

    def __init__(self, flat):
        super().__init__(flat)
        self._values = [v.data for v in flat.nodes]
        self._gradients = None
        self._forms = {name: partial_forms(OPS[name])
                       for name in {group.op for group in flat.groups} | {"mul"}
                       if name != SUM}

    def _as_list(self, store):
        return store

    def _replay_forward(self, leaf_values):
        flat = self.flat
        values = self._values
        values[:flat.n_leaves] = map(float, leaf_values)     # ints or numpy floats in
        get = values.__getitem__
        try:
            for group in flat.groups:
                operands = group.operands
                if group.op == SUM:
                    values[group.start:group.stop] = _left_fold(get, group)
                elif len(operands) == 1:
                    values[group.start:group.stop] = map(OPS[group.op].forward,
                                                         map(get, operands[0]))
                else:
                    values[group.start:group.stop] = map(OPS[group.op].forward,
                                                         map(get, operands[0]),
                                                         map(get, operands[1]))
            total = sum(values)
            failed = total - total   # nan if any value is inf or nan (or the sum overflowed)
        except (ArithmeticError, ValueError):
            failed = True
        if failed:
            self._values = values = self._engine_values(leaf_values)
        return values[flat.output]

    def _replay_backward(self):
        flat = self.flat
        values = self._values
        gradients = [0.0] * len(values)
        gradients[flat.output] = 1.0
        try:
            for group in reversed(flat.groups):
                gs = gradients[group.start:group.stop]
                if group.op == SUM:
                    self._sum_backward(group, gs, gradients)
                else:
                    outs = values[group.start:group.stop]
                    _spread(OPS[group.op], self._forms[group.op], group.operands, outs, gs,
                            values, gradients)
            for slot in flat.number_exponents:
                gradients[slot] = 0.0
            total = sum(gradients)
            if total - total:                  # inf or nan somewhere: the engine settles it
                gradients = self._engine_gradients()
        except (ArithmeticError, ValueError):
            gradients = self._engine_gradients()
        self._gradients = gradients

    def _sum_backward(self, group, gs, gradients):
        values = self._values
        signs = group.signs or repeat(None)
        for column, partner, column_signs in zip(group.operands, group.partners, signs):
            g_term = gs if column_signs is None else list(map(_mul, column_signs, gs))
            if partner is None:
                _scatter(gradients, column, g_term)
            elif self._forms["mul"] == _EACH_OTHER:
                # d(a*b)/da = b and d(a*b)/db = a, as mul's rule says: one sweep for both.
                for i, j, g in zip(column, partner, g_term):
                    gradients[i] += values[j] * g
                    gradients[j] += values[i] * g
            else:
                factors = (column, partner)
                products = list(map(_MUL.forward, map(values.__getitem__, column),
                                    map(values.__getitem__, partner)))
                _spread(_MUL, self._forms["mul"], factors, products, g_term, values,
                        gradients)


def _spread(op, forms, operands, outs, gs, values, gradients):
    """Add each node's gradient times its partials into its operands' gradients."""
    get = values.__getitem__
    partials = None
    for k, (column, form) in enumerate(zip(operands, forms)):
        if form is None:
            if partials is None:
                partials = list(map(op.derivative, *[map(get, c) for c in operands], outs))
            terms = map(_mul, map(operator.itemgetter(k), partials), gs)
        elif form[0] == "constant":
            # A partial of 0 still adds 0 * g: nan where g is nan, which the engine settles.
            terms = gs if form[1] == 1.0 else map(_neg, gs) if form[1] == -1.0 else \
                map(_mul, repeat(form[1]), gs)
        elif form[0] == "operand":
            terms = map(_mul, map(get, operands[form[1]]), gs)
        else:
            terms = map(_mul, outs, gs)
        _scatter(gradients, column, terms)


def _scatter(gradients, slots, terms):
    for i, g in zip(slots, terms):
        gradients[i] += g


def _left_fold(get, group):
    """Every sum of the group at once, term by term: ((t0 + t1) + t2) + ..., as the chain
    of `+` did; a product term is mul's forward rule on its factors. A `-` term is added
    negated, which IEEE arithmetic makes the same float."""
    signs = group.signs
    sums = None
    for k, (column, partner) in enumerate(zip(group.operands, group.partners)):
        terms = map(get, column)
        if partner is not None:
            terms = map(_MUL.forward, terms, map(get, partner))
        if signs is not None:
            terms = map(_mul, signs[k], terms)
        sums = list(terms) if sums is None else list(map(_add, sums, terms))
    return sums
