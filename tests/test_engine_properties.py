"""Property tests: random expressions built from every registered op, differentiated by the
engine and by central finite differences."""

import math

from hypothesis import assume, given, settings, strategies as st

from microcalc import DomainError, Value, grad
from microcalc.engine import FUNCTIONS, OPS, topological_order

UNARY = sorted(name for name, op in OPS.items() if op.arity == 1)
BINARY = sorted(name for name, op in OPS.items() if op.arity == 2)
KINKED = {"relu", "abs", "step", "sign"}   # not differentiable at 0: differences must not straddle it
# Where the other ops are not differentiable, or their derivative blows up: finite differences
# must keep away from there too.
NEAR_SINGULAR = {
    "floor": lambda x: abs(x - round(x)) < 1e-2, "ceil": lambda x: abs(x - round(x)) < 1e-2,
    "max": lambda a, b: abs(a - b) < 1e-2, "min": lambda a, b: abs(a - b) < 1e-2,
    "asin": lambda x: abs(x) > 0.95, "acos": lambda x: abs(x) > 0.95,
    "atanh": lambda x: abs(x) > 0.95, "acosh": lambda x: x < 1.05,
    "log2": lambda x: x < 5e-2, "log10": lambda x: x < 5e-2, "tan": lambda x: abs(math.cos(x)) < 0.1,
    "log_base": lambda x, b: x < 5e-2 or b < 5e-2 or abs(b - 1) < 0.1,
    "hypot": lambda a, b: abs(a) + abs(b) < 5e-2,
}

leaf = st.one_of(st.sampled_from(["x", "y", "z"]),
                 st.floats(-3, 3, allow_nan=False).map(lambda c: round(c, 3)))
expressions = st.recursive(
    leaf,
    lambda inner: st.one_of(
        st.tuples(st.sampled_from(UNARY), inner),
        st.tuples(st.sampled_from(BINARY), inner, inner)),
    max_leaves=8)
points = st.tuples(*[st.floats(-2, 2, allow_nan=False).map(lambda v: round(v, 3))] * 3)


def build(expr, env):
    if isinstance(expr, str):
        return env[expr]
    if isinstance(expr, float):
        return expr
    name, *args = expr
    return FUNCTIONS[name](*[build(a, env) for a in args])


def evaluate(expr, point):
    env = dict(zip("xyz", (Value(v) for v in point)))
    out = build(expr, env)
    return (out if isinstance(out, Value) else Value(out)), env


def safe(out):
    """Far enough from kinks and overflow that finite differences mean something."""
    for v in topological_order(out):
        if abs(v.data) > 50:   # beyond this, finite differences lose the digits we compare
            return False
        op, operands = v.op, v.operands
        if not operands:
            continue
        if op.name in KINKED and abs(operands[0].data) < 1e-2:
            return False
        if op.name == "pow" and operands[0].data <= 0.05:
            return False   # negative bases make the exponent's derivative undefined
        if op.name in ("div", "log", "sqrt") and abs(operands[-1 if op.name == "div" else 0].data) < 5e-2:
            return False
        near = NEAR_SINGULAR.get(op.name)
        if near is not None and near(*[c.data for c in v.operands]):
            return False
    return True


def central_difference(f, point, i, h=1e-5):
    up, down = list(point), list(point)
    up[i] += h
    down[i] -= h
    return (f(up) - f(down)) / (2 * h)


def close(a, b, tol):
    return abs(a - b) <= tol * max(1.0, abs(a), abs(b))


@settings(max_examples=300, deadline=None)
@given(expressions, points)
def test_first_derivatives_match_finite_differences(expr, point):
    try:
        out, env = evaluate(expr, point)
        assume(safe(out))
        grads = grad(out, [env[n] for n in "xyz"])
        numeric = [central_difference(lambda p: evaluate(expr, p)[0].data, point, i)
                   for i in range(3)]
    except DomainError:
        assume(False)
    for g, n in zip(grads, numeric):
        assume(not math.isnan(g))
        assert close(g, n, 1e-4), (expr, point, grads, numeric)


@settings(max_examples=200, deadline=None)
@given(expressions, points, st.integers(0, 2), st.integers(0, 2))
def test_second_derivatives_match_finite_differences_of_the_first(expr, point, i, j):
    names = "xyz"
    try:
        out, env = evaluate(expr, point)
        assume(safe(out))
        first = grad(out, env[names[i]], create_graph=True)
        second = grad(first, env[names[j]])

        def first_at(p):
            o, e = evaluate(expr, p)
            return grad(o, e[names[i]])
        numeric = central_difference(first_at, point, j, h=1e-4)
    except DomainError:
        assume(False)
    assume(not math.isnan(second))
    assert close(second, numeric, 1e-3), (expr, point, i, j, second, numeric)


@settings(max_examples=200, deadline=None)
@given(expressions, points)
def test_backward_agrees_with_functional_grad(expr, point):
    try:
        out, env = evaluate(expr, point)
        functional = grad(out, [env[n] for n in "xyz"])
        out.backward()
    except DomainError:
        assume(False)
    for name, g in zip("xyz", functional):
        got = env[name].grad
        assert got == g or (math.isnan(g) and math.isnan(got))


def build_topo(root):
    """micrograd's build_topo, recursive, over the operands in order."""
    topo, visited = [], set()

    def build(v):
        if v not in visited:
            visited.add(v)
            for child in v.operands:
                build(child)
            topo.append(v)
    build(root)
    return topo


@settings(max_examples=300, deadline=None)
@given(expressions, points)
def test_the_walk_lists_nodes_in_micrograds_order(expr, point):
    """The iterative walk (no visited set, no recursion) gives build_topo's order exactly, so
    gradients are summed in the same order on every run."""
    try:
        out, env = evaluate(expr, point)
    except DomainError:
        assume(False)
    shared = out * out + env["x"]            # nodes reached along several paths
    assert topological_order(shared) == build_topo(shared)
