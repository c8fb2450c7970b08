"""The code people copy from micrograd's lecture runs on microcalc's Value unchanged.

Each test is written the way the lecture writes it: a graph drawn by walking `_prev` and
naming op nodes `str(id(n)) + n._op`, backpropagation by hand node by node with
`_backward()`, operations made at home with a closure, attributes set on Values, and the
exceptions micrograd code catches. The numbers are the lecture's worked examples.
"""

import math

import pytest

from microcalc import DomainError, Value, grad
from microcalc.engine import OPS


def trace(root):
    """The lecture's draw_dot traversal: every node and edge under root, through _prev."""
    nodes, edges = set(), set()

    def build(v):
        if v not in nodes:
            nodes.add(v)
            for child in v._prev:
                edges.add((child, v))
                build(child)
    build(root)
    return nodes, edges


def dot_source(root):
    """What draw_dot hands Graphviz: a record per node, an op node named id + _op."""
    nodes, edges = trace(root)
    lines = []
    for n in nodes:
        uid = str(id(n))
        lines.append(f"{uid} [label={n.label} | data {n.data:.4f} | grad {n.grad:.4f}]")
        if n._op:
            lines.append(f"{uid + n._op} [label={n._op}]")
            lines.append(f"{uid + n._op} -> {uid}")
    for n1, n2 in edges:
        lines.append(f"{id(n1)} -> {str(id(n2)) + n2._op}")
    return lines


def neuron():
    """The lecture's neuron: o = tanh(x1*w1 + x2*w2 + b), every node labelled."""
    x1 = Value(2.0, label='x1')
    x2 = Value(0.0, label='x2')
    w1 = Value(-3.0, label='w1')
    w2 = Value(1.0, label='w2')
    b = Value(6.8813735870195432, label='b')
    x1w1 = x1*w1; x1w1.label = 'x1*w1'
    x2w2 = x2*w2; x2w2.label = 'x2*w2'
    x1w1x2w2 = x1w1 + x2w2; x1w1x2w2.label = 'x1*w1 + x2*w2'
    n = x1w1x2w2 + b; n.label = 'n'
    o = n.tanh(); o.label = 'o'
    return locals()


def test_op_is_micrographs_string():
    x, y = Value(2.0), Value(3.0)
    assert [v._op for v in (x + y, x * y, x.relu(), x.tanh(), x.exp())] == \
        ['+', '*', 'ReLU', 'tanh', 'exp']
    assert [(x ** k)._op for k in (2, -1, 0.5, 3.0)] == ['**2', '**-1', '**0.5', '**3.0']
    assert (x ** y)._op == '**' and (2 ** x)._op == '**'
    assert [v._op for v in (x - y, x / y, -x, x.log(), x.sigmoid())] == \
        ['-', '/', '-', 'log', 'sigmoid']
    assert x._op == ''
    # the registered operation stays reachable, read-only
    assert (x * y).op is OPS["mul"] and (x ** 2).op is OPS["pow"] and x.op is None
    with pytest.raises(AttributeError):
        (x * y).op = OPS["add"]


def test_draw_dot_names_op_nodes_by_string_concatenation():
    g = neuron()
    g['o'].backward()
    nodes, edges = trace(g['o'])
    assert len(nodes) == 10 and len(edges) == 9
    lines = dot_source(g['o'])
    assert f"{id(g['o'])}tanh [label=tanh]" in lines
    assert f"{id(g['n'])} -> {id(g['o'])}tanh" in lines
    assert f"{id(g['x1'])} [label=x1 | data 2.0000 | grad -1.5000]" in lines
    # x ** 2 is one node with one child, as in micrograd: the 2 is in its name
    x = Value(3.0)
    nodes, edges = trace(x ** 2)
    assert len(nodes) == 2 and len(edges) == 1


def test_backprop_by_hand_node_by_node():
    """The lecture's cells: o.grad = 1, then each node's _backward() in reverse order."""
    g = neuron()
    o, n, b = g['o'], g['n'], g['b']
    x1w1x2w2, x1w1, x2w2 = g['x1w1x2w2'], g['x1w1'], g['x2w2']
    o.grad = 1.0
    o._backward()
    assert n.grad == pytest.approx(0.5, abs=1e-15)        # 1 - o**2
    n._backward()
    b._backward()                                          # an input: nothing to do
    x1w1x2w2._backward()
    x2w2._backward()
    x1w1._backward()
    grads = {name: g[name].grad for name in ('x1', 'w1', 'x2', 'w2', 'b')}
    expected = {'x1': -1.5, 'w1': 1.0, 'x2': 0.5, 'w2': 0.0, 'b': 0.5}
    for name, value in expected.items():
        assert grads[name] == pytest.approx(value, abs=1e-15), name


def test_one_backward_step_applies_the_local_derivative_once():
    x, y = Value(2.0), Value(3.0)
    z = x * y
    z.grad = 2.0
    z._backward()
    assert (x.grad, y.grad) == (6.0, 4.0)
    z._backward()
    assert (x.grad, y.grad) == (12.0, 8.0)
    w = x ** 2                     # a number exponent: only the base gets a gradient
    w.grad = 1.0
    w._backward()
    assert x.grad == 16.0


def test_the_neuron_with_tanh_written_with_exp():
    g = neuron()
    e = (2 * g['n']).exp()
    o = (e - 1) / (e + 1)
    o.backward()
    expected = {'x1': -1.5, 'w1': 1.0, 'x2': 0.5, 'w2': 0.0, 'b': 0.5}
    for name, value in expected.items():
        assert g[name].grad == pytest.approx(value, abs=1e-14), name


def test_an_op_made_at_home_with_a_closure():
    """micrograd's exercise: an op written as micrograd writes its own."""
    def times(self, other):
        out = Value(self.data * other.data, (self, other), '*')

        def _backward():
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad
        out._backward = _backward
        return out

    a, b, c = Value(-2.0), Value(3.0), Value(4.0)
    d = times(a, b)
    assert d.op is None and d._op == '*' and d.operands == (a, b)
    f = (times(d, c) + a).tanh()
    f.backward()
    a2, b2, c2 = Value(-2.0), Value(3.0), Value(4.0)
    ((a2 * b2 * c2) + a2).tanh().backward()
    assert (a.grad, b.grad, c.grad) == (a2.grad, b2.grad, c2.grad)
    assert grad(f, [a, b, c]) == [a.grad, b.grad, c.grad]


def test_a_home_made_op_with_three_children():
    a, b, c = Value(1.0), Value(2.0), Value(3.0)
    out = Value(a.data * b.data * c.data, (a, b, c), 'prod3')

    def _backward():
        a.grad += b.data * c.data * out.grad
        b.grad += a.data * c.data * out.grad
        c.grad += a.data * b.data * out.grad
    out._backward = _backward
    assert out.operands == (a, b, c) and list(out._prev) == [a, b, c]
    y = out * out                                  # d(y)/d(out) = 2 * out = 12
    y.backward()
    assert (a.grad, b.grad, c.grad, out.grad) == (72.0, 36.0, 24.0, 12.0)
    nodes, edges = trace(y)
    assert len(nodes) == 5 and len(edges) == 4


def test_a_home_made_node_without_a_closure_passes_nothing_back():
    a, b = Value(1.0), Value(2.0)
    out = Value(3.0, (a, b), '+')
    (out * 2).backward()
    assert out.grad == 2.0 and a.grad == 0.0 and b.grad == 0.0


def test_a_closure_set_on_a_registered_node_replaces_its_rule():
    x = Value(3.0)
    y = x * x

    def _backward():
        x.grad += 100.0 * y.grad
    y._backward = _backward
    assert y.op is None
    y.backward()
    assert x.grad == 100.0


def test_values_take_new_attributes():
    """EurekaLabsAI's micrograd keeps AdamW's moments on each parameter and colours nodes."""
    p = Value(0.5)
    assert vars(p) == {}
    p.m, p.v = 0, 0
    p.grad = 0.2
    p.m = 0.9 * p.m + 0.1 * p.grad
    assert (p.m, p.v) == (pytest.approx(0.02), 0)
    for n in (p, p * 2):
        setattr(n, '_vis_color', 'lightgreen')
    assert hasattr(p, '_vis_color') and not hasattr(Value(1.0), '_vis_color')
    assert Value(1.0).label == '' and Value(1.0, label='a').label == 'a'


def test_prev_is_a_set():
    a, b, c = Value(1.0), Value(2.0), Value(3.0)
    d = a * b
    assert len(d._prev) == 2 and a in d._prev and c not in d._prev
    assert d._prev == {a, b} and set(d._prev) == {a, b}
    assert d._prev | {c} == {a, b, c} and {c} | d._prev == {a, b, c}
    assert d._prev & {b, c} == {b} and d._prev - {a} == {b}
    assert d._prev ^ {b, c} == {a, c}
    assert d._prev.union({c}) == {a, b, c} and d._prev.issubset({a, b, c})
    assert d._prev.isdisjoint({c}) and d._prev <= {a, b}
    assert list(d._prev) == [a, b]                 # in operand order, on every run
    assert len((a + a)._prev) == 1                 # each child once, as a set
    assert a._prev == set() and len(a._prev) == 0


@pytest.mark.parametrize("build, python_error", [
    (lambda: Value(1.0) / 0, ZeroDivisionError),
    (lambda: 1 / Value(0.0), ZeroDivisionError),
    (lambda: Value(0.0) ** -1, ZeroDivisionError),
    (lambda: Value(1000.0).exp(), OverflowError),
    (lambda: Value(1e200) * 1e200, OverflowError),
    (lambda: Value(10.0) ** 400, OverflowError),
    (lambda: Value(-1.0).log(), ValueError),
    (lambda: Value(-1.0).sqrt(), ValueError),
    (lambda: Value(-8.0) ** (1 / 3), ValueError),
    (lambda: Value(float("nan")), ValueError),
    (lambda: Value(10 ** 400), OverflowError),
])
def test_domain_errors_are_the_exceptions_python_raises(build, python_error):
    with pytest.raises(python_error) as info:
        build()
    assert isinstance(info.value, DomainError)
    assert isinstance(info.value, ArithmeticError) or isinstance(info.value, ValueError)
    # the same mistake in plain Python raises the same class
    assert "(" in str(info.value) and ":" in str(info.value)    # microcalc's message


def test_derivative_errors_are_python_exceptions_too():
    x = Value(0.0)
    with pytest.raises(ZeroDivisionError):
        (x ** 0.5).backward()
    with pytest.raises(OverflowError):
        Value(5e-324).log().backward()


def test_grad_with_respect_to_an_inner_node():
    a, b, c, f = Value(2.0), Value(-3.0), Value(10.0), Value(-2.0)
    e = a * b
    d = e + c
    L = d * f
    assert grad(L, [d, e, a]) == [-2.0, -2.0, 6.0]
    assert grad(L, L) == 1.0
    assert grad(L, a * b) == 0.0         # a new node, not the e inside L
