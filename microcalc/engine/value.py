"""The machinery of reverse-mode differentiation: `Value`, the topological order of a graph,
the backward pass, recomputation and the functional `grad`.

A node holds no closure, unlike micrograd's: its op (an entry of `microcalc.engine.ops.OPS`)
and its operands are enough to apply the local derivative during the backward pass. That
keeps every node out of reference cycles (the cyclic garbage collector was micrograd's main
cost) and lets the same rule run on floats (a plain backward pass) or on Values
(`create_graph=True`, for higher derivatives). The rules themselves live in `ops.py`; this
module only applies them.
"""

from __future__ import annotations

import math

from ..errors import DomainError

TYPE_CHECKING = False      # typing is not imported when microcalc runs
if TYPE_CHECKING:
    from typing import Any, Iterable, Optional, Sequence, Union
    from .ops import Op
    Number = Union["Value", float]

__all__ = ["Value", "grad", "gradcheck", "recompute", "topological_order", "GradCheck"]


def _data(x):
    return x.data if isinstance(x, Value) else x


def _domain_error(op, operands, exc=None):
    numbers = [_data(x) for x in operands]
    if isinstance(exc, OverflowError) or op.domain is None:
        reason = "result too large (overflow)"
    else:
        reason = op.domain(*numbers)
    return DomainError(op.name, numbers, reason)


def _finite(x):
    # x - x is 0.0 for every finite float and nan for inf and nan: one subtraction, no call.
    return not (x - x)


class Value:
    """A scalar that remembers the operation and operands that produced it."""

    # Operands live in two slots rather than a tuple: one object per node instead of two
    # halves both the memory and the work of Python's garbage collector.
    __slots__ = ("data", "grad", "_a", "_b", "_op", "label")


    data: float
    grad: float
    label: str
    _op: Any        # micrograd writes a string; the engine's ops put their Op here

    if TYPE_CHECKING:
        # Installed from the op table when ops.py is imported; declared here for type
        # checkers (tests/test_typing.py checks that this list is exactly what is installed).
        def __add__(self, other: Number) -> Value: ...
        def __radd__(self, other: Number) -> Value: ...
        def __sub__(self, other: Number) -> Value: ...
        def __rsub__(self, other: Number) -> Value: ...
        def __mul__(self, other: Number) -> Value: ...
        def __rmul__(self, other: Number) -> Value: ...
        def __truediv__(self, other: Number) -> Value: ...
        def __rtruediv__(self, other: Number) -> Value: ...
        def __pow__(self, other: Number) -> Value: ...
        def __rpow__(self, other: Number) -> Value: ...
        def __neg__(self) -> Value: ...
        def __pos__(self) -> Value: ...
        def __abs__(self) -> Value: ...
        def tanh(self) -> Value: ...
        def exp(self) -> Value: ...
        def log(self) -> Value: ...
        def relu(self) -> Value: ...
        def sigmoid(self) -> Value: ...
        def sqrt(self) -> Value: ...
        def abs(self) -> Value: ...
        def sin(self) -> Value: ...
        def cos(self) -> Value: ...
        def step(self) -> Value: ...
        def sign(self) -> Value: ...

    def __init__(self, data: Union[float, Value], _children: Iterable[Value] = (),
                 _op: str = "", label: str = "") -> None:
        if data.__class__ is not float:
            if isinstance(data, Value):
                data = data.data
            elif isinstance(data, (str, bytes)):
                raise TypeError(f"Value needs a number, not {type(data).__name__}")
            try:
                data = float(data)
            except (TypeError, ValueError):
                raise TypeError(f"Value needs a number, not {type(data).__name__}") from None
            except OverflowError:
                raise DomainError("Value", [], "number too large for a float") from None
        if data - data:
            raise DomainError("Value", [data], "a Value must be a finite number")
        self.data = data
        self.grad = 0.0
        if _children.__class__ is not tuple:
            _children = tuple(_children)
        n = len(_children)
        if n > 2:
            raise ValueError("a Value has at most two operands")
        self._a = _children[0] if n else None
        self._b = _children[1] if n == 2 else None
        self._op = _op
        self.label = label

    @property
    def _prev(self):
        """The operands, in order (micrograd's name; a tuple here, not a set)."""
        a, b = self._a, self._b
        return () if a is None else (a,) if b is None else (a, b)

    def __repr__(self):
        return f"Value(data={self.data}, grad={self.grad})"

    def backward(self) -> None:
        """Add d(self)/d(node) into every node's .grad, as micrograd does.

        Nothing is reset: calling backward() twice doubles every gradient, so zero the
        gradients (Module.zero_grad(), or node.grad = 0) between steps.
        """
        topo = topological_order(self)
        # Work on zeroed gradients and add back what earlier calls left; in the usual case
        # (a fresh graph, zeroed parameters) there is nothing to set aside.
        earlier = [v.grad for v in topo]
        accumulated = any(earlier)
        if accumulated:
            for v in topo:
                v.grad = 0.0
        self.grad = 1.0
        try:
            for v in reversed(topo):
                a = v._a
                if a is None:
                    continue
                g = v.grad
                b = v._b
                if b is None:
                    a.grad += v._op.derivative(a.data, v.data)[0] * g
                else:
                    da, db = v._op.derivative(a.data, b.data, v.data)
                    a.grad += da * g
                    b.grad += db * g
        except (ArithmeticError, ValueError) as exc:
            for w, before in zip(topo, earlier):
                w.grad = before
            raise DomainError(v._op.name, [c.data for c in v._prev],
                              "its derivative is infinite or undefined here") from exc
        if accumulated:
            for v, before in zip(topo, earlier):
                v.grad += before

    def zero_grad(self) -> None:
        """Reset the gradient of every node in this Value's graph."""
        for v in topological_order(self):
            v.grad = 0.0

    def recompute(self) -> Value:
        """Recompute this graph forward after inputs changed in place (`x.data = ...`)."""
        recompute(self)
        return self


    # Read-only views of how a node was made, for the layers above the engine.

    @property
    def op(self) -> Optional[Op]:
        """The registered operation (an `Op`) that made this node; None for an input."""
        return self._op or None

    @property
    def operands(self) -> tuple[Value, ...]:
        """The Values this node was computed from, in order; () for an input."""
        return self._prev

    @property
    def is_input(self) -> bool:
        """True for a leaf: a number given, not computed from other Values."""
        return self._a is None

    # A notebook (IPython, Jupyter) shows a Value as a picture of its graph, as the lecture
    # draws it with draw_dot. Pictures are microcalc.render's business, a layer above this
    # one: it is imported only when a notebook asks, never by the engine's own work.
    def _repr_svg_(self):
        from ..render.notebook import value_svg
        return value_svg(self)

    def _repr_html_(self):
        from ..render.notebook import value_html
        return value_html(self)


def topological_order(root: Value) -> list[Value]:
    """Every node under root, each after all of its operands; iterative, so depth is free."""
    order = []
    visited = set()
    stack = [root]
    expanded: list[bool] = []     # parallel to stack: has this entry's operands been pushed yet?
    push = stack.append
    mark = expanded.append
    mark(False)
    while stack:
        node = stack.pop()
        if expanded.pop():
            order.append(node)
            continue
        if node in visited:
            continue
        visited.add(node)
        push(node)
        mark(True)
        # Push b before a so that a is finished first: operands keep their order.
        b = node._b
        if b is not None and b not in visited:
            push(b)
            mark(False)
        a = node._a
        if a is not None and a not in visited:
            push(a)
            mark(False)
    return order


def recompute(output: Value, order: Optional[Sequence[Value]] = None) -> Value:
    """Recompute every node under output from its operands' current data, inputs first."""
    for v in order if order is not None else topological_order(output):
        a = v._a
        if a is None:
            continue
        b = v._b
        op = v._op
        try:
            out = op.forward(a.data) if b is None else op.forward(a.data, b.data)
        except (ArithmeticError, ValueError) as exc:
            raise _domain_error(op, v._prev, exc) from None
        if out - out:
            raise _domain_error(op, v._prev)
        v.data = out
    return output


def grad(output: Value, inputs: Union[Value, Sequence[Value]],
         create_graph: bool = False) -> Any:
    """d(output)/d(input) for one input or a list of them, touching no .grad field.

    With create_graph=True the derivatives are Values whose graphs lead back to the inputs,
    so they can be differentiated again: grad(grad(y, x, create_graph=True), x).
    An input that output does not depend on gets 0. An undefined derivative comes back as
    a float nan, also with create_graph=True (a Value cannot hold nan).
    """
    single = isinstance(inputs, Value)
    targets = [inputs] if isinstance(inputs, Value) else list(inputs)
    adjoint = {output: Value(1.0) if create_graph else 1.0}
    try:
        for v in reversed(topological_order(output)):
            g = adjoint.get(v)
            if g is None or not v._prev:
                continue
            if create_graph:
                partials = v._op.derivative(*v._prev, v)
            else:
                partials = v._op.derivative(*[c.data for c in v._prev], v.data)
            for child, d in zip(v._prev, partials):
                if d.__class__ is float and d == 1.0:
                    contribution = g
                elif d.__class__ is float and d == -1.0:
                    contribution = -g
                elif create_graph and (g.__class__ is float or
                                       (d.__class__ is float and not _finite(d))):
                    # A Value cannot hold nan: an undefined partial (d(a**b)/db for a < 0)
                    # travels as a float nan, so only gradients that pass through it are nan.
                    contribution = math.nan
                else:
                    contribution = d * g
                before = adjoint.get(child)
                if before is None:
                    adjoint[child] = contribution
                elif create_graph and (before.__class__ is float or
                                       contribution.__class__ is float):
                    adjoint[child] = math.nan
                else:
                    adjoint[child] = before + contribution
    except (ArithmeticError, ValueError) as exc:
        raise DomainError(v._op.name, [c.data for c in v._prev],
                          "its derivative is infinite or undefined here") from exc
    zero = Value(0.0) if create_graph else 0.0
    results = []
    for x in targets:
        d = adjoint.get(x, zero)
        if create_graph and not isinstance(d, Value) and d == d:
            d = Value(d)
        results.append(d)
    return results[0] if single else results


class GradCheck:
    """One input's autodiff gradient beside its central finite difference."""

    __slots__ = ("input", "autodiff", "numeric", "error")

    def __init__(self, input: Value, autodiff: float, numeric: float) -> None:
        self.input = input
        self.autodiff = autodiff
        self.numeric = numeric
        scale = max(abs(autodiff), abs(numeric), 1e-8)
        self.error = abs(autodiff - numeric) / scale

    def __repr__(self):
        return (f"GradCheck(autodiff={self.autodiff!r}, numeric={self.numeric!r}, "
                f"error={self.error:.2e})")


def gradcheck(output: Value, inputs: Sequence[Value], eps: float = 1e-6) -> list[GradCheck]:
    """Compare autodiff gradients with central finite differences, one GradCheck per input.

    Inputs are nudged in place and restored; the graph is left as it was.
    The largest relative error is max(c.error for c in result).
    """
    inputs = [inputs] if isinstance(inputs, Value) else list(inputs)
    order = topological_order(output)
    autodiff = grad(output, inputs)
    checks = []
    for x, analytic in zip(inputs, autodiff):
        original = x.data
        h = eps * max(1.0, abs(original))
        try:
            x.data = original + h
            up = recompute(output, order).data
            x.data = original - h
            down = recompute(output, order).data
        finally:
            x.data = original
            recompute(output, order)
        checks.append(GradCheck(x, analytic, (up - down) / (2 * h)))
    return checks
