"""Walking a graph: its topological order, the backward pass, `grad`, recomputation.

One walk (`walk`) lists a graph's nodes, each after its operands, iteratively (a graph a
million nodes deep is no problem) and without a visited set: each node carries the walk's
mark. The walk, and every pass that reads or writes `.grad`, holds one lock, so backward()
from several threads on one graph adds each thread's derivatives in turn.

Gradients are never silently infinite: a pass whose result is not finite is redone with
every partial checked, which raises DomainError where a derivative is infinite, and treats a
partial that is exactly 0 as blocking whatever comes from above it (as PyTorch does: relu of
a negative stops an undefined gradient). The one nan that is kept is documented: d(a**b)/db
for a < 0, which is undefined (as in PyTorch).
"""

from __future__ import annotations

import math
import threading
from operator import attrgetter

from ..errors import DomainError
from . import rules
from .collector import collector_paused
from .value import Value

TYPE_CHECKING = False      # typing is not imported when microcalc runs
if TYPE_CHECKING:
    from typing import Any, Optional, Sequence, Union

__all__ = ["topological_order", "backward", "grad", "backward_gradients", "zero_grad",
           "recompute"]

_LOCK = threading.RLock()
_grad_of = attrgetter("grad")


def walk(root: Value, leaves: Optional[list[Value]] = None) -> list[Value]:
    """Every node under root, each after all of its operands (operands in order); the
    inputs among them are also added to the list leaves, if one is given.

    micrograd's build_topo without recursion: a node goes on the stack until its operands
    are listed, and the walk goes straight down to a node's first operand instead of
    through the stack (chains of `+` are long), which lists nodes in the same order.
    """
    order = []
    emit = order.append
    seen, done = object(), object()      # this walk's marks: operands pending, listed
    stack = [root]
    push = stack.append
    pop = stack.pop
    while stack:
        v = pop()
        mark = v._mark
        if mark is seen:                 # back on top: its operands are listed
            v._mark = done
            emit(v)
            continue
        if mark is done:
            continue
        while True:
            a = v._a
            if a is None:
                v._mark = done
                emit(v)
                if leaves is not None:
                    leaves.append(v)
                break
            if v._rule is None and "_more" in v.__dict__:
                v._mark = seen           # a home-made node with more than two operands
                push(v)
                stack.extend(c for c in reversed(v.operands) if c._mark is not done)
                break
            b = v._b
            if b is not None and b._mark is not done:
                v._mark = seen
                push(v)
                push(b)
            elif a._mark is done:        # nothing left to list first
                v._mark = done
                emit(v)
                break
            else:
                v._mark = seen
                push(v)
            if a._mark is done:
                break
            v = a                        # as if pushed and popped at once
    return order


def topological_order(root: Value) -> list[Value]:
    """Every node under root, each after all of its operands; iterative, so depth is free."""
    with _LOCK:
        return walk(root)


def zero_grad(root: Value) -> None:
    with _LOCK:
        for v in walk(root):
            v.grad = 0.0


def _set_aside(order):
    """Zero every .grad of order, returning the (node, grad) pairs that were not 0."""
    if not any(map(_grad_of, order)):
        return []
    aside = [(v, v.grad) for v in order if v.grad]
    for v, _ in aside:
        v.grad = 0.0
    return aside


def _restore(order, aside):
    for v in order:
        v.grad = 0.0
    for v, before in aside:
        v.grad = before


def _finite(nodes):
    total = sum(map(_grad_of, nodes))
    return not (total - total)           # inf or nan in any term (or an overflowing sum)


def _pass(root, order, leaves):
    """d(root)/d(v) into v.grad for every v of order (all zero before), root first."""
    root.grad = 1.0
    try:
        rules.propagate(reversed(order))
        if _finite(leaves):
            return
    except (ArithmeticError, ValueError):
        pass
    # An infinite or undefined partial somewhere: do it again, carefully.
    for v in order:
        v.grad = 0.0
    root.grad = 1.0
    _careful_pass(reversed(order), leaves)


def _careful_pass(nodes, leaves):
    """The backward pass with every partial checked. A partial that is exactly 0 contributes
    0 whatever the gradient above it (so relu of a negative, or x**0, stops an infinite or
    undefined one), as PyTorch's where(); an infinite partial, or one that cannot be computed,
    that reaches an input is a DomainError, even behind a gradient of 0 (0 times infinity is
    not 0). nan from d(a**b)/db at a < 0 is kept: undefined, as in PyTorch."""
    trouble = None                      # (node, exception) of the first infinite partial
    for v in nodes:
        g = v.grad
        rule = v._rule
        if rule is None:
            if v._a is not None:
                v._backward()
            continue
        if not g and rules.skips_zero(rule):
            continue
        operands = v.operands
        numbers = [x.data for x in operands]
        for i, partial in zip(rule.receivers, rule.float_partials):
            try:
                d = partial(*numbers, v.data)
            except (ArithmeticError, ValueError) as exc:
                d, trouble = math.inf, trouble or (v, exc)
            if d == 0:
                continue
            contribution = d * g
            if contribution in (math.inf, -math.inf):
                trouble = trouble or (v, None)
            operands[i].grad += contribution
    bad = [v.grad for v in leaves if v.grad - v.grad]
    if any(g != g for g in bad) and trouble is None:
        bad = [g for g in bad if g == g]          # undefined (nan), not infinite
    if bad:
        node, exc = trouble or (next(v for v in leaves if v.grad - v.grad), None)
        raise rules.derivative_error(node, exc)


def backward(root: Value) -> None:
    """Add d(root)/d(node) into every node's .grad (Value.backward)."""
    with _LOCK:
        leaves = []
        order = walk(root, leaves)
        aside = _set_aside(order)
        try:
            _pass(root, order, leaves)
        except BaseException:
            _restore(order, aside)
            raise
        for v, before in aside:
            v.grad += before


def grad(output: Value, inputs: Union[Value, Sequence[Value]],
         create_graph: bool = False) -> Any:
    """d(output)/d(input) for one input or a list of them, touching no .grad field.

    An input may be any node of output's graph (an inner node gives d(output)/d(node));
    one output does not depend on gets 0. With create_graph=True the derivatives are Values
    whose graphs lead back to the inputs, so they can be differentiated again:
    grad(grad(y, x, create_graph=True), x). An undefined derivative comes back as a float
    nan, also with create_graph=True (a Value cannot hold nan).
    """
    single = isinstance(inputs, Value)
    targets = [inputs] if single else _targets(inputs)
    if not isinstance(output, Value):
        raise TypeError(f"grad needs a Value to differentiate, not {type(output).__name__}")
    if create_graph:
        with collector_paused():
            results = _graph_gradients(output, targets)
    else:
        results = _float_gradients(output, targets)
    return results[0] if single else results


def _targets(inputs):
    if isinstance(inputs, (str, bytes)):
        raise TypeError(f"grad differentiates with respect to Values, not {inputs!r}")
    try:
        targets = list(inputs)
    except TypeError:
        raise TypeError(f"grad differentiates with respect to Values, not "
                        f"{type(inputs).__name__}") from None
    for x in targets:
        if not isinstance(x, Value):
            raise TypeError(f"grad differentiates with respect to Values, not "
                            f"{type(x).__name__}")
    return targets


def _float_gradients(output, targets):
    """The backward pass on the graph's own .grad fields, put back as they were after."""
    return _gradients(output, targets, check_inputs=False)


def backward_gradients(output: Value, nodes: Sequence[Value]) -> list[float]:
    """What backward() would add into each of nodes' .grad, touching no .grad field:
    infinite gradients raise DomainError where they reach an input, as backward() does."""
    return _gradients(output, nodes, check_inputs=True)


def _gradients(output, targets, check_inputs):
    with _LOCK:
        leaves = []
        order = walk(output, leaves)
        done = output._mark
        aside = _set_aside(order)
        try:
            _pass(output, order,
                  leaves if check_inputs else [x for x in targets if x._mark is done])
            return [x.grad if x._mark is done else 0.0 for x in targets]
        finally:
            _restore(order, aside)


def _graph_gradients(output, targets):
    """The derivatives as Values (create_graph=True): the backward pass with every partial
    built as a graph, only along paths that lead to a target."""
    with _LOCK:
        order = walk(output)
    leads = set(targets)
    for v in order:
        if v not in leads and v._a is not None and any(c in leads for c in v.operands):
            leads.add(v)
    adjoint = {output: Value(1.0)} if output in leads else {}
    trouble = None
    for v in reversed(order):
        if v._a is None or v not in leads:
            continue
        g = adjoint.get(v)
        rule = v._rule
        if g is None:
            # Its gradient is 0 (nothing reached it, or only partials of exactly 0): 0 times
            # a partial is 0, unless the partial is infinite or undefined here, as in the
            # backward pass on floats.
            trouble = _zero_times_partials(v, rule, leads, adjoint, trouble)
            continue
        if rule is None:
            raise TypeError("create_graph=True cannot differentiate through a home-made node "
                            f"({v._op or 'no _op'}): its _backward works on floats")
        operands = v.operands
        arguments = list(operands)
        if rule.by_number:
            arguments[1] = operands[1].data      # x ** 2: the exponent stays a number
        for i, partial in zip(rule.receivers, rule.partials):
            child = operands[i]
            if child not in leads:
                continue
            try:
                d = partial(*arguments, v)
            except (ArithmeticError, ValueError) as exc:
                if g.__class__ is Value and g.data == 0.0 and rules.skips_zero(rule):
                    continue     # bounded partials times exactly 0, as backward() skips them
                d, trouble = math.inf, trouble or (v, exc)
            contribution = _times(d, g)
            if contribution is None:
                continue
            before = adjoint.get(child)
            adjoint[child] = contribution if before is None else _plus(before, contribution)
    results = []
    for x in targets:
        d = adjoint.get(x)
        if d is None:
            d = Value(0.0)
        elif d.__class__ is float:
            if d != d and trouble is None:
                pass                   # undefined: d(a**b)/db at a < 0
            else:
                node, exc = trouble or (output, None)
                # A partial built as a graph failed in one of its own ops: that op's error.
                raise exc if isinstance(exc, DomainError) else rules.derivative_error(node, exc)
        results.append(d)
    return results


def _zero_times_partials(v, rule, leads, adjoint, trouble):
    """A node whose gradient is 0 passes nan to the operands whose partial is infinite or
    undefined (0 times it), and nothing to the others; the partials are taken on floats."""
    if rule is None or rules.skips_zero(rule):
        return trouble                   # a home-made node, or partials that are always finite
    operands = v.operands
    numbers = [x.data for x in operands]
    for i, partial in zip(rule.receivers, rule.float_partials):
        child = operands[i]
        if child not in leads:
            continue
        try:
            d = partial(*numbers, v.data)
        except (ArithmeticError, ValueError) as exc:
            d, trouble = math.inf, trouble or (v, exc)
        if d - d:
            before = adjoint.get(child)
            adjoint[child] = math.nan if before is None else _plus(before, math.nan)
    return trouble


def _times(d, g):
    """The contribution partial d times gradient g, as a Value, or a float inf or nan for an
    infinite or undefined one; None for exactly 0."""
    if d.__class__ is float:
        if d == 0:
            return None              # exactly 0: nothing, whatever g is
        if d == 1.0:
            return g
        if d == -1.0:
            return -g
        if d - d:                    # inf (cannot be computed) or nan (undefined)
            return d
    if g.__class__ is float:         # g is inf or nan
        if d.__class__ is Value and d.data == 0:
            return None
        return g
    return d * g


def _plus(before, contribution):
    if before.__class__ is float or contribution.__class__ is float:
        if math.inf in (before, contribution) or -math.inf in (before, contribution):
            return math.inf
        return math.nan
    return before + contribution


def recompute(output: Value, order: Optional[Sequence[Value]] = None) -> Value:
    """Recompute every node under output from its operands' current data, inputs first."""
    if order is None:
        order = topological_order(output)
    for v in order:
        a = v._a
        if a is None:
            continue
        rule = v._rule
        if rule is None:
            raise TypeError(f"cannot recompute a home-made node ({v._op or 'no _op'}): "
                            "it has no forward rule")
        b = v._b
        v.data = rule.op.evaluate(a.data) if b is None else rule.op.evaluate(a.data, b.data)
    return output
