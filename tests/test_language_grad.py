"""grad in the language: the micrograd lecture's worked examples, several inputs, every input,
higher derivatives, notes for inputs a result ignores, and undefined gradients."""

import math

import pytest

from microcalc.lang import Session, SourceError
from microcalc.lang.library import BUILTINS

LECTURE_L = "a = 2; b = -3; c = 10; f = -2; e = a*b; d = e + c; L = d*f"
NEURON = "x1 = 2; x2 = 0; w1 = -3; w2 = 1; b = 6.8813735870195432\nn = x1*w1 + x2*w2 + b"


def run(source, session=None):
    session = session or Session()
    return [e for e in session.run(source)]


def values(source, session=None):
    return [e.data["value"] for e in run(source, session) if e.kind == "value"]


def test_grad_is_registered_as_a_calculus_function():
    entry = BUILTINS["grad"]
    assert (entry.kind, entry.category) == ("function", "calculus")


def test_facts_expression_and_all_six_gradients():
    s = Session()
    assert values(LECTURE_L, s) == [-6, 4, -8]
    assert values("grad(L, a); grad(L, b); grad(L, c); grad(L, f); grad(L, e); grad(L, d)",
                  s) == [6, -4, -2, 4, -2, -2]


def test_grad_of_several_inputs_is_a_list():
    s = Session()
    s.run(LECTURE_L)
    (event,) = s.run("grad(L, a, b, c, f)")
    assert event.text == "[6, -4, -2, 4]" and event.data == {"value": [6.0, -4.0, -2.0, 4.0]}
    assert values("gs = grad(L, a, b); gs[1]", s) == [[6, -4], -4]


def test_grad_with_a_list_of_inputs_gives_a_list():
    s = Session()
    s.run(LECTURE_L)
    assert values("grad(L, [a, b])", s) == [[6, -4]]


def test_grad_of_L_alone_lists_every_named_input_one_per_line():
    s = Session()
    s.run(LECTURE_L)
    (event,) = s.run("grad(L)")
    assert event.kind == "text"
    assert event.text == "a: 6\nb: -4\nc: -2\nf: 4"
    assert event.data == {"gradients": {"a": 6.0, "b": -4.0, "c": -2.0, "f": 4.0}}


def test_the_worked_tanh_neuron():
    s = Session()
    assert values(NEURON + "\no = tanh(n)", s) == [0.8813735870195432, 0.7071067811865477]
    grads = values("grad(o, x1, w1, x2, w2, b)", s)[0]
    for got, want in zip(grads, [-1.5, 1.0, 0.5, 0.0, 0.5]):
        assert abs(got - want) < 1e-15
    (table,) = s.run("grad(o)")
    assert table.text.splitlines()[0].startswith("x1: -1.4999999999999")


def test_tanh_decomposed_into_exp_gives_the_same_gradients():
    s = Session()
    s.run(NEURON + "\ne = exp(2*n); o = (e - 1)/(e + 1)")
    decomposed = values("grad(o, x1, w1, x2, w2, b)", s)[0]
    t = Session()
    t.run(NEURON + "\no = tanh(n)")
    direct = values("grad(o, x1, w1, x2, w2, b)", t)[0]
    for a, b in zip(decomposed, direct):
        assert abs(a - b) < 1e-12


@pytest.mark.parametrize("source, expected", [
    ("a = 3; b = a + a; grad(b, a)", 2.0),
    ("a = 1; b = a + a; c = b + b; grad(c, a)", 4.0),
    ("a = -2; b = 3; d = a*b; e = a + b; f = d*e; grad(f, a)", -3.0),
    ("a = -2; b = 3; d = a*b; e = a + b; f = d*e; grad(f, b)", -8.0),
    ("a = 2; b = 3; c = a*b; L = c + a; grad(L, a)", 4.0),
    ("a = 2; b = 3; c = a*b; L = c + a; grad(L, b)", 2.0),
    ("a = 2; b = 3; c = a**b; grad(c, a)", 12.0),
    ("a = 2; b = 3; c = a**b; grad(c, b)", 8 * math.log(2)),
])
def test_facts_worked_examples(source, expected):
    assert values(source)[-1] == pytest.approx(expected, rel=1e-15)


def test_micrograd_sanity_check_written_in_the_language():
    source = ("x = -4\nz = 2*x + 2 + x\nq = relu(z) + z*x\nh = relu(z*z)\ny = h + q + q*x\n"
              "grad(y, x)")
    assert values(source)[-2:] == [-20.0, 46.0]


def test_micrograd_more_ops_written_in_the_language():
    source = """a = -4; b = 2
    c = a + b
    d = a*b + b**3
    c2 = c + c + 1
    c3 = c2 + 1 + c2 + (-a)
    d2 = d + d*2 + relu(b + a)
    d3 = d2 + 3*d2 + relu(b - a)
    e = c3 - d3
    f = e**2
    g = f/2.0
    g2 = g + 10.0/f
    grad(g2, a); grad(g2, b)"""
    out = values(source)
    assert out[-3] == pytest.approx(2421 / 98, abs=1e-6)
    assert out[-2] == pytest.approx(47620 / 343, abs=1e-6)
    assert out[-1] == pytest.approx(221433 / 343, abs=1e-6)


def test_second_and_third_derivatives():
    s = Session()
    assert values("x = 3; y = x**4; grad(y, x); grad(grad(y, x), x); "
                  "grad(grad(grad(y, x), x), x)", s) == [81, 108, 108, 72]
    assert values("t = 0.5; grad(grad(tanh(t), t), t)", s)[0] == pytest.approx(
        -2 * math.tanh(0.5) * (1 - math.tanh(0.5) ** 2), rel=1e-14)


def test_second_derivative_at_a_negative_point_with_a_constant_exponent():
    assert values("x = -2; grad(grad(x**3, x), x)") == [-12]


def test_mixed_second_derivative():
    assert values("x = 2; y = 5; f = x*x*y; grad(grad(f, x), y)")[-1] == 4


def test_derivative_of_a_user_function_flows_through_the_call():
    s = Session()
    s.run("sq(x) = x * x; cube(x) = x * sq(x); t = 1.5")
    assert values("grad(cube(t), t); grad(grad(cube(t), t), t)", s) == [6.75, 9.0]


def test_grad_against_central_finite_differences():
    s = Session()
    s.run("a = 0.7; b = -1.3; L = sigmoid(a*b) + sin(a)*cos(b) + sqrt(a*a + b*b) + log(a + 2)"
          " + abs(b)**1.5 + exp(-a)/(1 + relu(b + 2))")
    analytic = values("grad(L, a, b)", s)[0]
    for name, want in zip("ab", analytic):
        x = s.variables[name].data
        h = 1e-6
        s.run(f"{name} := {x + h!r}")
        up = s.variables["L"].data
        s.run(f"{name} := {x - h!r}")
        down = s.variables["L"].data
        s.run(f"{name} := {x!r}")
        assert (up - down) / (2 * h) == pytest.approx(want, rel=1e-7)


# -- gradients that are zero because L does not depend on the input ------------------------

def test_an_input_L_does_not_use_gives_zero_and_a_note():
    s = Session()
    s.run(LECTURE_L + "; z = 5")
    events = s.run("grad(L, z)")
    assert [(e.kind, e.text) for e in events] == [
        ("note", "L does not depend on z: its gradient is 0"), ("value", "0")]


def test_grad_by_an_expression_says_it_made_a_new_value():
    # a*b in grad(L, a*b) is computed afresh, so it is not the a*b inside L
    s = Session()
    s.run(LECTURE_L)
    events = s.run("grad(L, a*b)")
    assert [(e.kind, e.text) for e in events] == [
        ("note", "L does not depend on that value: an expression such as a*b makes a new "
                 "value, which is not part of L's graph, so its gradient is 0"),
        ("value", "0")]


def test_a_zero_gradient_of_an_input_L_uses_gives_no_note():
    s = Session()
    s.run(NEURON + "\no = tanh(n)")
    events = s.run("grad(o, w2)")
    assert [e.kind for e in events] == ["value"] and events[0].data["value"] == 0


def test_grad_of_a_plain_number_is_zero_with_a_note():
    events = run("x = 1; grad(3, x)")
    assert [(e.kind, e.text) for e in events] == [
        ("note", "the expression does not depend on x: its gradient is 0"), ("value", "0")]


def test_grad_of_an_input_with_respect_to_itself_and_another():
    s = Session()
    s.run("x = 1; y = 2")
    assert values("grad(x, x)", s) == [1]
    assert [e.kind for e in s.run("grad(x, y)")] == ["note", "value"]


# -- errors ---------------------------------------------------------------------------

def test_undefined_gradient_is_an_error_not_nan():
    s = Session()
    s.run("a = -2; b = 3; c = a**b")
    assert values("c; grad(c, a)", s) == [-8, 12]
    with pytest.raises(SourceError) as info:
        s.run("grad(c, b)")
    assert info.value.message == (
        "the gradient of c with respect to b is undefined here: the derivative of x**y with "
        "respect to y is x**y * log(x), and x = -2 is negative")
    assert info.value.column == 1


def test_undefined_gradient_in_a_list_and_in_the_table_is_an_error_too():
    s = Session()
    s.run("a = -2; b = 3; c = a**b")
    for query in ("grad(c, a, b)", "grad(c)"):
        with pytest.raises(SourceError, match="undefined here"):
            s.run(query)


def test_infinite_derivative_is_an_error():
    with pytest.raises(SourceError) as info:
        run("x = 0; y = sqrt(x); grad(y, x)")
    assert info.value.message.startswith("the gradient of y is undefined here: ")


def test_grad_with_respect_to_a_number_is_an_error():
    with pytest.raises(SourceError) as info:
        run("x = 1; L = x * 2; grad(L, 3)")
    assert info.value.message == ("grad: argument 2 must be a variable to differentiate with "
                                  "respect to (an input, or a named part of L), not a number")


def test_grad_of_a_list_or_of_nothing_named_is_an_error():
    with pytest.raises(SourceError, match="grad needs a number computed from inputs, not a list"):
        run("grad([1, 2])")
    with pytest.raises(SourceError, match="has none"):
        run("grad(tanh(2) * 1)")
    with pytest.raises(SourceError, match="has none"):
        run("x = 2; y = x * 3; x = 5; grad(y)")     # y's input is no longer called x
