"""The engine at the edges of the math, and as a Python object: pickling, deep copies, bad
arguments, threads. Each answer is checked against an independent one: exact values, and
PyTorch in float64 where it is installed."""

import copy
import math
import pickle
import threading

import pytest

from microcalc import DomainError, Value, grad, gradcheck
from microcalc.engine import OPS, topological_order
from microcalc.render import check

try:
    import torch
except ImportError:          # the exact answers below still run
    torch = None

needs_torch = pytest.mark.skipif(torch is None, reason="PyTorch is not installed")


def torch_grads(build, *points):
    """d(build(*xs))/d(x) for each x, by PyTorch in float64."""
    xs = [torch.tensor(p, dtype=torch.float64, requires_grad=True) for p in points]
    build(*xs).backward()
    return [x.grad.item() for x in xs]


# -- pickling, deep copies, arguments, threads --------------------------------------------

def neuron():
    x1, x2, w1, w2 = Value(2.0), Value(0.0), Value(-3.0), Value(1.0)
    b = Value(6.8813735870195432, label="b")
    o = (x1 * w1 + x2 * w2 + b).tanh()
    return o, [x1, x2, w1, w2, b]


@pytest.mark.parametrize("copier", [lambda v: pickle.loads(pickle.dumps(v)), copy.deepcopy],
                         ids=["pickle", "deepcopy"])
def test_a_graph_pickles_and_deep_copies(copier):
    o, inputs = neuron()
    o.backward()
    o2, inputs2 = copier((o, inputs))
    assert o2 is not o and o2.data == o.data and o2._op == "tanh" and o2.op is OPS["tanh"]
    assert [x.grad for x in inputs2] == [x.grad for x in inputs]
    assert inputs2[4].label == "b"
    nodes = topological_order(o2)
    assert all(x in nodes for x in inputs2)      # the copied inputs are the graph's inputs
    assert grad(o2, inputs2) == grad(o, inputs)
    square = copier(Value(3.0) ** 2)
    assert square._op == "**2" and len(square._prev) == 1


@pytest.mark.parametrize("copier", [lambda v: pickle.loads(pickle.dumps(v, protocol=p))
                                    for p in (2, pickle.HIGHEST_PROTOCOL)] + [copy.deepcopy],
                         ids=["pickle2", "pickle-highest", "deepcopy"])
@pytest.mark.slow
def test_a_graph_40000_nodes_deep_pickles_and_deep_copies(copier):
    """Far deeper than Python's recursion limit (pickle recurses in C at about 1,000)."""
    x = Value(1.0)
    y = x
    for _ in range(20_000):
        y = y * 1.0 + 1.0
    y2 = copier(y)
    assert y2.data == 20_001.0
    leaves = [v for v in topological_order(y2) if v.is_input]
    x2 = leaves[0]
    assert x2.data == 1.0 and grad(y2, x2) == 1.0


def test_attributes_set_on_a_value_survive_pickling():
    p = Value(0.5)
    p.m, p.v = 0.1, 0.2
    q = pickle.loads(pickle.dumps(p))
    assert (q.data, q.m, q.v) == (0.5, 0.1, 0.2)


@pytest.mark.parametrize("bad", ["x", b"x", 3.0, [Value(1.0), "x"], None])
def test_grad_by_something_that_is_not_a_value_is_a_type_error(bad):
    y = Value(2.0) * 3
    with pytest.raises(TypeError, match="Values"):
        grad(y, bad)


def test_backward_from_several_threads_adds_every_thread_s_derivative():
    x = Value(0.3)
    y = x
    for _ in range(300):
        y = (y * 1.0001).tanh() + x
    single = grad(y, x)
    threads, calls = 4, 25

    def work():
        for _ in range(calls):
            y.backward()
    pool = [threading.Thread(target=work) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    assert x.grad == pytest.approx(threads * calls * single, rel=1e-12)


# -- issue points on the math ----------------------------------------------------------------

def test_powers_at_exactly_zero_have_their_derivatives():
    """x**k at x = 0: the rule b*a**(b-1) must not compute 0**-1 when b = 0."""
    z = Value(0.0)
    assert grad(z ** 0, z) == 0.0
    x = Value(0.0)
    assert grad(grad(x ** 1, x, create_graph=True), x) == 0.0
    d1 = grad(x ** 2, x, create_graph=True)
    d2 = grad(d1, x, create_graph=True)
    assert (d1.data, d2.data, grad(d2, x)) == (0.0, 2.0, 0.0)
    y = Value(0.0)
    (y ** 0).backward()
    assert y.grad == 0.0


@needs_torch
def test_powers_at_zero_agree_with_pytorch():
    z = Value(0.0)
    assert torch_grads(lambda z: z ** 0, 0.0) == [grad(z ** 0, z)]
    x = torch.tensor(0.0, dtype=torch.float64, requires_grad=True)
    (d1,) = torch.autograd.grad(x ** 2, x, create_graph=True)
    (d2,) = torch.autograd.grad(d1, x, create_graph=True)
    (d3,) = torch.autograd.grad(d2, x)
    v = Value(0.0)
    e1 = grad(v ** 2, v, create_graph=True)
    e2 = grad(e1, v, create_graph=True)
    assert (e1.data, e2.data, grad(e2, v)) == (d1.item(), d2.item(), d3.item())


def blocked_cases():
    """An undefined partial (d(a**b)/db, a < 0) behind a partial that is exactly 0."""
    return {
        "exponent through relu of a negative": (lambda a, z: a ** z.relu(), (-2.0, -0.5)),
        "exponent through z**0": (lambda a, z: a ** (z ** 0), (-2.0, 1.5)),
    }


@pytest.mark.parametrize("name", blocked_cases())
def test_an_undefined_partial_behind_an_exact_zero_gives_the_finite_gradient(name):
    build, point = blocked_cases()[name]
    a, z = Value(point[0]), Value(point[1])
    y = build(a, z)
    assert grad(y, z) == 0.0
    assert grad(y, z, create_graph=True).data == 0.0
    y.backward()
    assert z.grad == 0.0
    assert math.isfinite(a.grad)


@needs_torch
@pytest.mark.parametrize("name", blocked_cases())
def test_blocked_undefined_partials_agree_with_pytorch(name):
    build, point = blocked_cases()[name]
    expected = torch_grads(build, *point)
    a, z = Value(point[0]), Value(point[1])
    build(a, z).backward()
    assert [a.grad, z.grad] == expected


def test_the_undefined_exponent_gradient_itself_stays_nan():
    a, b = Value(-2.0), Value(2.0)
    c = a ** b
    assert math.isnan(grad(c, b))
    c.backward()
    assert a.grad == -4.0 and math.isnan(b.grad)


@pytest.mark.parametrize("build, x", [
    (lambda x: x.log(), 5e-324),
    (lambda x: 1 / x, 1e-200),
    (lambda x: x ** 0.5, 0.0),
])
def test_an_infinite_gradient_is_a_domain_error_never_inf(build, x):
    v = Value(x)
    y = build(v)
    with pytest.raises(DomainError, match="derivative"):
        y.backward()
    assert v.grad == 0.0 and y.grad == 0.0            # left as they were
    with pytest.raises(DomainError):
        grad(y, v)
    with pytest.raises(DomainError):
        grad(y, v, create_graph=True)


def test_a_second_derivative_builds_no_unused_partial():
    x = Value(1e154)
    d1 = grad(x ** 2, x, create_graph=True)
    assert "log" not in {v.op.name for v in topological_order(d1) if v.op}
    assert grad(d1, x) == 2.0
    # a partial that only leads to a constant is not built: 1e-300 * x * x
    x = Value(1e200)
    assert grad(1e-300 * x * x, x, create_graph=True).data == pytest.approx(2e-100, rel=1e-15)


def test_gradcheck_does_not_flag_a_zero_gradient_because_of_rounding():
    x = Value(1.0)
    y = x ** 3 - 3 * x                  # dy/dx = 0 at 1; the difference is h**2 and noise
    [result] = gradcheck(y, x)
    assert result.autodiff == 0.0 and result.numeric != 0.0
    assert result.error < 1e-5
    assert check(y, [x]).data["failed"] == 0
    z = Value(1e-3)                     # a small true gradient beside a large function
    [small] = gradcheck((z - 1e-3) ** 2 + z * 1e-6 + 1000.0, z)
    assert small.error < 1e-5 and small.autodiff == pytest.approx(1e-6)


def test_gradcheck_still_flags_a_wrong_small_gradient(monkeypatch):
    from microcalc.engine.ops import compile_table
    monkeypatch.setattr(OPS["sin"], "partials", ("0.0",))
    compile_table()
    try:
        x = Value(0.3)
        [result] = gradcheck(1000.0 + x.sin() * 1e-3, x)    # true gradient 1e-3 * cos(0.3)
        assert result.autodiff == 0.0 and result.error > 1e-4
    finally:
        monkeypatch.undo()
        compile_table()


def test_a_derivative_by_a_value_exponent_at_zero_still_follows_the_exponent():
    x, y = Value(3.0), Value(0.0)
    g = grad(x ** y, x, create_graph=True)      # 0 now, but a graph of y, not a constant
    assert g.data == 0.0
    y.data = 2.0
    assert g.recompute().data == 6.0


def test_an_infinite_partial_behind_a_zero_gradient_is_still_an_error():
    """0 times infinity is not 0: z * sqrt(z) at 0 has no derivative the chain rule can
    give (PyTorch says nan), in both ways of asking."""
    z = Value(0.0)
    y = z * z.sqrt()
    with pytest.raises(DomainError):
        grad(y, z)
    with pytest.raises(DomainError):
        grad(y, z, create_graph=True)
    with pytest.raises(DomainError):
        y.backward()
    assert z.grad == 0.0


def test_a_shallow_copy_shares_the_operands_and_pickling_keeps_shared_nodes_shared():
    a, b = Value(2.0), Value(3.0)
    c = a * b
    d = copy.copy(c)
    assert d is not c and d.operands == (a, b) and d.op is OPS["mul"] and d.data == 6.0
    inner = a * b
    top = inner.tanh() + inner
    inner2, top2 = pickle.loads(pickle.dumps([inner, top]))
    assert top2.operands[1] is inner2 and top2.operands[0].operands[0] is inner2


@pytest.mark.parametrize("build, x", [
    (lambda x: 0.0 ** (-((-x) ** x)), 1.0),       # nan behind a zero gradient: still nan
    (lambda x: x * x.sqrt(), 0.0),                 # infinity behind a zero gradient: an error
    (lambda x: (-2.0) ** x.relu(), -0.5),          # behind a partial of exactly 0: 0
    (lambda x: x * x.hypot(x), 0.0),               # 0/0 of hypot behind a gradient Value of 0
])
def test_backward_and_create_graph_agree_at_the_edges(build, x):
    def outcome(create_graph):
        v = Value(x)
        try:
            d = grad(build(v), v, create_graph=create_graph)
        except DomainError:
            return "error"
        d = d.data if isinstance(d, Value) else d
        return "nan" if math.isnan(d) else d
    assert outcome(False) == outcome(True)
