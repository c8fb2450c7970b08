"""Replay a flat program on Python lists of floats.

Forward, a group is one `map` of the op's own forward rule over its operands' slots: the
engine's functions, applied to the same floats, so values are bit for bit the eager ones.
Backward calls the op's own derivative rule node by node. Per node and step only floats
are made (and the small tuple a derivative rule returns); no Value, no closure.
"""

import operator

from ..engine import OPS
from .program import SUM
from .replay import Program

__all__ = ["PythonProgram"]

_add = operator.add
_mul = operator.mul


class PythonProgram(Program):
    backend = "python"

    def __init__(self, flat):
        super().__init__(flat)
        self._values = [v.data for v in flat.nodes]
        self._gradients = None

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
                    values[group.start:group.stop] = _left_fold(get, operands, group.signs)
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
                outs = values[group.start:group.stop]
                gs = gradients[group.start:group.stop]
                operands = group.operands
                if group.op == SUM:
                    signs = group.signs or [None] * len(operands)
                    for column, column_signs in zip(operands, signs):
                        if column_signs is None:
                            for i, g in zip(column, gs):
                                gradients[i] += g
                        else:
                            for i, sign, g in zip(column, column_signs, gs):
                                gradients[i] += sign * g
                elif len(operands) == 1:
                    derivative = OPS[group.op].derivative
                    for i, out, g in zip(operands[0], outs, gs):
                        gradients[i] += derivative(values[i], out)[0] * g
                else:
                    derivative = OPS[group.op].derivative
                    for i, j, out, g in zip(operands[0], operands[1], outs, gs):
                        da, db = derivative(values[i], values[j], out)
                        gradients[i] += da * g
                        gradients[j] += db * g
        except (ArithmeticError, ValueError):
            self._raise_backward_error()
        self._gradients = gradients


def _left_fold(get, columns, signs):
    """Every sum of the group at once, term by term: ((t0 + t1) + t2) + ..., as the chain
    of `+` did. A `-` term is added negated, which IEEE arithmetic makes the same float."""
    sums = list(map(get, columns[0]))
    for k in range(1, len(columns)):
        terms = map(get, columns[k])
        if signs is not None:
            terms = map(_mul, signs[k], terms)
        sums = list(map(_add, sums, terms))
    return sums
