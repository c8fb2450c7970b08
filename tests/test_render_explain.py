"""microcalc.render.explain: the chain rule written out, checked against the micrograd lecture's
hand-worked table, the worked examples' exact gradients, and an independent evaluation of every formula."""

import math

import pytest
from hypothesis import given, reject, settings
from hypothesis import strategies as st

from microcalc.engine import OPS, Value, grad
from microcalc.errors import DomainError, MicrocalcError
from microcalc.render import explain
from microcalc.render.formulas import rule, substitute
from conftest import LECTURE_EXPLAIN, NEURON_EXPLAIN, doubling, lecture_expression, lecture_neuron

# The seed: dL/da = dL/dd · dd/de · de/da = -2 × 1 × -3 = 6


NEURON_EXPLAIN_ASCII_PATH = (
    "  o -> n -> t1 -> t2 -> x1    do/dn * dn/dt1 * dt1/dt2 * dt2/dx1 = "
    "0.5 x 1 x 1 x (-3) = -1.5")

TWO_PATHS = """\
df/da by the chain rule: 2 paths from f down to a

local derivatives
  df/dd = d(u*v)/du = v = e = 1
  dd/da = d(u*v)/du = v = b = 3
  df/de = d(u*v)/dv = u = d = -6
  de/da = d(u+v)/du = 1

paths
  1  f → d → a  df/dd · dd/da = 1 × 3 = 3
  2  f → e → a  df/de · de/da = -6 × 1 = -6

sum over the 2 paths: df/da = 3 + (-6) = -3"""

DOUBLING_SUMMARY = """\
dx60/dx0 by the chain rule: 1,152,921,504,606,846,976 paths from x60 down to x0,
through 61 nodes and 120 edges: too many to list.
Reverse mode adds them up without listing them: the adjoint dx60/dnode of a node
is the sum over its parents of (parent's adjoint) × (local derivative).
The last step, into x0:
  edge         local  dx60/dparent  contribution
  dx1/dx0 [u]      1    5.76461e17    5.76461e17
  dx1/dx0 [v]      1    5.76461e17    5.76461e17

dx60/dx0 = 1.15292e18  (the sum of the contributions)"""


def test_seed_table_for_dL_da_is_exact():
    values, names = lecture_expression()
    assert explain(values["L"], values["a"], names) == LECTURE_EXPLAIN


def test_seed_gradients_of_every_node_match_facts():
    values, names = lecture_expression()
    facts = {"a": 6, "b": -4, "c": -2, "f": 4, "e": -2, "d": -2}
    picture = explain(values["L"], [values[k] for k in facts], names)
    assert [item["gradient"] for item in picture.data] == list(facts.values())
    for name, answer in facts.items():
        assert f"\ndL/d{name} = {answer}" in picture


def test_neuron_table_is_exact_with_generated_names_defined():
    values, names = lecture_neuron()
    assert explain(values["o"], values["x1"], names) == NEURON_EXPLAIN


def test_neuron_gradients_match_facts():
    values, names = lecture_neuron()
    facts = {"x1": -1.5, "w1": 1.0, "x2": 0.5, "w2": 0.0, "b": 0.5}
    picture = explain(values["o"], [values[k] for k in facts], names)
    for item, answer in zip(picture.data, facts.values()):
        assert math.isclose(item["gradient"], answer, abs_tol=1e-15)
        assert math.isclose(item["path_list"][0]["product"], answer, abs_tol=1e-15)


def test_ascii_explain():
    values, names = lecture_neuron()
    picture = explain(values["o"], values["x1"], names, ascii=True)
    assert NEURON_EXPLAIN_ASCII_PATH in picture.splitlines()
    picture.encode("ascii")


def test_two_paths_are_listed_and_summed():
    # a=-2; b=3; d=a*b; e=a+b; f=d*e gives df/da = -3, df/db = -8 (worked by hand)
    a, b = Value(-2.0), Value(3.0)
    d, e = a * b, a + b
    f = d * e
    names = {a: "a", b: "b", d: "d", e: "e", f: "f"}
    assert explain(f, a, names) == TWO_PATHS
    assert explain(f, b, names).splitlines()[-1] == (
        "sum over the 2 paths: df/db = -2 + (-6) = -8")


def test_an_input_used_twice_by_one_op_gives_two_edges():
    a = Value(3.0)
    b = a * a                      # db/da = 2a = 6
    picture = explain(b, a, {a: "a", b: "b"})
    assert "  db/da [u] = d(u*v)/du = v = a = 3" in picture.splitlines()
    assert "  db/da [v] = d(u*v)/dv = u = a = 3" in picture.splitlines()
    assert picture.splitlines()[-1] == "sum over the 2 paths: db/da = 3 + 3 = 6"


def test_too_many_paths_are_summarised_not_listed():
    xs, names = doubling(60)
    picture = explain(xs[-1], xs[0], names)
    assert picture == DOUBLING_SUMMARY
    assert picture.data["paths"] == 2 ** 60            # counted exactly, never enumerated
    assert picture.data["gradient"] == 2.0 ** 60


def test_the_path_limit_can_be_raised():
    xs, names = doubling(4)
    assert explain(xs[-1], xs[0], names, paths=10).data["summarised"] is True
    listed = explain(xs[-1], xs[0], names, paths=16)
    assert listed.data["paths"] == 16 and len(listed.data["path_list"]) == 16


def test_an_input_the_output_does_not_use():
    values, names = lecture_expression()
    z = Value(1.0)
    assert explain(values["L"], z, {**names, z: "z"}) == "L does not depend on z: dL/dz = 0"


def test_the_output_itself():
    values, names = lecture_expression()
    assert explain(values["L"], values["L"], names) == "dL/dL = 1: the output itself"


def test_unnamed_output_is_called_out():
    x = Value(3.0)
    picture = explain(x * x + 1, x, {x: "x"})
    assert picture.splitlines()[0] == "dout/dx by the chain rule: 2 paths from out down to x"
    assert picture.splitlines()[-1] == "sum over the 2 paths: dout/dx = 3 + 3 = 6"


def test_explain_needs_values():
    values, names = lecture_expression()
    with pytest.raises(MicrocalcError):
        explain(values["L"], [], names)
    with pytest.raises(MicrocalcError):
        explain(values["L"], [2.0], names)


_FORMULA_NAMESPACE = {
    **vars(math),          # tanh, exp, log, sqrt, sin, cos, tan, sinh, cosh, hypot, ...
    "sigmoid": lambda z: 1 / (1 + math.exp(-z)),
    "sign": lambda z: (z > 0) - (z < 0), "step": lambda z: float(z > 0)}


@pytest.mark.parametrize("name", sorted(OPS))
def test_each_formula_evaluates_to_the_engines_partial_derivative(name):
    """The formulas are text for people; evaluated as Python they must agree with the
    engine's derivative rules and with central differences, at a point inside the domain."""
    op = OPS[name]
    point = (1.7 if name == "acosh" else 0.7, 1.3)[:op.arity]     # acosh: from 1 on
    out = op.forward(*point)
    engine = op.derivative(*point, out)
    for index in range(op.arity):
        _, formula = rule(op, index)
        text = substitute(formula, [repr(p) for p in point])
        value = eval(text, dict(_FORMULA_NAMESPACE))        # noqa: S307 - our own table
        assert math.isclose(value, engine[index], rel_tol=1e-12), (name, index, text)
        h = 1e-6
        up = list(point)
        down = list(point)
        up[index] += h
        down[index] -= h
        numeric = (op.forward(*up) - op.forward(*down)) / (2 * h)
        assert math.isclose(value, numeric, rel_tol=1e-6), (name, index)


def test_substitution_keeps_negative_numbers_one_factor():
    assert substitute("u*v", ["-3", "b"]) == "(-3)*b"
    assert substitute("1 - tanh(u)**2", ["n"]) == "1 - tanh(n)**2"


# Random DAGs with few paths: every path's product listed, and they sum to the gradient.
_OPS = [lambda p, q: p + q, lambda p, q: p * q, lambda p, q: p - q,
        lambda p, q: p.tanh() * q, lambda p, q: p.exp() + q, lambda p, q: p / (q * q + 1)]


@st.composite
def dags(draw):
    inputs = [Value(draw(st.floats(-1.5, 1.5))) for _ in range(draw(st.integers(1, 3)))]
    nodes = list(inputs)
    for _ in range(draw(st.integers(1, 8))):
        p = nodes[draw(st.integers(0, len(nodes) - 1))]
        q = nodes[draw(st.integers(0, len(nodes) - 1))]
        try:
            nodes.append(draw(st.sampled_from(_OPS))(p, q))
        except DomainError:         # overflow after repeated squaring: not this test's topic
            reject()
    return nodes[-1], inputs


@settings(max_examples=60, deadline=None)
@given(dags())
def test_path_products_sum_to_the_gradient(graph):
    root, inputs = graph
    names = {x: f"x{i}" for i, x in enumerate(inputs)}
    picture = explain(root, inputs, names, paths=10_000)
    items = picture.data if isinstance(picture.data, list) else [picture.data]
    for x, item in zip(inputs, items):
        expected = grad(root, x)
        if "path_list" in item:
            total = math.fsum(p["product"] for p in item["path_list"])
            assert math.isclose(total, expected, rel_tol=1e-9, abs_tol=1e-12)
            assert len(item["path_list"]) == item["paths"]
        assert item["gradient"] == expected


# -- a node built by hand, as micrograd's lecture builds its ops ------------------------------

def _home_made_product():
    a, b, c = Value(2.0, label="a"), Value(3.0, label="b"), Value(4.0, label="c")
    out = Value(24.0, (a, b, c), "mul3", label="out")

    def _backward():
        a.grad += b.data * c.data * out.grad
        b.grad += a.data * c.data * out.grad
        c.grad += a.data * b.data * out.grad
    out._backward = _backward
    return a, b, c, out


def test_explain_works_through_a_home_made_node_with_its_own_backward():
    from microcalc.render import backward, explain, tree
    a, b, c, out = _home_made_product()
    L = out * 2
    text = explain(L, a)
    assert "dout/da  = d(mul3(u, v, u3))/du = 12 (from its own _backward)" in text
    assert text.rstrip().endswith("= 24")
    assert (a.grad, b.grad, c.grad, out.grad) == (0.0, 0.0, 0.0, 0.0)   # left as they were
    walk = backward(L)
    assert "out = mul3(a, b, c) = 24" in walk and "every gradient now equals grad(" in walk
    assert "out (mul3)" in tree(L)
    L.backward()
    assert (a.grad, b.grad, c.grad) == (24.0, 16.0, 12.0)


def test_a_home_made_node_without_a_backward_passes_nothing_back():
    from microcalc.render import explain
    a = Value(2.0, label="a")
    out = Value(5.0, (a,), "mystery", label="out")
    assert out.local_derivatives() == (0.0,)
    assert explain(out * 3, a).rstrip().endswith("= 0")
