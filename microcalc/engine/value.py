"""`Value`: a number that remembers how it was made, laid out as micrograd's.

A node made by a registered op holds no closure, unlike micrograd's: its rule (which op,
from `ops.OPS`) and its operands are enough to apply the local derivative during the
backward pass, so ordinary graphs hold no reference cycles for the garbage collector to walk.
Everything micrograd's Value offers is still there, for the lecture's code to run unchanged:
`Value(data, _children, _op, label)`, `_op` as micrograd's string, `_prev` as a set,
`_backward()` node by node, home-made nodes with their own `_backward` closure, and new
attributes (`p.m = 0`).

The walk of a graph, the backward pass and `grad` live in graph.py; the operators and
methods are compiled from the op table by rules.py.
"""

from __future__ import annotations

import threading
from collections.abc import Set

from ..errors import Overflow, Undefined

TYPE_CHECKING = False      # typing is not imported when microcalc runs
if TYPE_CHECKING:
    from typing import Any, Iterable, Optional, Union
    from .ops import Op
    Number = Union["Value", float]

__all__ = ["Value"]


def _number(data):
    """data as a finite float (ints, bools and numpy scalars are converted)."""
    if data.__class__ is float:
        pass
    elif isinstance(data, Value):
        data = data.data
    elif isinstance(data, (str, bytes)):
        raise TypeError(f"Value needs a number, not {type(data).__name__}")
    else:
        try:
            data = float(data)
        except (TypeError, ValueError):
            raise TypeError(f"Value needs a number, not {type(data).__name__}") from None
        except OverflowError:
            raise Overflow("Value", [], "number too large for a float") from None
    if data - data:
        raise Undefined("Value", [data], "a Value must be a finite number")
    return data


class Value:
    """A scalar that remembers the operation and operands that produced it."""

    # One object per node. The operands live in two slots rather than a tuple (a third and
    # more, for a home-made node, in __dict__ as _more); __dict__ exists only once a new
    # attribute is set (a label, p.m, a closure). rules.py builds result nodes inline and
    # sets every slot listed here.
    __slots__ = ("data", "grad", "_a", "_b", "_op", "_rule", "_mark", "__dict__")

    label = ""

    data: float
    grad: float
    label: str
    _op: Any        # micrograd's string for the op that made the node ('+', '**2', 'ReLU')

    if TYPE_CHECKING:
        # Installed from the op table when first used (rules.py); declared here for type
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
        def tan(self) -> Value: ...
        def asin(self) -> Value: ...
        def acos(self) -> Value: ...
        def atan(self) -> Value: ...
        def sinh(self) -> Value: ...
        def cosh(self) -> Value: ...
        def asinh(self) -> Value: ...
        def acosh(self) -> Value: ...
        def atanh(self) -> Value: ...
        def log2(self) -> Value: ...
        def log10(self) -> Value: ...
        def floor(self) -> Value: ...
        def ceil(self) -> Value: ...
        def log_base(self, other: Number) -> Value: ...
        def max(self, other: Number) -> Value: ...
        def min(self, other: Number) -> Value: ...
        def hypot(self, other: Number) -> Value: ...

    def __init__(self, data: Union[float, Value], _children: Iterable[Value] = (),
                 _op: str = "", label: str = "") -> None:
        self.data = _number(data)
        self.grad = 0.0
        self._op = _op
        self._rule = None        # made by the user: an input, or a home-made node
        self._mark = None        # used while a graph is walked (graph.py)
        if label:
            self.label = label
        children = _children if _children.__class__ is tuple else tuple(_children)
        for child in children:
            if not isinstance(child, Value):
                raise TypeError(f"a Value's children must be Values, not {type(child).__name__}")
        self._a = children[0] if children else None
        self._b = children[1] if len(children) > 1 else None
        if len(children) > 2:
            self._more = children[2:]

    def __repr__(self):
        return f"Value(data={self.data}, grad={self.grad})"

    # -- micrograd's view of a node ------------------------------------------------------

    @property
    def _prev(self):
        """The operands as micrograd's set: each once, in operand order. A number exponent
        (x ** 2) is not one: micrograd writes it into `_op` ('**2')."""
        rule = self._rule
        operands = self.operands
        if rule is not None and rule.by_number:
            operands = operands[:1]
        return Children(operands)

    @property
    def _backward(self):
        """micrograd's per-node step: adds this node's local derivatives, times its .grad,
        into its operands' .grad, once. A home-made node runs the closure set on it
        (`out._backward = _backward`), or nothing."""
        closure = self.__dict__.get("_backward") if self._rule is None else None
        return closure or self._apply_local_derivatives

    @_backward.setter
    def _backward(self, closure):
        # A node given its own closure is home-made from now on: the closure is its rule.
        self.__dict__["_backward"] = closure
        self._rule = None

    def _apply_local_derivatives(self):
        rule = self._rule
        if rule is None:
            return
        operands = self.operands
        numbers = [x.data for x in operands]
        try:
            partials = [partial(*numbers, self.data) for partial in rule.float_partials]
        except (ArithmeticError, ValueError) as exc:
            raise derivative_error(self, exc) from None
        g = self.grad
        for i, d in zip(rule.receivers, partials):
            operands[i].grad += d * g

    # -- read-only views of how a node was made, for the layers above the engine ------------

    @property
    def op(self) -> Optional[Op]:
        """The registered operation (an `Op`) that made this node; None for an input or a
        home-made node."""
        rule = self._rule
        return None if rule is None else rule.op

    @property
    def operands(self) -> tuple[Value, ...]:
        """The Values this node was computed from, in order; () for an input."""
        a, b = self._a, self._b
        if a is None:
            return ()
        if b is None:
            return (a,)
        if self._rule is None and "_more" in self.__dict__:
            return (a, b) + self._more
        return (a, b)

    @property
    def op_label(self) -> str:
        """What made this node, as micrograd's `_op` writes it: '*', 'tanh', '**2', a home-made
        node's own text; '' for an input."""
        return str(self._op)

    def local_derivatives(self) -> tuple[float, ...]:
        """d(this node)/d(each operand) at the current numbers, in operand order. A home-made
        node's come from its own `_backward`, run once with this node's .grad at 1 and every
        .grad it touches put back afterwards (an operand given twice gets the sum at its
        first place)."""
        operands = self.operands
        if self._rule is not None:
            numbers = [x.data for x in operands]
            return tuple(float(d) for d in self._rule.op.derivative(*numbers, self.data))
        closure = self.__dict__.get("_backward")
        if closure is None:
            return (0.0,) * len(operands)
        saved = {id(x): (x, x.grad) for x in (self, *operands)}
        try:
            for x, _ in saved.values():
                x.grad = 0.0
            self.grad = 1.0
            closure()
            seen = set()
            local = []
            for x in operands:
                local.append(0.0 if id(x) in seen else float(x.grad))
                seen.add(id(x))
            return tuple(local)
        finally:
            for x, grad in saved.values():
                x.grad = grad

    @property
    def is_input(self) -> bool:
        """True for a leaf: a number given, not computed from other Values."""
        return self._a is None

    # -- the graph below this node ---------------------------------------------------------

    def backward(self) -> None:
        """Add d(self)/d(node) into every node's .grad, as micrograd does.

        Nothing is reset: calling backward() twice doubles every gradient, so zero the
        gradients (Module.zero_grad(), or node.grad = 0) between steps.
        """
        graph.backward(self)

    def zero_grad(self) -> None:
        """Reset the gradient of every node in this Value's graph."""
        graph.zero_grad(self)

    def recompute(self) -> Value:
        """Recompute this graph forward after inputs changed in place (`x.data = ...`)."""
        graph.recompute(self)
        return self

    # -- pickle and copies ------------------------------------------------------------------

    def __reduce_ex__(self, protocol):
        # A node pickles as its own fields plus its operands, which must be pickled before it.
        # The first node pickled (the root) first hands pickle every node below it, inputs
        # first, so that no node's operands are ever pickled from inside it: a graph a
        # million nodes deep pickles (and deep-copies) without deep recursion.
        fields = (self.data, self.grad, self._op,
                  None if self._rule is None else (self._rule.op.name, self._rule.by_number))
        state = (self._a, self._b, self.__dict__ or None)
        for described in getattr(_pickling, "described", ()):
            if id(self) in described:
                return (_rebuilt, fields, state)
        below = _Below(graph.topological_order(self)[:-1])
        return (_rebuilt_after, (below,) + fields, state)

    def __copy__(self):
        """A new node with the same fields and the same operands."""
        v = _rebuilt(self.data, self.grad, self._op, None)
        v._rule = self._rule
        v.__setstate__((self._a, self._b, dict(self.__dict__) or None))
        return v

    def __setstate__(self, state):
        self._a, self._b, extra = state
        if extra:
            self.__dict__.update(extra)

    # A notebook (IPython, Jupyter) shows a Value as a picture of its graph, as the lecture
    # draws it with draw_dot. Pictures are microcalc.render's business, a layer above this
    # one: it is imported only when a notebook asks, never by the engine's own work.
    def _repr_svg_(self):
        from ..render.notebook import value_svg
        return value_svg(self)

    def _repr_html_(self):
        from ..render.notebook import value_html
        return value_html(self)


_pickling = threading.local()      # .described: the nodes each root being pickled hands on


class _Below(list):
    """The nodes below a root being pickled, in topological order. While pickle (or deepcopy)
    goes through them, each is known to be described here, so it pickles as its own fields
    and its operands, which come before it."""

    def __reduce_ex__(self, protocol):
        return (list, (), None, self._members())

    def _members(self):
        stack = _pickling.__dict__.setdefault("described", [])
        stack.append({id(v) for v in self})
        try:
            yield from self
        finally:
            stack.pop()


def _rebuilt(data, grad, op_token, rule):
    v = Value.__new__(Value)
    v.data, v.grad, v._op, v._mark = data, grad, op_token, None
    v._rule = None if rule is None else rules.rule_for(*rule)
    v._a = v._b = None
    return v


def _rebuilt_after(below, data, grad, op_token, rule):
    return _rebuilt(data, grad, op_token, rule)


class Children(Set):
    """micrograd's `_prev`: a node's operands as a set (each once), in operand order, so a
    picture or a sum over them is the same on every run."""

    __slots__ = ("_items",)

    def __init__(self, items=()):
        self._items = tuple(dict.fromkeys(items))

    def __contains__(self, x):
        return x in self._items

    def __iter__(self):
        return iter(self._items)

    def __len__(self):
        return len(self._items)

    def __repr__(self):
        return "{" + ", ".join(map(repr, self._items)) + "}" if self._items else "set()"

    @classmethod
    def _from_iterable(cls, items):
        return set(items)       # set operations give a plain set, as micrograd's would

    # The named methods of set, beside the operators Set provides.
    def union(self, *others):
        return set(self).union(*others)

    def intersection(self, *others):
        return set(self).intersection(*others)

    def difference(self, *others):
        return set(self).difference(*others)

    def symmetric_difference(self, other):
        return set(self).symmetric_difference(other)

    def issubset(self, other):
        return set(self).issubset(other)

    def issuperset(self, other):
        return set(self).issuperset(other)

    def copy(self):
        return set(self)


def derivative_error(node, exc):
    return rules.derivative_error(node, exc)


# graph.py and rules.py build on Value; Value's methods call into them.
from . import graph, rules  # noqa: E402
