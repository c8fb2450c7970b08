"""Replay a flat program with numpy: one vectorised operation per group of nodes.

The rules are the engine's: a group of an op applies `OPS[name].array_forward` and
`OPS[name].array_derivative` (microcalc/engine/ops.py says how each op runs on arrays, and
that the floats are the scalar rules' to the last bit). Where a partial comes out infinite
or nan, the engine's scalar rule settles those elements: it raises where the eager
backward raises (0 ** -0.5's derivative) and gives the same nan where the engine gives nan
(a Value exponent over a negative base).

A sum whose terms are products (a layer of neurons over a batch: bias + w1*x1 + w2*x2 + ...)
is often a grid: its nodes are every pairing of a set of rows (a neuron's weights) with a
set of columns (an example's inputs). Such a sum is replayed from the rows and columns
alone, without gathering a copy per node: forward, the products of one term for the whole
grid at once and the terms added in order (the floats of the chain of `+`); backward, the
partials mul's rule gives reduced over the grid by matrix products (gradients are sums in
another order, equal to a few ulp).

Buffers are made once; operands laid out as a run of slots are read as views; gradients
are scattered with a plain indexed add where targets are distinct and with bincount only
where they repeat. Backward runs group by group from the output down: every use of a slot
sits in a later group.
"""

import numpy as np

from ..engine import OPS
from .program import SUM
from .replay import Program

__all__ = ["NumpyProgram"]

_MUL = OPS["mul"]
_ORDERED_LOOP_WIDTH = 256     # add a sum's terms row by row from this many nodes up


def _run(index):
    """(slice, transposed) when a 1-d or 2-d array of slots is a run of consecutive slots,
    read in order or (2-d) column by column; else None."""
    flat = index.ravel()
    if not flat.size:
        return None
    run = slice(int(flat[0]), int(flat[0]) + flat.size)
    if flat.size == 1 or (np.diff(flat) == 1).all():
        return run, False
    if index.ndim == 2:
        first = int(index.min())
        run = slice(first, first + flat.size)
        expected = first + np.arange(flat.size).reshape(index.shape[::-1]).T
        if (index == expected).all():
            return run, True
    return None


class _Read:
    """Reading some slots: a view when they are a run of consecutive slots, else a take."""

    __slots__ = ("index", "run", "shape")

    def __init__(self, slots):
        self.index = np.asarray(slots, dtype=np.intp)
        self.shape = self.index.shape
        self.run = _run(self.index)

    def __call__(self, values):
        if self.run is None:
            return values.take(self.index)
        run, transposed = self.run
        if transposed:
            return values[run].reshape(self.shape[::-1]).T
        return values[run].reshape(self.shape)


class _Scatter:
    """Adding contributions into some slots' gradients, correct where slots repeat."""

    __slots__ = ("index", "shape", "run", "targets", "inverse")

    def __init__(self, slots):
        index = np.asarray(slots, dtype=np.intp)
        self.shape = index.shape
        self.run = _run(index)
        index = self.index = index.ravel()
        self.targets = self.inverse = None
        if self.run is None:
            targets, inverse = np.unique(index, return_inverse=True)
            if targets.size < index.size:
                self.targets, self.inverse = targets, inverse.ravel()

    def __call__(self, gradients, contributions):
        if self.run is not None:
            run, transposed = self.run
            if transposed:
                view = gradients[run].reshape(self.shape[::-1]).T
            else:
                view = gradients[run].reshape(self.shape)
            view += contributions
            return
        if np.shape(contributions) != self.shape:
            contributions = np.broadcast_to(contributions, self.shape)
        contributions = contributions.ravel()
        if self.targets is None:
            gradients[self.index] += contributions
        else:
            gradients[self.targets] += np.bincount(self.inverse, weights=contributions,
                                                   minlength=self.targets.size)


def _rows(positions):
    """positions of a term axis as a slice when consecutive (a view), else a list."""
    if positions and positions == list(range(positions[0], positions[0] + len(positions))):
        return slice(positions[0], positions[0] + len(positions))
    return positions


def _finite(array):
    """Whether every element is finite: one sum, and a closer look only if it is not."""
    total = array.sum()
    return total - total == 0 or bool(np.isfinite(array).all())


def _ordered_sum(terms, out):
    """out = ((t0 + t1) + t2) + ... over the first axis, in that order: the chain's floats."""
    if terms[0].size >= _ORDERED_LOOP_WIDTH and _reduce_keeps_order(terms.shape):
        np.add.reduce(terms, axis=0, out=out)
    elif terms[0].size >= _ORDERED_LOOP_WIDTH:
        np.copyto(out, terms[0])
        for k in range(1, len(terms)):
            np.add(out, terms[k], out=out)
    else:
        np.copyto(out, np.add.accumulate(terms, axis=0)[-1])


_ORDERED = {}


def _reduce_keeps_order(shape):
    """Whether np.add.reduce over the first axis adds row after row for this shape, checked
    once per shape on numbers whose sum depends on the order. (numpy does so when the rows
    are wide, summing pairwise only along a contiguous axis; it promises no order.)"""
    ordered = _ORDERED.get(shape)
    if ordered is None:
        rng = np.random.default_rng(0)
        terms = rng.standard_normal(shape) * 10.0 ** rng.integers(-12, 12, shape)
        folded = terms[0].copy()
        for row in terms[1:]:
            folded += row
        ordered = _ORDERED[shape] = bool((np.add.reduce(terms, axis=0) == folded).all())
    return ordered


class _OpStep:
    """A group of one op of OPS: its array rules over the gathered operands."""

    def __init__(self, group):
        self.op = OPS[group.op]
        self.start, self.stop = group.start, group.stop
        self.reads = [_Read(column) for column in group.operands]
        self.scatters = [_Scatter(column) for column in group.operands]
        self.cache = ()

    def forward(self, values):
        self.cache = operands = [read(values) for read in self.reads]
        values[self.start:self.stop] = self.op.array_forward(*operands)

    def reread(self, values):
        self.cache = [read(values) for read in self.reads]

    def backward(self, program, values, gradients):
        g = gradients[self.start:self.stop]
        outs = values[self.start:self.stop]
        partials = self.op.array_derivative(*self.cache, outs)
        for k, (partial, scatter) in enumerate(zip(partials, self.scatters)):
            if partial.__class__ is float:
                # A partial of 0 still adds 0 * g, as the engine does: nan where g is nan.
                scatter(gradients, g if partial == 1.0 else partial * g)
                continue
            if not any(partial is x for x in self.cache) and not _finite(partial):
                partial = program._settle_partials(self.op, k, partial, self.cache, outs)
            scatter(gradients, partial * g)


class _SumStep:
    """A sum of terms, each a slot or a product of two slots, added left to right."""

    def __init__(self, group):
        self.start, self.stop = group.start, group.stop
        n = group.stop - group.start
        plain = [k for k, p in enumerate(group.partners) if p is None]
        products = [k for k, p in enumerate(group.partners) if p is not None]
        self.plain_rows, self.product_rows = _rows(plain), _rows(products)
        self.plain = _Read([group.operands[k] for k in plain]) if plain else None
        self.firsts = _Read([group.operands[k] for k in products]) if products else None
        self.seconds = _Read([group.partners[k] for k in products]) if products else None
        self.plain_scatter = _Scatter([group.operands[k] for k in plain]) if plain else None
        self.first_scatter = (_Scatter([group.operands[k] for k in products])
                              if products else None)
        self.second_scatter = (_Scatter([group.partners[k] for k in products])
                               if products else None)
        signs = None if group.signs is None else np.array(group.signs)
        self.signs = signs
        self.plain_signs = None if signs is None else signs[plain]
        self.product_signs = None if signs is None else signs[products]
        self.terms = np.empty((len(group.operands), n))
        self.cache = ()

    def forward(self, values):
        terms = self.terms
        if self.plain is not None:
            terms[self.plain_rows] = self.plain(values)
        if self.firsts is not None:
            self.cache = firsts, seconds = self.firsts(values), self.seconds(values)
            terms[self.product_rows] = _MUL.array_forward(firsts, seconds)
        if self.signs is not None:
            terms *= self.signs
        _ordered_sum(terms, values[self.start:self.stop])

    def reread(self, values):
        if self.firsts is not None:
            self.cache = self.firsts(values), self.seconds(values)

    def backward(self, program, values, gradients):
        g = gradients[self.start:self.stop]
        if self.plain is not None:
            self.plain_scatter(gradients, g if self.plain_signs is None else
                               self.plain_signs * g)
        if self.firsts is not None:
            firsts, seconds = self.cache
            g_terms = g if self.product_signs is None else self.product_signs * g
            d_first, d_second = _MUL.array_derivative(firsts, seconds, None)
            self.first_scatter(gradients, d_first * g_terms)
            self.second_scatter(gradients, d_second * g_terms)


class _GridSumStep:
    """A sum over a grid: node (c, r) = t0 + t1 + ..., each term a product
    row_factor[k][r] * column_factor[k][c], or one slot of the row or of the column."""

    def __init__(self, group, grid):
        rows_of, columns_of, R, C, layout = grid
        self.start, self.stop = group.start, group.stop
        self.R, self.C, self.layout = R, C, layout
        m = len(group.operands)
        products = [k for k, p in enumerate(group.partners) if p is not None]
        plain = [k for k, p in enumerate(group.partners) if p is None]
        self.product_rows = _rows(products)
        first = [_by(rows_of, group.operands[k], R) for k in products]
        second = [_by(columns_of, group.partners[k], C) for k in products]
        self.firsts, self.seconds = _Read(first), _Read(second)
        self.first_scatter, self.second_scatter = _Scatter(first), _Scatter(second)
        # Plain terms: a slot per row (a neuron's bias) or per column.
        self.plain = []
        for k in plain:
            column = group.operands[k]
            if _depends_on(rows_of, column, R):
                slots, axis = _by(rows_of, column, R), 0
            else:
                slots, axis = _by(columns_of, column, C), 1
            self.plain.append((k, _Read(slots), _Scatter(slots), axis))
        self.signs = None
        if group.signs is not None:
            self.signs = np.array([column[0] for column in group.signs])
        # Forward works on (term, column, row) arrays, or (term, row, column) when there are
        # more columns than rows: numpy is fastest with the longer axis innermost.
        self.by_rows = R >= C
        self.terms = np.empty((m, C, R) if self.by_rows else (m, R, C))
        self.out = np.empty(self.terms.shape[1:])
        self.cache = ()

    def forward(self, values):
        self.cache = firsts, seconds = self.firsts(values), self.seconds(values)
        if self.by_rows:
            products = _MUL.array_forward(firsts[:, None, :], seconds[:, :, None])
            plain = {k: read(values)[None, :] if axis == 0 else read(values)[:, None]
                     for k, read, _, axis in self.plain}
        else:
            products = _MUL.array_forward(firsts[:, :, None], seconds[:, None, :])
            plain = {k: read(values)[:, None] if axis == 0 else read(values)[None, :]
                     for k, read, _, axis in self.plain}
        stacked = self.terms
        stacked[self.product_rows] = products
        for k, term in plain.items():
            stacked[k] = term
        if self.signs is not None:
            stacked *= self.signs[:, None, None]
        _ordered_sum(stacked, self.out)
        self._write(values, self.out if self.by_rows else self.out.T)

    def reread(self, values):
        self.cache = self.firsts(values), self.seconds(values)

    def _write(self, values, grid):
        if self.layout == "columns":
            values[self.start:self.stop] = grid.ravel()
        elif self.layout == "rows":
            values[self.start:self.stop] = grid.T.ravel()
        else:
            values[self.start + self.layout] = grid.ravel()

    def _read(self, array):
        if self.layout == "columns":
            return array[self.start:self.stop].reshape(self.C, self.R)
        if self.layout == "rows":
            return array[self.start:self.stop].reshape(self.R, self.C).T
        return array[self.start + self.layout].reshape(self.C, self.R)

    def backward(self, program, values, gradients):
        G = self._read(gradients)                          # (C, R)
        firsts, seconds = self.cache                       # (products, R), (products, C)
        d_first, d_second = _MUL.array_derivative(firsts[:, None, :], seconds[:, :, None],
                                                  None)
        g_first = _reduce(d_first, G, 1)                   # (products, R)
        g_second = _reduce(d_second, G, 2)                 # (products, C)
        if self.signs is not None:
            product_signs = self.signs[self.product_rows]
            g_first = g_first * product_signs[:, None]
            g_second = g_second * product_signs[:, None]
        self.first_scatter(gradients, g_first)
        self.second_scatter(gradients, g_second)
        for k, _, scatter, axis in self.plain:
            total = G.sum(axis=axis)
            scatter(gradients, total if self.signs is None else self.signs[k] * total)


def _reduce(partial, G, keep_axis):
    """Sum partial * G over the grid axis the factor does not depend on: keep_axis 1 keeps
    rows (a row factor's gradient), 2 keeps columns. A partial that depends only on the
    other axis makes it a matrix product."""
    terms = partial.shape[0] if np.ndim(partial) else None
    if np.ndim(partial) == 0:
        total = G.sum(axis=0) if keep_axis == 1 else G.sum(axis=1)
        return np.broadcast_to(partial * total, total.shape)[None, :]
    if keep_axis == 1 and partial.shape[2] == 1:          # depends on the column only
        return partial[:, :, 0] @ G
    if keep_axis == 2 and partial.shape[1] == 1:          # depends on the row only
        return partial[:, 0, :] @ G.T
    full = np.broadcast_to(partial, (terms,) + G.shape) * G
    return full.sum(axis=1 if keep_axis == 1 else 2)


def _by(ids, column, count):
    """The slot for each row (or column) id, given a term's slot per node."""
    slots = np.empty(count, dtype=np.intp)
    slots[ids] = column
    return slots


def _depends_on(ids, column, count):
    column = np.asarray(column, dtype=np.intp)
    return bool((_by(ids, column, count)[ids] == column).all())


def _grid(group):
    """(row id per node, column id per node, R, C, layout) if the sum's nodes pair every row
    with every column, each product's first factor depending on the row alone and its
    second on the column alone, each other term on one of them, and each term's sign the
    same throughout; else None."""
    n = group.stop - group.start
    products = [k for k, p in enumerate(group.partners) if p is not None]
    if not products or n < 2:
        return None
    if group.signs is not None and any(len(set(column)) > 1 for column in group.signs):
        return None
    pivot = products[0]
    _, rows_of = np.unique(group.operands[pivot], return_inverse=True)
    _, columns_of = np.unique(group.partners[pivot], return_inverse=True)
    rows_of, columns_of = rows_of.ravel(), columns_of.ravel()
    R, C = int(rows_of.max()) + 1, int(columns_of.max()) + 1
    if R * C != n or np.unique(columns_of * R + rows_of).size != n:
        return None
    for k in products:
        if not (_depends_on(rows_of, group.operands[k], R) and
                _depends_on(columns_of, group.partners[k], C)):
            return None
    for k, partner in enumerate(group.partners):
        if partner is None and not (_depends_on(rows_of, group.operands[k], R) or
                                    _depends_on(columns_of, group.operands[k], C)):
            return None
    position = columns_of * R + rows_of                  # node -> place in the (C, R) grid
    if (position == np.arange(n)).all():
        layout = "columns"
    elif (rows_of * C + columns_of == np.arange(n)).all():
        layout = "rows"
    else:
        layout = np.empty(n, dtype=np.intp)
        layout[position] = np.arange(n)
    return rows_of, columns_of, R, C, layout


def _step(group):
    if group.op != SUM:
        return _OpStep(group)
    grid = _grid(group)
    return _GridSumStep(group, grid) if grid is not None else _SumStep(group)


class NumpyProgram(Program):
    backend = "numpy"

    def __init__(self, flat):
        super().__init__(flat)
        self._values = np.array([v.data for v in flat.nodes], dtype=float)
        self._gradients = None
        self._buffer = np.zeros_like(self._values)     # gradients, made once
        self._steps = [_step(group) for group in flat.groups]

    def _as_list(self, store):
        return store.tolist()

    def _replay_forward(self, leaf_values):
        values = self._values
        values[:self.flat.n_leaves] = leaf_values
        with np.errstate(all="ignore"):
            for step in self._steps:
                step.forward(values)
            finite = _finite(values)
        if not finite:
            self._values = values = np.array(self._engine_values(leaf_values))
            for step in self._steps:
                step.reread(values)
        return float(values[self.flat.output])

    def _replay_backward(self):
        values = self._values
        gradients = self._buffer
        gradients.fill(0.0)
        gradients[self.flat.output] = 1.0
        with np.errstate(all="ignore"):
            for step in reversed(self._steps):
                step.backward(self, values, gradients)
            gradients[self.flat.number_exponents] = 0.0
            finite = _finite(gradients)
        if not finite:                         # inf or nan somewhere: the engine settles it
            gradients = np.array(self._engine_gradients())
        self._gradients = gradients

    def _settle_partials(self, op, k, partial, operands, outs):
        """Infinite or nan partials, recomputed by the engine's own rule element by element;
        one it cannot compute is infinite, for the engine's backward to settle."""
        partial = np.array(np.broadcast_to(partial, outs.shape), dtype=float)
        columns = [np.broadcast_to(column, outs.shape) for column in operands]
        for j in np.flatnonzero(~np.isfinite(partial)):
            try:
                partial[j] = op.derivative(*[float(c[j]) for c in columns], float(outs[j]))[k]
            except (ArithmeticError, ValueError):
                partial[j] = np.inf
        return partial
