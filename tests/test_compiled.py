"""Compiled programs on graphs with known answers: the worked examples of backprop by hand, micrograd's
own tests, kinks at exactly 0, errors during replay, folded sums, and the interface."""

import math

import pytest

from microcalc import DomainError, MicrocalcError, Value, grad, recompute
from microcalc.compiled import compile_graph
from microcalc.engine import FUNCTIONS, OPS, topological_order

BACKENDS = ["python", "numpy"]
backends = pytest.mark.parametrize("backend", BACKENDS)


def replay(output, backend, values=None):
    """(value, gradients in the program's leaf order, program)."""
    program = compile_graph(output, backend)
    value = program.forward(values)
    return value, dict(zip(program.leaves, program.gradients())), program


@backends
def test_backprop_by_hand_example(backend):
    a, b, c, f = Value(2.0), Value(-3.0), Value(10.0), Value(-2.0)
    e = a * b
    d = e + c
    L = d * f
    value, g, program = replay(L, backend)
    assert value == -8
    assert (g[a], g[b], g[c], g[f]) == (6, -4, -2, 4)
    program.backward(write_back=True)
    assert (e.grad, d.grad, L.grad) == (-2, -2, 1)


@backends
def test_nudging_inputs_and_replaying(backend):
    a, b, c, f = Value(2.0), Value(-3.0), Value(10.0), Value(-2.0)
    L = (a * b + c) * f
    program = compile_graph(L, backend)
    program.forward()
    program.backward()
    for x in (a, b, c, f):
        x.data += 0.01 * x.grad
    assert round(program.forward(), 6) == -7.286496


@backends
@pytest.mark.parametrize("decomposed", [False, True])
def test_single_neuron(backend, decomposed):
    x1, x2, w1, w2 = Value(2.0), Value(0.0), Value(-3.0), Value(1.0)
    b = Value(6.8813735870195432)
    n = x1 * w1 + x2 * w2 + b
    if decomposed:
        e = (2 * n).exp()
        o = (e - 1) / (e + 1)
    else:
        o = n.tanh()
    value, g, _ = replay(o, backend)
    assert value == o.data
    if not decomposed:
        assert value == 0.7071067811865477
    expected = {x1: -1.5, w1: 1.0, x2: 0.5, w2: 0.0, b: 0.5}
    for leaf, d in expected.items():
        assert g[leaf] == pytest.approx(d, abs=1e-15)


@backends
def test_a_node_used_twice(backend):
    a = Value(3.0)
    _, g, _ = replay(a + a, backend)
    assert g[a] == 2
    a = Value(1.0)
    b = a + a
    _, g, _ = replay(b + b, backend)
    assert g[a] == 4


@backends
def test_more_worked_examples(backend):
    a, b = Value(-2.0), Value(3.0)
    value, g, _ = replay((a * b) * (a + b), backend)
    assert (value, g[a], g[b]) == (-6, -3, -8)
    a, b = Value(2.0), Value(3.0)
    value, g, _ = replay(a * b + a, backend)
    assert (value, g[a], g[b]) == (8, 4, 2)


@backends
def test_micrograd_sanity_check(backend):
    x = Value(-4.0)
    z = 2 * x + 2 + x
    q = z.relu() + z * x
    h = (z * z).relu()
    y = h + q + q * x
    value, g, _ = replay(y, backend)
    assert value == -20.0 and g[x] == 46.0


@backends
def test_micrograd_more_ops(backend):
    a, b = Value(-4.0), Value(2.0)
    c = a + b
    d = a * b + b ** 3
    c += c + 1
    c += 1 + c + (-a)
    d += d * 2 + (b + a).relu()
    d += 3 * d + (b - a).relu()
    e = c - d
    f = e ** 2
    g = f / 2.0
    g += 10.0 / f
    value, grads, _ = replay(g, backend)
    assert value == pytest.approx(2421 / 98, rel=1e-15)
    assert grads[a] == pytest.approx(47620 / 343, rel=1e-13)
    assert grads[b] == pytest.approx(221433 / 343, rel=1e-13)


@backends
def test_value_exponent_and_its_nan_rule(backend):
    a, b = Value(2.0), Value(3.0)
    value, g, program = replay(a ** b, backend)
    assert value == 8 and g[a] == 12 and g[b] == pytest.approx(8 * math.log(2), rel=1e-15)
    # A negative base with an integer exponent: the engine's d/db is nan (as PyTorch).
    assert program.forward([-2.0, 3.0]) == -8
    da, db = program.gradients()
    assert da == 12 and math.isnan(db)
    # And 0 to a positive power: d/db is 0 in the limit.
    program.forward([0.0, 3.0])
    assert program.gradients() == [0.0, 0.0]


@backends
@pytest.mark.parametrize("kink", ["relu", "abs"])
def test_kinks_at_exactly_zero_have_derivative_zero(backend, kink):
    x, y = Value(1.5), Value(-0.5)
    out = FUNCTIONS[kink](x - y) * 3.0 + FUNCTIONS[kink](y)
    program = compile_graph(out, backend)
    program.forward()
    g = dict(zip(program.leaves, program.gradients()))
    assert [g[x], g[y]] == grad(out, [x, y])
    # Move x onto y: x - y is exactly 0, and so is the kink's derivative there.
    moved = {x: -0.5, y: -0.5}
    assert program.forward([moved.get(v, v.data) for v in program.leaves]) == \
        FUNCTIONS[kink](-0.5)
    g = dict(zip(program.leaves, program.gradients()))
    expected_y = -1.0 if kink == "abs" else 0.0       # only the lone kink(y) is active
    assert (g[x], g[y]) == (0.0, expected_y)
    x.data = y.data = -0.5
    recompute(out)
    assert grad(out, [x, y]) == [0.0, expected_y]


@backends
@pytest.mark.parametrize("expression, start, moved, op_name", [
    (lambda x: x.log(), 1.0, -1.0, "log"),
    (lambda x: x.sqrt(), 1.0, -4.0, "sqrt"),
    (lambda x: 1.0 / x, 1.0, 0.0, "div"),
    (lambda x: x.exp(), 1.0, 1000.0, "exp"),
    (lambda x: x * 1e300, 1.0, 1e10, "mul"),
    (lambda x: x ** 0.5 + x ** 2, 1.0, -2.0, "pow"),
    (lambda x: (x * 1e300).sin() + x, 1.0, 1e10, "mul"),  # the first failure, not sin(inf)
    (lambda x: x + 1e308 + 1e308 + x, -1e308, 1.0, "add"),  # inside a folded sum
    (lambda x: (x * 1e300 * 1e300).relu(), 1e-300, -1.0, "mul"),  # relu would hide -inf
])
def test_a_replay_out_of_its_domain_raises_the_engines_error(backend, expression, start,
                                                             moved, op_name):
    x = Value(start)
    out = expression(x)
    program = compile_graph(out, backend)
    before = [v.data for v in topological_order(out)]
    values = [moved if leaf is x else leaf.data for leaf in program.leaves]
    with pytest.raises(DomainError) as replayed:
        program.forward(values)
    assert replayed.value.op_name == op_name
    assert [v.data for v in topological_order(out)] == before
    # The eager engine says the same, word for word.
    x.data = moved
    with pytest.raises(DomainError) as eager:
        recompute(out)
    assert str(replayed.value) == str(eager.value)
    # The program is still good for values in the domain.
    x.data = start
    recompute(out)
    assert program.forward() == out.data


@backends
@pytest.mark.parametrize("expression, op_name", [
    (lambda x: x.sqrt() * x.exp(), "sqrt"),
    (lambda x: x ** 0.5 + x.sqrt(), "sqrt"),      # both fail: the last node fails first
    (lambda x: x.sqrt() + x ** 0.5, "pow"),
])
def test_a_derivative_that_fails_raises_the_engines_error(backend, expression, op_name):
    x = Value(1.0)
    out = expression(x)
    program = compile_graph(out, backend)
    x.data = 0.0
    program.forward()
    x.grad = 0.25
    with pytest.raises(DomainError) as replayed:
        program.backward()
    assert replayed.value.op_name == op_name
    assert "derivative" in str(replayed.value)
    assert x.grad == 0.25                                   # nothing half-added
    recompute(out)
    with pytest.raises(DomainError) as eager:
        out.backward()
    assert str(replayed.value) == str(eager.value)


@backends
def test_a_non_finite_input_is_refused(backend):
    x = Value(1.0)
    program = compile_graph(x.tanh() * 2, backend)
    for bad in (math.nan, math.inf):
        with pytest.raises(DomainError, match="finite"):
            program.forward([bad, 2.0])


@backends
def test_backward_adds_into_grad_as_micrograd_does(backend):
    x = Value(3.0)
    program = compile_graph(x * x, backend)
    program.forward()
    program.backward()
    assert x.grad == 6
    program.backward()
    assert x.grad == 12            # backward twice doubles, as micrograd


@backends
def test_gradients_and_values_touch_no_value(backend):
    x, y = Value(2.0), Value(5.0)
    out = (x * y).tanh() + x
    program = compile_graph(out, backend)
    snapshot = [(v.data, v.grad) for v in topological_order(out)]
    i, j = program.leaf_index(x), program.leaf_index(y)
    values = [0.0, 0.0]
    values[i], values[j] = 0.5, -1.0
    assert program.forward(values) == math.tanh(-0.5) + 0.5
    g = program.gradients()
    assert g[i] == pytest.approx(-1.0 * (1 - math.tanh(-0.5) ** 2) + 1, rel=1e-15)
    assert g[j] == pytest.approx(0.5 * (1 - math.tanh(-0.5) ** 2), rel=1e-15)
    assert [(v.data, v.grad) for v in topological_order(out)] == snapshot


@backends
def test_write_back_stores_every_nodes_value_and_gradient(backend):
    a, b, c = Value(1.5), Value(-2.0), Value(0.25)
    chain = a * b + c - a + b.exp() + (a + c)      # a folded sum with a right-nested term
    out = chain.tanh() * chain
    nodes = topological_order(out)
    program = compile_graph(out, backend)
    assert program.stats()["folded"] > 0
    a.data, b.data = -0.75, 0.5
    recompute(out)
    expected_data = [v.data for v in nodes]
    out.backward()
    expected_grad = [v.grad for v in nodes]
    for v in nodes:
        v.grad = 0.0
        if not v.is_input:
            v.data = 0.0
    program.forward(write_back=True)
    assert [v.data for v in nodes] == expected_data
    program.backward(write_back=True)
    for got, want in zip([v.grad for v in nodes], expected_grad):
        assert got == pytest.approx(want, rel=1e-12, abs=0)


@backends
def test_a_long_sum_is_one_node_and_adds_left_to_right(backend):
    xs = [Value(float(i % 7) - 3.0) for i in range(1000)]
    total = sum(xs)                      # 0 + x0 + x1 + ...: a chain 1000 deep
    program = compile_graph(total, backend)
    stats = program.stats()
    assert (stats["depth_before"], stats["depth"]) == (1001, 2)
    assert program.forward() == total.data
    assert program.gradients() == [1.0] * 1001
    # Order matters for floats: (1e16 + 1) + 1 is 1e16, 1e16 + (1 + 1) is not.
    big, one, other = Value(1e16), Value(1.0), Value(1.0)
    for out in (big + one + other, big + (one + other), big - one + other - big):
        value, _, _ = replay(out, backend)
        assert value == out.data
    assert (big + one + other).data != (big + (one + other)).data


@backends
def test_a_shared_partial_sum_is_not_folded_away(backend):
    a, b, c, d = Value(1.0), Value(2.0), Value(3.0), Value(4.0)
    s = a + b                    # used twice: it must stay a node of its own
    out = (s + c) * (s * d)
    value, g, program = replay(out, backend)
    assert value == 72.0
    assert (g[a], g[b], g[c], g[d]) == (36, 36, 12, 18)
    program.forward(write_back=True)
    assert s.data == 3.0


@backends
def test_a_lone_leaf(backend):
    x = Value(4.0)
    program = compile_graph(x, backend)
    assert program.forward([5.0]) == 5.0
    program.backward()
    assert program.leaves == (x,) and x.grad == 1.0


@pytest.mark.parametrize("name", sorted(OPS))
def test_each_ops_array_rules_are_its_scalar_rules_to_the_last_bit(name):
    """Forward and partials of every op of OPS on arrays (what the numpy back end runs), on a
    grid of points in its domain, element by element against the scalar rules: the same
    floats, nan where the engine gives nan."""
    import numpy as np
    op = OPS[name]
    grid = [-2.5, -1.0, -0.3, -0.0, 0.0, 0.4, 1.0, 2.0, 3.7]
    points = [(x,) for x in grid] if op.arity == 1 else [(x, y) for x in grid for y in grid]
    good = []
    for p in points:
        try:
            out = op.forward(*p)
            partials = op.derivative(*p, out)
        except (ArithmeticError, ValueError):
            continue
        if math.isfinite(out) and all(isinstance(d, float) for d in partials):
            good.append((p, out, partials))
    assert good
    columns = [np.array([p[k] for p, _, _ in good]) for k in range(op.arity)]
    outs = np.array([out for _, out, _ in good])
    assert [repr(x) for x in op.array_forward(*columns).tolist()] == [repr(x) for x in outs.tolist()]
    replayed = op.array_derivative(*columns, outs)
    for k in range(op.arity):
        got = np.broadcast_to(replayed[k], outs.shape).tolist()
        want = [partials[k] for _, _, partials in good]
        assert [repr(x) for x in got] == [repr(x) for x in want]


def test_unknown_back_end_is_a_clear_error():
    with pytest.raises(MicrocalcError, match="back end"):
        compile_graph(Value(1.0) * 2, backend="fortran")


def test_auto_picks_python_for_small_graphs_and_numpy_for_wide_ones():
    x = Value(0.5)
    assert compile_graph(x.tanh() * x, "auto").backend == "python"
    xs = [Value(float(i)) for i in range(2000)]
    wide = sum(x * x for x in xs)
    assert compile_graph(wide, "auto").backend == "numpy"


@backends
def test_values_of_the_wrong_length_are_refused(backend):
    program = compile_graph(Value(1.0) * Value(2.0), backend)
    with pytest.raises(ValueError, match="2 leaves"):
        program.forward([1.0])


@backends
def test_a_replay_makes_no_values(backend, monkeypatch):
    xs = [Value(0.1 * i - 1.0) for i in range(50)]
    out = sum((x.tanh() * x).relu() for x in xs) ** 2
    program = compile_graph(out, backend)
    made = []
    original = Value.__init__

    def counting_init(self, *args, **kwargs):
        made.append(self)
        original(self, *args, **kwargs)

    monkeypatch.setattr(Value, "__init__", counting_init)
    for _ in range(3):
        program.forward()
        program.backward()
    assert made == []
    Value(1.0)
    assert len(made) == 1                 # the counter does see a Value being made


@pytest.mark.parametrize("backend", ["python", "numpy"])
def test_kept_nodes_can_be_read_after_a_replay(backend):
    a, b, c = Value(1.0), Value(2.0), Value(3.0)
    partial = a + b             # only the left operand of another +: folded unless kept
    total = (partial + c) * 2
    program = compile_graph(total, backend)
    with pytest.raises(ValueError, match="keep="):
        program.values_of([partial])
    program = compile_graph(total, backend, keep=[partial])
    a.data = 10.0
    assert program.forward() == 30.0
    assert program.values_of([partial, a, total]) == [12.0, 10.0, 30.0]
    assert partial.data == 3.0          # read, not written back


# Every op of the engine's table replays on both back ends, and a new one needs nothing more.

_POINTS = {"log": (0.7, 2.5), "sqrt": (0.7, 2.5), "pow": (1.3, 0.6), "div": (1.5, -0.8),
           "acosh": (1.3, 0.0), "log_base": (0.7, 2.5)}


def _graph_of(function, arity, width=40):
    """A sum of `width` applications of function to different leaves: wide enough for the
    numpy back end to replay them as one group."""
    a0, b0 = 0.3, -0.45
    xs = [Value(a0 + 0.01 * i) for i in range(width)]
    ys = [Value(b0 + 0.02 * i) for i in range(width)]
    nodes = [function(x) if arity == 1 else function(x, y) for x, y in zip(xs, ys)]
    return nodes, sum(n * n for n in nodes) + nodes[0]


def _assert_replays_like_the_engine(output):
    nodes = topological_order(output)
    leaves = [v for v in nodes if v.is_input]
    eager = grad(output, leaves)
    for backend in BACKENDS:
        program = compile_graph(output, backend)
        assert program.forward() == output.data
        got = dict(zip(program.leaves, program.gradients()))
        for leaf, want in zip(leaves, eager):
            assert got[leaf] == pytest.approx(want, rel=1e-13, abs=1e-300), backend


@pytest.mark.parametrize("name", sorted(OPS))
def test_every_op_of_OPS_replays_on_both_back_ends(name):
    op = OPS[name]
    a0, b0 = _POINTS.get(name, (0.3, -0.45))

    def function(*args):
        shifted = (args[0] + (a0 - 0.3),) + tuple(a + (b0 + 0.45) for a in args[1:])
        return FUNCTIONS[name](*shifted)

    nodes, output = _graph_of(function, op.arity)
    assert {v.op.name for v in topological_order(output) if not v.is_input} >= {name}
    _assert_replays_like_the_engine(output)


@pytest.fixture
def new_ops():
    """Ops registered for one test the way ops.py registers its own, then taken out."""
    from microcalc.engine import ops
    added = []

    def register(name, *args, **kwargs):
        ops._register(name, *args, **kwargs)
        ops.compile_table()
        added.append(name)
        return FUNCTIONS[name]

    yield register
    for name in added:
        del OPS[name]
    ops.compile_table()


def test_an_op_added_to_OPS_replays_on_both_back_ends(new_ops):
    """No more than its _register(...) entry: the array forms default to the scalar rules
    element by element, so a rule that branches works on arrays unchanged."""
    cube = new_ops("cube", 1, lambda x: x * x * x, ("3.0 * x * x",),
                   ("3*u**2",), "x cubed")
    larger = new_ops("larger", 2, lambda a, b: a if a >= b else b,
                     ("1.0 if a >= b else 0.0", "0.0 if a >= b else 1.0"),
                     ("u >= v", "u < v"), "the larger of two numbers")
    _, output = _graph_of(lambda x, y: cube(larger(x, y)), 2)
    _assert_replays_like_the_engine(output)
    assert compile_graph(output, "numpy").stats()["groups"] >= 2


def test_a_node_made_by_hand_is_refused_by_name():
    """A micrograd-style node with its own _backward has no op of OPS to replay."""
    x = Value(2.0)
    cube = Value(8.0, (x,), "cube")          # Value(data, _children, _op), as micrograd makes it
    with pytest.raises(MicrocalcError, match="made by hand"):
        compile_graph(cube * 2.0)


@backends
def test_a_deep_chain_of_ops(backend):
    """300 levels with no sum to fold: deeper than compiling counts in rounds."""
    x = Value(0.5)
    y = x
    for k in range(300):
        y = (y * 1.01).sin() if k % 2 else y.tanh() + x
    program = compile_graph(y, backend)
    assert program.stats()["depth"] > 300
    assert program.forward() == y.data
    assert program.gradients()[program.leaf_index(x)] == pytest.approx(grad(y, x), rel=1e-12)
