"""Derivatives written as a calculator writes them: f'(x), f''(x), tanh'(0.5); `^` for a
power; slope(L, x), the numeric derivative beside grad; and plot f, a, b with f' beside f.

Expected values are closed forms (d/dx x**3 = 3x**2) computed in Python, or central finite
differences.
"""

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from microcalc.lang import Session, SourceError
from microcalc.lang.context import Settings

from conftest import error_of_program, values_printed


@pytest.fixture
def s():
    return Session()


# -- f'(x) ----------------------------------------------------------------------------------

def test_derivatives_of_a_function_of_ones_own(s):
    s.run("f(x) = x**3 - 2*x")
    assert values_printed(s, "f'(2); f''(2); f'''(2); f''''(2)") == [10.0, 12.0, 6.0, 0.0]


def test_derivatives_of_a_builtin_of_one_argument(s):
    t = math.tanh(0.5)
    assert values_printed(s, "tanh'(0.5); tanh''(0.5); exp'(1); log'(4); sin''(1)") == \
        [1 - t * t, -2 * t * (1 - t * t), math.e, 0.25, -math.sin(1)]


def test_a_derivative_at_a_variable_is_a_graph_that_follows_it(s):
    s.run("f(x) = x**2 * tanh(x); a = 0.5; d = f'(a)")
    t = math.tanh(0.5)
    assert values_printed(s, "d") == [2 * 0.5 * t + 0.25 * (1 - t * t)]
    assert values_printed(s, "grad(d, a)") == values_printed(s, "f''(a)")       # f'(a) differentiates again
    s.run("a := 1")
    t = math.tanh(1)
    assert values_printed(s, "d") == [pytest.approx(2 * t + (1 - t * t))]


def test_the_derivative_is_by_the_argument_even_when_it_is_computed(s):
    s.run("f(x) = x**2; a = 3")
    assert values_printed(s, "f'(2*a); grad(f'(2*a), a)") == [12.0, 4.0]


def test_a_constant_function_has_derivative_0(s):
    s.run("k(x) = 7")
    assert values_printed(s, "k'(3); k''(3)") == [0.0, 0.0]


@pytest.mark.parametrize("setup, source, message, underlined", [
    ("g(x, y) = x*y", "g'(1)", "g' is the derivative of a function of one argument, and g "
     "takes 2 arguments", "g'"),
    ("", "len'(1)", "len' needs a math function of one argument (tanh, exp, ...) or one of "
     "your own, and len is not one", "len'"),
    ("a = 2", "a'(1)", "'a' is a number, not a function: a'(x) differentiates a function",
     "a'"),
    ("", "zzz'(1)", "unknown name 'zzz'", "zzz'"),
    ("f(x) = x", "f'(1, 2)", "f' takes one argument, the point (as in f'(2)), not 2",
     "f'(1, 2)"),
    ("f(x) = x", "f'(x=1)", "f' takes the point only, as in f'(2)", "f'(x=1)"),
    ("f(x) = x", "f'([1])", "f' needs a number, not a list", "f'([1])"),
    ("f(x) = log(x)", "f'(0)", "in f: log(0): log is defined only for positive numbers",
     "f'(0)"),
    ("", "sqrt'(0)", "sqrt' is undefined here: ", "sqrt'(0)"),
])
def test_derivative_errors(setup, source, message, underlined):
    session = Session()
    session.run(setup)
    with pytest.raises(SourceError) as info:
        session.run(source)
    err = info.value
    assert err.message == message or message.endswith(": ") and err.message.startswith(message)
    assert err.source_line[err.column - 1:err.end_column - 1] == underlined


@settings(max_examples=60, deadline=None, derandomize=True, database=None)
@given(st.floats(-2, 2), st.sampled_from(["x**3 - x", "tanh(2*x) * x", "exp(-x**2)",
                                          "sin(x) * cos(3*x)", "sigmoid(x) + x^2"]))
def test_f_prime_agrees_with_a_central_difference(x, body):
    session = Session()
    session.run(f"f(x) = {body}")
    h = 1e-5
    (up,), (down,) = values_printed(session, f"f({x + h})"), values_printed(session, f"f({x - h})")
    (exact,) = values_printed(session, f"f'({x})")
    assert exact == pytest.approx((up - down) / (2 * h), rel=1e-5, abs=1e-6)
    (up,), (down,) = values_printed(session, f"f'({x + h})"), values_printed(session, f"f'({x - h})")
    (second,) = values_printed(session, f"f''({x})")
    assert second == pytest.approx((up - down) / (2 * h), rel=1e-4, abs=1e-5)


# -- ^ is ** ---------------------------------------------------------------------------------

@pytest.mark.parametrize("source", ["2^3", "2^3^2", "-2^2", "2^-1", "(-2)^2", "2*3^2",
                                    "2^2**3", "4^0.5^2"])
def test_caret_is_a_power_with_the_same_precedence_and_grouping(s, source):
    assert values_printed(s, source) == values_printed(s, source.replace("^", "**")) == \
        [float(eval(source.replace("^", "**")))]


def test_caret_builds_the_same_graph_as_double_star(s):
    s.run("a = 3; L = a^2; M = a**2")
    assert values_printed(s, "grad(L, a); grad(M, a)") == [6.0, 6.0]


# -- slope ----------------------------------------------------------------------------------

def test_slope_is_the_lectures_numeric_derivative_and_leaves_every_input_as_it_was(s):
    s.run("a = 2; b = -3; c = 10; d = a*b + c; L = d * tanh(a)")
    before = {name: v.data for name, v in s.variables.items()}
    (numeric,) = values_printed(s, "slope(L, a)")
    a, h = 2.0, 1e-6
    up = ((a + h) * -3 + 10) * math.tanh(a + h)
    down = ((a - h) * -3 + 10) * math.tanh(a - h)
    assert numeric == (up - down) / (2 * h)
    assert {name: v.data for name, v in s.variables.items()} == before
    (exact,) = values_printed(s, "grad(L, a)")
    assert numeric == pytest.approx(exact, rel=1e-6)
    (wide,) = values_printed(s, "slope(L, a, h=0.1)")
    assert wide == (((2.1 * -3 + 10) * math.tanh(2.1)) - ((1.9 * -3 + 10) * math.tanh(1.9))) / 0.2


def test_slope_of_a_graph_that_ignores_the_input_is_0(s):
    s.run("a = 1; b = 2; L = b * 3")
    assert values_printed(s, "slope(L, a); slope(5, a)") == [0.0, 0.0]


@pytest.mark.parametrize("source, message", [
    ("a = 1; L = a * 2; slope(L, L)", "slope nudges an input (a number given a name with =), "
     "not a value computed from others"),
    ("a = 1; L = a * 2; slope(L, 3)", "slope nudges an input (a number given a name with =), "
     "not a number"),
    ("a = 1; L = a * 2; slope(L, a, h=0)", "slope's h must be a positive number, not 0"),
    ("a = 1; slope([1], a)", "slope needs a number computed from inputs, not a list"),
    ("a = 1e-7; L = log(a); slope(L, a)", "slope: L is undefined within h of 1e-7: log(-9e-7): "
     "log is defined only for positive numbers"),
])
def test_slope_errors(source, message):
    assert error_of_program(source).message == message


def test_a_failing_slope_puts_the_input_back():
    session = Session()
    session.run("a = 1e-7; L = log(a)")
    with pytest.raises(SourceError):
        session.run("slope(L, a)")
    assert session.variables["a"].data == 1e-7
    assert values_printed(session, "L") == [math.log(1e-7)]


# -- plot f, a, b ----------------------------------------------------------------------------

def plot_event(source, **settings):
    session = Session(Settings(width=60, **settings))
    events = [e for e in session.run(source) if e.kind == "text"]
    return events[-1]


def test_plot_draws_a_function_and_its_derivative_as_labelled_curves():
    event = plot_event("f(x) = x**3 - 3*x\nplot f, -2, 2")
    data = event.data
    assert data["command"] == "plot" and set(data["curves"]) == {"f", "f'"}
    xs = data["x"]
    assert xs[0] == -2 and xs[-1] == 2 and len(xs) == 2 * 48       # two dots per column
    for x, y, dy in zip(xs, data["curves"]["f"], data["curves"]["f'"]):
        assert y == pytest.approx(x ** 3 - 3 * x) and dy == pytest.approx(3 * x * x - 3)
    lines = event.text.splitlines()
    assert lines[0] == "f(x) = x**3 - 3*x"
    assert lines[1].endswith(" f'")             # f'(2) = 9: the top right
    assert [line for line in lines if line.endswith(" f")]     # f(2) = 2, lower
    assert any(set(line) & set("⠁⠂⠄⡀⠈⠐⠠⢀") for line in lines[1:-2])
    assert lines[-1].split() == ["-2", "x", "2"]


def test_plot_with_derivatives_2_adds_the_second_and_0_leaves_them_out():
    curves = plot_event("plot tanh, -3, 3, derivatives=2").data["curves"]
    assert list(curves) == ["tanh", "tanh'", "tanh''"]
    t = math.tanh(0.5)
    assert plot_event("plot tanh, -1, 1, derivatives=0").data["curves"].keys() == {"tanh"}
    assert all(c == pytest.approx(-2 * math.tanh(x) * (1 - math.tanh(x) ** 2))
               for x, c in zip(plot_event("plot tanh, -3, 3, derivatives=2").data["x"],
                               curves["tanh''"]))
    assert t


def test_plot_leaves_a_gap_where_the_function_is_undefined():
    data = plot_event("plot log, -1, 1", ascii=True).data
    for x, y, dy in zip(data["x"], data["curves"]["log"], data["curves"]["log'"]):
        assert (y is None) == (x <= 0) and (dy is None) == (x <= 0)


def test_plot_in_ascii_marks_each_curve_its_own_way():
    text = plot_event("f(x) = x*x\nplot f, -1, 1", ascii=True).text
    assert "*" in text and "+" in text and text.splitlines()[-1] == "* f  + f'"


@pytest.mark.parametrize("source, message", [
    ("f(x) = x\nplot f", "plot f needs the range to draw it over, as in plot f, -3, 3"),
    ("f(x) = x\nplot f, 1, 1", "plot f needs a range from a smaller number to a larger one, "
     "as in plot f, -3, 3"),
    ("g(x, y) = x\nplot g, 0, 1", "plot draws a function of one argument, and g takes 2"),
    ("plot len, 0, 1", "plot draws a math function of one argument (tanh, exp, ...) or one of "
     "your own, and len is not one"),
    ("f(x) = x\nplot f, 0, 1, derivatives=4", "derivatives= must be a whole number from 0 to 3,"
     " not 4"),
    ("plot [1, 2], 0, 1", "plot draws a function over a range (plot f, -3, 3), and a list or a "
     "training run whole"),
    ("f(x) = log(x - 10)\nplot f, 0, 1", "log(-10): log is defined only for positive "
     "numbers"),
])
def test_plot_of_a_function_refuses_what_it_cannot_draw(source, message):
    assert error_of_program(source).message.endswith(message)
