"""Replay a flat program with numpy: one vectorised operation per group of nodes.

`NUMPY_RULES` is the one table of array rules, keyed by the names in the engine's `OPS`:
each op's forward and its partial derivatives, the engine's formulas written on arrays.
Where a partial comes out infinite or nan, the engine's own rule settles those elements:
it raises where the eager backward raises (0 ** -0.5's derivative) and gives the same nan
where the engine gives nan (a Value exponent over a negative base).

Backward runs level by level, from the output down: a node's gradient is complete once
every level above it has been processed, because every node that uses it sits higher.
"""

import math
import operator

import numpy as np

from ..engine import OPS
from .program import SUM
from .replay import Program

__all__ = ["NUMPY_RULES", "NumpyProgram"]


class NumpyRule:
    """An op on arrays: forward(*operands) and derivative(*operands, out) -> partials."""

    __slots__ = ("forward", "derivative")

    def __init__(self, forward, derivative):
        self.forward = forward
        self.derivative = derivative


def _elementwise(function):
    """A float function of the engine's, applied element by element.

    numpy's own exp, log, tanh and pow are not the C library's: on this machine they differ
    in the last bit on 4% of exp's inputs and 20% of tanh's. Replays must give the eager
    engine's floats, so the transcendental functions are the engine's; the arithmetic
    around them (+ - * / sqrt) is exactly rounded in numpy as in Python. An element that
    raises becomes nan, which the replay then hands to the engine to report.
    """
    def apply(*arrays):
        columns = [a.tolist() for a in arrays]
        try:
            return np.fromiter(map(function, *columns), float, len(columns[0]))
        except (ArithmeticError, ValueError, TypeError):
            return np.array([_or_nan(function, args) for args in zip(*columns)], dtype=float)
    return apply


def _or_nan(function, args):
    try:
        result = function(*args)
    except (ArithmeticError, ValueError):
        return math.nan
    return result if isinstance(result, float) else math.nan   # complex from (-8) ** 0.5


_engine = {name: _elementwise(op.forward) for name, op in OPS.items()}
_power = _elementwise(operator.pow)     # Python's float **, as the derivative rules write it


def _relu(x):
    return np.where(x > 0, x, 0.0)


def _exponent_partial(a, out):
    """d(a**b)/db = a**b * log(a); 0 at a = 0 and nan for a < 0, as the engine says."""
    logs = _engine["log"](np.where(a > 0, a, 1.0))
    return np.where(a > 0, out * logs, np.where(a == 0, 0.0, np.nan))


def _step(x):
    return np.where(x > 0, 1.0, 0.0)


def _sign(x):
    return np.where(x > 0, 1.0, np.where(x < 0, -1.0, 0.0))


# The engine's derivative rules (OPS[name].derivative), written on arrays.
NUMPY_RULES = {
    "add": NumpyRule(np.add, lambda a, b, out: (1.0, 1.0)),
    "sub": NumpyRule(np.subtract, lambda a, b, out: (1.0, -1.0)),
    "mul": NumpyRule(np.multiply, lambda a, b, out: (b, a)),
    "div": NumpyRule(np.divide, lambda a, b, out: (1.0 / b, -out / b)),
    "pow": NumpyRule(_engine["pow"],
                     lambda a, b, out: (b * _power(a, b - 1.0), _exponent_partial(a, out))),
    "neg": NumpyRule(np.negative, lambda x, out: (-1.0,)),
    "tanh": NumpyRule(_engine["tanh"], lambda x, out: (1.0 - out * out,)),
    "exp": NumpyRule(_engine["exp"], lambda x, out: (out,)),
    "log": NumpyRule(_engine["log"], lambda x, out: (1.0 / x,)),
    "relu": NumpyRule(_relu, lambda x, out: (_step(x),)),
    "sigmoid": NumpyRule(_engine["sigmoid"], lambda x, out: (out * (1.0 - out),)),
    "sqrt": NumpyRule(np.sqrt, lambda x, out: (0.5 / out,)),
    "abs": NumpyRule(np.abs, lambda x, out: (_sign(x),)),
    "sin": NumpyRule(_engine["sin"], lambda x, out: (_engine["cos"](x),)),
    "cos": NumpyRule(_engine["cos"], lambda x, out: (-_engine["sin"](x),)),
    "step": NumpyRule(_step, lambda x, out: (0.0,)),
    "sign": NumpyRule(_sign, lambda x, out: (0.0,)),
}


def missing_rules(ops=OPS):
    """Names of ops the numpy back end cannot replay (empty when the table is complete)."""
    return [name for name in ops if name not in NUMPY_RULES]


class _Step:
    """One group, ready for numpy: index arrays in place of slot lists."""

    __slots__ = ("op", "rule", "start", "stop", "operands", "terms", "signs", "cache")

    def __init__(self, group):
        self.op = group.op
        self.start, self.stop = group.start, group.stop
        if group.op == SUM:
            self.rule = None
            self.terms = np.array(group.operands, dtype=np.intp)            # [arity, nodes]
            self.signs = None if group.signs is None else np.array(group.signs)
            self.operands = ()
        else:
            self.rule = NUMPY_RULES[group.op]
            self.terms = self.signs = None
            self.operands = tuple(np.array(column, dtype=np.intp) for column in group.operands)
        self.cache = ()           # operand arrays of the last forward, reused by backward


class _Level:
    """The groups of one level, and where their gradient contributions go: every operand
    slot of every group, concatenated, with its place among the distinct targets."""

    __slots__ = ("steps", "targets", "inverse")

    def __init__(self, steps):
        self.steps = steps
        slots = []
        for step in steps:
            if step.op == SUM:
                slots.append(step.terms.ravel())
            else:
                slots.extend(step.operands)
        self.targets, self.inverse = np.unique(np.concatenate(slots), return_inverse=True)


class NumpyProgram(Program):
    backend = "numpy"

    def __init__(self, flat):
        super().__init__(flat)
        self._values = np.array([v.data for v in flat.nodes], dtype=float)
        self._gradients = None
        self._steps = [_Step(group) for group in flat.groups]
        by_level = {}
        for step, group in zip(self._steps, flat.groups):
            by_level.setdefault(group.level, []).append(step)
        self._levels = [_Level(by_level[level]) for level in sorted(by_level, reverse=True)]

    def _as_list(self, store):
        return store.tolist()

    def _replay_forward(self, leaf_values):
        values = self._values
        values[:self.flat.n_leaves] = leaf_values
        with np.errstate(all="ignore"):
            for step in self._steps:
                if step.rule is None:
                    terms = values[step.terms]
                    if step.signs is not None:
                        terms *= step.signs
                    # accumulate adds row after row: the left fold the chain of `+` made.
                    values[step.start:step.stop] = np.add.accumulate(terms, axis=0)[-1]
                else:
                    step.cache = operands = [values[index] for index in step.operands]
                    values[step.start:step.stop] = step.rule.forward(*operands)
        if not np.isfinite(values).all():
            self._values = values = np.array(self._engine_values(leaf_values))
            for step in self._steps:
                if step.rule is not None:
                    step.cache = [values[index] for index in step.operands]
        return float(values[self.flat.output])

    def _replay_backward(self):
        values = self._values
        gradients = np.zeros_like(values)
        gradients[self.flat.output] = 1.0
        with np.errstate(all="ignore"):
            for level in self._levels:
                contributions = []
                for step in level.steps:
                    gs = gradients[step.start:step.stop]
                    if step.rule is None:
                        spread = np.broadcast_to(gs, step.terms.shape)
                        contributions.append((spread * step.signs if step.signs is not None
                                              else spread).ravel())
                        continue
                    outs = values[step.start:step.stop]
                    partials = step.rule.derivative(*step.cache, outs)
                    for k, partial in enumerate(partials):
                        if not isinstance(partial, float) and not np.isfinite(partial).all():
                            partial = self._settle_partials(step, k, partial, outs)
                        contributions.append(partial * gs)
                totals = np.bincount(level.inverse, weights=np.concatenate(contributions),
                                     minlength=len(level.targets))
                gradients[level.targets] += totals
        self._gradients = gradients

    def _settle_partials(self, step, k, partial, outs):
        """Infinite or nan partials, recomputed by the engine's own rule element by element:
        it raises where the eager backward raises, and otherwise its numbers stand."""
        op = OPS[step.op]
        partial = np.array(partial, dtype=float)
        for j in np.flatnonzero(~np.isfinite(partial)):
            operands = [float(column[j]) for column in step.cache]
            try:
                partial[j] = op.derivative(*operands, float(outs[j]))[k]
            except (ArithmeticError, ValueError):
                self._raise_backward_error()
        return partial
