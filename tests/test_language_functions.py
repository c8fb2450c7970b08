"""The calculator's functions: tan asin acos atan sinh cosh asinh acosh atanh log2 log10 floor
ceil, log(x, base), min, max and hypot. Each is one entry of the engine's op registry, and
everything else (the builtin, help, trees, explain, check, compiled replay) comes from that
entry.

Values and derivatives are checked against closed forms, central finite differences
(hypothesis) and, where PyTorch is installed, torch in float64.
"""

import math

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from microcalc.engine import FUNCTIONS, OPS, Value, grad
from microcalc.lang import Session
from microcalc.lang.library import BUILTINS

from conftest import error_of_program, values_printed

UNARY = ["tan", "asin", "acos", "atan", "sinh", "cosh", "asinh", "acosh", "atanh", "log2",
         "log10", "floor", "ceil"]
BINARY = ["max", "min", "hypot", "log_base"]

# Where each function is smooth: points drawn from here keep finite differences honest.
DOMAINS = {"tan": (-1.2, 1.2), "asin": (-0.9, 0.9), "acos": (-0.9, 0.9), "atan": (-5, 5),
           "sinh": (-3, 3), "cosh": (-3, 3), "asinh": (-5, 5), "acosh": (1.1, 5),
           "atanh": (-0.9, 0.9), "log2": (0.1, 10), "log10": (0.1, 10),
           "floor": (-5, 5), "ceil": (-5, 5)}
# Closed forms of each derivative.
DERIVATIVES = {
    "tan": lambda x: 1 / math.cos(x) ** 2, "asin": lambda x: 1 / math.sqrt(1 - x * x),
    "acos": lambda x: -1 / math.sqrt(1 - x * x), "atan": lambda x: 1 / (1 + x * x),
    "sinh": math.cosh, "cosh": math.sinh, "asinh": lambda x: 1 / math.sqrt(x * x + 1),
    "acosh": lambda x: 1 / math.sqrt(x * x - 1), "atanh": lambda x: 1 / (1 - x * x),
    "log2": lambda x: 1 / (x * math.log(2)), "log10": lambda x: 1 / (x * math.log(10)),
    "floor": lambda x: 0.0, "ceil": lambda x: 0.0,
}


def test_each_function_is_one_entry_of_the_op_registry_and_a_builtin():
    for name in UNARY + BINARY:
        op = OPS[name]
        assert op.is_function and op.doc and op.example and len(op.formulas) == op.arity
    for name in UNARY + ["hypot", "log", "max", "min"]:
        entry = BUILTINS[name]
        assert entry.kind == "function" and entry.category == "math"
    assert "log_base" not in BUILTINS          # reached as log(x, base)


@pytest.mark.parametrize("name", UNARY)
def test_values_match_pythons_math_module(name):
    low, high = DOMAINS[name]
    session = Session()
    for x in (low, (low + high) / 2, high):
        expected = float(getattr(math, name)(x))
        assert values_printed(session, f"{name}({x})") == [expected]


@pytest.mark.parametrize("name", UNARY)
def test_derivatives_match_their_closed_forms(name):
    low, high = DOMAINS[name]
    session = Session()
    for x in (low + 0.05, (low + high) / 2 + 0.013, high - 0.05):
        (d,) = values_printed(session, f"{name}'({x})")
        assert d == pytest.approx(DERIVATIVES[name](x), rel=1e-12, abs=1e-15)


def test_two_argument_functions():
    s = Session()
    assert values_printed(s, "hypot(3, 4); log(8, 2); log(1000, 10); max(2, 7); min(2, 7)") == \
        [5.0, 3.0, math.log(1000) / math.log(10), 7.0, 2.0]
    s.run("a = 3; b = 4; h = hypot(a, b); l = log(a, b)")
    assert values_printed(s, "grad(h, a); grad(h, b)") == [0.6, 0.8]
    assert values_printed(s, "grad(l, a); grad(l, b)") == [
        pytest.approx(1 / (3 * math.log(4))),
        pytest.approx(-math.log(3) / (4 * math.log(4) ** 2))]


def test_max_and_min_of_a_list_or_of_several_send_the_gradient_to_the_one_chosen():
    s = Session()
    s.run("a = 2; b = 5; c = 3; M = max([a, b, c]); m = min(a, b, c); M2 = max(a*c, b)")
    assert values_printed(s, "M; m; M2") == [5.0, 2.0, 6.0]
    assert [e.text for e in s.run("grad(M, a, b, c); grad(m, a, b, c); grad(M2, a, b, c)")
            if e.kind == "value"] == ["[0, 1, 0]", "[1, 0, 0]", "[3, 0, 2]"]
    s.run("b := 1")                                 # M follows: now a*c... c is chosen
    assert values_printed(s, "M") == [3.0]
    assert [e.text for e in s.run("grad(M, a, b, c)") if e.kind == "value"] == ["[0, 0, 1]"]


def test_equal_operands_give_the_gradient_to_the_first():
    s = Session()
    s.run("a = 2; b = 2")
    assert [e.text for e in s.run("grad(max(a, b), a, b); grad(min(a, b), a, b); "
                                  "grad(max([b, a]), a, b)") if e.kind == "value"] == \
        ["[1, 0]", "[1, 0]", "[0, 1]"]


def test_max_and_min_of_plain_numbers_are_plain_numbers():
    s = Session()
    assert values_printed(s, "max([3, 1, 4, 1, 5]); min([3]); max(-1, -2)") == [5.0, 3.0, -1.0]


@pytest.mark.parametrize("source, message", [
    ("asin(2)", "asin(2): asin is defined only for numbers from -1 to 1"),
    ("acos(-1.5)", "acos(-1.5): acos is defined only for numbers from -1 to 1"),
    ("acosh(0.5)", "acosh(0.5): acosh is defined only for numbers >= 1"),
    ("atanh(1)", "atanh(1): atanh is defined only for numbers between -1 and 1"),
    ("log2(0)", "log2(0): log2 is defined only for positive numbers"),
    ("log10(-1)", "log10(-1): log10 is defined only for positive numbers"),
    ("log(8, 1)", "log(8, 1): a logarithm's base must be positive and not 1"),
    ("log(-8, 2)", "log(-8, 2): log is defined only for positive numbers"),
    ("sinh(1000)", "sinh(1000): result too large (overflow)"),
    ("max([])", "max needs at least one number, and the list is empty"),
    ("max([1, [2]])", "max compares numbers, and item 1 is a list"),
    ('min("a")', "min needs a list or numbers, not a string"),
    ("hypot(1)", "hypot takes 2 arguments, got 1"),
    ("log(1, 2, 3)", "log takes 1 to 2 arguments, got 3"),
    ("x = 1; asin'(x)", "asin' is undefined here: "),
])
def test_out_of_their_domain_they_say_so(source, message):
    err = error_of_program(source)
    assert err.message == message or err.message.startswith(message) and message.endswith(" ")


def test_trees_explain_check_and_help_know_them_from_the_registry():
    s = Session()
    s.run("x = 0.5; y = 2; L = atan(x) * hypot(x, y)")
    tree = [e.text for e in s.run("tree L") if e.kind == "text"][0]
    assert "atan" in tree and "hypot" in tree
    explained = [e.text for e in s.run("explain grad(L, x)") if e.kind == "text"][0]
    assert "1/(1 + u**2)" in explained or "atan" in explained
    checked = [e.text for e in s.run("check L") if e.kind == "text"][0]
    assert "x" in checked and "y" in checked
    assert BUILTINS["tan"].doc.startswith("The tangent") and BUILTINS["tan"].example == "tan(0) = 0"


def test_compiled_replay_agrees_with_the_eager_engine():
    from microcalc.compiled import compile_graph
    xs = [Value(0.1 * k + 0.05) for k in range(8)]
    terms = [FUNCTIONS[name](x) for name, x in zip(["tan", "asin", "atan", "sinh", "asinh",
                                                    "atanh", "log2", "floor"], xs)]
    out = terms[0]
    for term in terms[1:]:
        out = FUNCTIONS["max"](out, term) + FUNCTIONS["hypot"](term, xs[0])
    eager = grad(out, xs)
    for backend in ("python", "numpy"):
        program = compile_graph(out, backend=backend)
        assert program.forward() == out.data
        by_leaf = dict(zip(program.leaves, program.gradients()))
        assert [by_leaf[x] for x in xs] == pytest.approx(eager, rel=1e-12, abs=1e-15)


# -- against finite differences -------------------------------------------------------------

def central(f, x, h=1e-5):
    return (f(x + h) - f(x - h)) / (2 * h)


@settings(max_examples=200, deadline=None, derandomize=True, database=None)
@given(st.sampled_from(UNARY), st.floats(0, 1))
def test_first_and_second_derivatives_agree_with_finite_differences(name, where):
    low, high = DOMAINS[name]
    x = low + (high - low) * where
    if name in ("floor", "ceil"):
        assume(abs(x - round(x)) > 1e-3)
    function = FUNCTIONS[name]

    def first(v):
        point = Value(v)
        return grad(function(point), point)

    def second(v):
        point = Value(v)
        return grad(grad(function(point), point, create_graph=True), point)
    assert first(x) == pytest.approx(central(function, x), rel=1e-5, abs=1e-6)
    assert second(x) == pytest.approx(central(first, x), rel=1e-4, abs=1e-5)


@settings(max_examples=150, deadline=None, derandomize=True, database=None)
@given(st.sampled_from(BINARY), st.floats(0.2, 4), st.floats(0.2, 4))
def test_partials_of_two_argument_functions_agree_with_finite_differences(name, a, b):
    if name in ("max", "min"):
        assume(abs(a - b) > 1e-3)
    if name == "log_base":
        assume(abs(b - 1) > 0.1)
    function = FUNCTIONS[name]
    u, v = Value(a), Value(b)
    du, dv = grad(function(u, v), [u, v])
    assert du == pytest.approx(central(lambda t: function(t, b), a), rel=1e-5, abs=1e-6)
    assert dv == pytest.approx(central(lambda t: function(a, t), b), rel=1e-5, abs=1e-6)
    d2u = grad(grad(function(u, v), u, create_graph=True), u)
    numeric = central(lambda t: (lambda p: grad(function(p, Value(b)), p))(Value(t)), a)
    assert d2u == pytest.approx(numeric, rel=1e-4, abs=1e-5)


# -- against PyTorch, in float64 --------------------------------------------------------------

def _torch_forms(torch):
    return {
        "tan": torch.tan, "asin": torch.asin, "acos": torch.acos, "atan": torch.atan,
        "sinh": torch.sinh, "cosh": torch.cosh, "asinh": torch.asinh, "acosh": torch.acosh,
        "atanh": torch.atanh, "log2": torch.log2, "log10": torch.log10,
        "floor": torch.floor, "ceil": torch.ceil,
        "max": torch.maximum, "min": torch.minimum, "hypot": torch.hypot,
        "log_base": lambda x, b: torch.log(x) / torch.log(b),
    }


@pytest.mark.parametrize("name", UNARY + BINARY)
def test_values_and_first_and_second_derivatives_match_pytorch_float64(name):
    torch = pytest.importorskip("torch")
    form = _torch_forms(torch)[name]
    arity = OPS[name].arity
    if arity == 1:
        low, high = DOMAINS[name]
        points = [(low + (high - low) * k / 6 + 0.0123,) for k in range(7)]
    else:
        points = [(0.7, 2.5), (3.0, 0.4), (1.9, 1.3), (0.35, 0.8)]
    for point in points:
        ours = [Value(p) for p in point]
        out = FUNCTIONS[name](*ours)
        firsts = grad(out, ours, create_graph=True)
        seconds = [grad(f, ours[0]) if isinstance(f, Value) else 0.0 for f in firsts]
        theirs = [torch.tensor(p, dtype=torch.float64, requires_grad=True) for p in point]
        result = form(*theirs)
        torch_firsts = torch.autograd.grad(result, theirs, create_graph=True,
                                           allow_unused=True)
        torch_seconds = []
        for d in torch_firsts:
            if d is None or not d.requires_grad:
                torch_seconds.append(0.0)
            else:
                (dd,) = torch.autograd.grad(d, theirs[0], allow_unused=True, retain_graph=True)
                torch_seconds.append(0.0 if dd is None else dd.item())
        assert out.data == pytest.approx(result.item(), rel=1e-13, abs=1e-15), point
        for f, t in zip(firsts, torch_firsts):
            assert float(getattr(f, "data", f)) == pytest.approx(
                0.0 if t is None else t.item(), rel=1e-12, abs=1e-14), point
        for s, t in zip(seconds, torch_seconds):
            assert s == pytest.approx(t, rel=1e-10, abs=1e-12), point
