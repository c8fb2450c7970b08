"""The engine against independent answers: the worked examples of micrograd's lecture,
micrograd's own test cases, exact fractions, and central finite differences."""

import math
from fractions import Fraction

import pytest

from microcalc import DomainError, MicrocalcError, Value, grad, gradcheck, recompute
from microcalc.engine import FUNCTIONS, OPS, topological_order


def test_backprop_by_hand_example():
    a, b, c, f = Value(2.0), Value(-3.0), Value(10.0), Value(-2.0)
    e = a * b
    d = e + c
    L = d * f
    L.backward()
    assert L.data == -8
    assert (a.grad, b.grad, c.grad, f.grad, e.grad, d.grad) == (6, -4, -2, 4, -2, -2)


def test_nudging_inputs_along_the_gradient_and_recomputing():
    a, b, c, f = Value(2.0), Value(-3.0), Value(10.0), Value(-2.0)
    L = (a * b + c) * f
    L.backward()
    for x in (a, b, c, f):
        x.data += 0.01 * x.grad
    recompute(L)
    assert round(L.data, 6) == -7.286496


def single_neuron(decomposed=False):
    x1, x2, w1, w2 = Value(2.0), Value(0.0), Value(-3.0), Value(1.0)
    b = Value(6.8813735870195432)
    n = x1 * w1 + x2 * w2 + b
    if decomposed:
        e = (2 * n).exp()
        o = (e - 1) / (e + 1)
    else:
        o = n.tanh()
    return (x1, w1, x2, w2, b), n, o


@pytest.mark.parametrize("decomposed", [False, True])
def test_single_tanh_neuron(decomposed):
    inputs, n, o = single_neuron(decomposed)
    assert n.data == 0.8813735870195432
    assert o.data == pytest.approx(0.7071067811865477, abs=1e-15)
    o.backward()
    expected = [-1.5, 1.0, 0.5, 0.0, 0.5]
    assert [x.grad for x in inputs] == pytest.approx(expected, abs=1e-15)
    assert grad(o, inputs) == pytest.approx(expected, abs=1e-15)


def test_tanh_neuron_value_is_math_tanh():
    _, n, o = single_neuron()
    assert o.data == math.tanh(0.8813735870195432)


@pytest.mark.parametrize("program, output, wrt, value, grads", [
    (lambda a: {"b": a + a}, "b", ["a"], 6, [2]),
    (lambda a: {"c": (a + a) + (a + a)}, "c", ["a"], 4, [4]),
])
def test_a_node_used_twice_sums_its_paths(program, output, wrt, value, grads):
    a = Value(3.0 if output == "b" else 1.0)
    out = program(a)[output]
    assert out.data == value
    assert grad(out, a) == grads[0]


def test_reused_node_needs_a_true_topological_order():
    a = Value(1.0)
    b = a + a
    c = b + b
    c.backward()
    assert a.grad == 4 and b.grad == 2


def test_facts_small_examples():
    a, b = Value(-2.0), Value(3.0)
    f = (a * b) * (a + b)
    assert f.data == -6 and grad(f, [a, b]) == [-3, -8]
    a, b = Value(2.0), Value(3.0)
    L = a * b + a
    assert L.data == 8 and grad(L, [a, b]) == [4, 2]


def test_value_exponent():
    a, b = Value(2.0), Value(3.0)
    c = a ** b
    assert c.data == 8
    da, db = grad(c, [a, b])
    assert da == 12
    assert db == pytest.approx(5.545177444479562, rel=1e-15)


def test_micrograd_sanity_check():
    x = Value(-4.0)
    z = 2 * x + 2 + x
    q = z.relu() + z * x
    h = (z * z).relu()
    y = h + q + q * x
    y.backward()
    assert y.data == -20.0
    assert x.grad == 46.0


def test_micrograd_more_ops():
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
    assert (c.data, d.data, e.data, f.data) == (-1, 6, -7, 49)
    g.backward()
    assert g.data == pytest.approx(float(Fraction(2421, 98)), abs=1e-12)
    assert a.grad == pytest.approx(float(Fraction(47620, 343)), abs=1e-6)
    assert b.grad == pytest.approx(float(Fraction(221433, 343)), abs=1e-6)


def test_backward_twice_adds_into_grad_as_micrograd_does():
    x = Value(3.0)
    y = x * x
    y.backward()
    assert x.grad == 6
    y.backward()
    assert x.grad == 12


def test_backward_twice_on_a_deeper_graph_doubles_every_gradient():
    # micrograd would give 12xy here, because intermediates keep their old .grad;
    # microcalc adds exactly one more d(out)/d(node) into every node.
    x = Value(2.0)
    y = x * x
    z = y * y
    z.backward()
    first = (x.grad, y.grad, z.grad)
    z.backward()
    assert (x.grad, y.grad, z.grad) == tuple(2 * g for g in first)
    assert first == (32, 8, 1)


def test_zero_grad_resets_the_graph():
    x = Value(3.0)
    y = x * x + x
    y.backward()
    y.zero_grad()
    assert x.grad == 0 and y.grad == 0
    y.backward()
    assert x.grad == 7


def test_functional_grad_touches_no_grad_field():
    x = Value(3.0)
    y = x * x
    assert grad(y, x) == 6
    assert x.grad == 0 and y.grad == 0


def test_grad_of_unrelated_input_is_zero():
    x, z = Value(3.0), Value(1.0)
    assert grad(x * x, [x, z]) == [6, 0]


def test_operands_are_kept_in_order():
    a, b = Value(1.0), Value(2.0)
    c = a - b
    assert c.operands == (a, b) and list(c._prev) == [a, b]
    assert (b - a).operands == (b, a) and list((b - a)._prev) == [b, a]
    assert c._op == "-" and c.op is OPS["sub"]


def test_numbers_on_either_side():
    x = Value(2.0)
    assert (x + 1).data == 3 and (1 + x).data == 3
    assert (x - 1).data == 1 and (1 - x).data == -1
    assert (x * 3).data == 6 and (3 * x).data == 6
    assert (x / 4).data == 0.5 and (4 / x).data == 2
    assert (x ** 3).data == 8 and (3 ** x).data == 9
    assert (-x).data == -2 and abs(Value(-2.0)).data == 2
    assert grad(3 ** x, x) == pytest.approx(9 * math.log(3))
    assert grad(4 / x, x) == -1
    assert grad(1 - x, x) == -1


def test_ints_and_numpy_scalars_become_floats():
    import numpy as np
    assert Value(2).data.__class__ is float
    assert Value(np.float32(1.5)).data.__class__ is float
    assert Value(np.int64(3)).data == 3.0
    assert Value(True).data == 1.0


def test_non_numbers_are_refused():
    with pytest.raises(TypeError):
        Value("2")
    with pytest.raises(DomainError):
        Value(float("nan"))
    with pytest.raises(DomainError):
        Value(10 ** 400)


def test_label_and_repr():
    v = Value(2.0, label="x")
    assert v.label == "x"
    assert repr(v) == "Value(data=2.0, grad=0.0)"


def test_tanh_of_large_inputs_does_not_overflow():
    assert Value(1000.0).tanh().data == 1.0
    assert Value(-1000.0).tanh().data == -1.0
    assert Value(-1000.0).sigmoid().data == 0.0
    assert Value(1000.0).sigmoid().data == 1.0
    x = Value(800.0)
    assert grad(x.tanh(), x) == 0.0


@pytest.mark.parametrize("build, op, words", [
    (lambda: Value(-2.0).log(), "log", "positive"),
    (lambda: Value(0.0).log(), "log", "positive"),
    (lambda: Value(-1.0).sqrt(), "sqrt", ">= 0"),
    (lambda: Value(1.0) / 0, "div", "division by zero"),
    (lambda: 1 / Value(0.0), "div", "division by zero"),
    (lambda: Value(0.0) ** -1, "pow", "0 to a negative power"),
    (lambda: Value(-8.0) ** (1 / 3), "pow", "fractional power"),
    (lambda: Value(1000.0).exp(), "exp", "overflow"),
    (lambda: Value(1e200) * 1e200, "mul", "overflow"),
    (lambda: Value(10.0) ** 400, "pow", "too large"),
])
def test_domain_errors_name_the_op_and_operand(build, op, words):
    with pytest.raises(DomainError) as info:
        build()
    err = info.value
    assert isinstance(err, MicrocalcError)
    assert err.op_name == op
    assert words in str(err)
    assert str(err).startswith(op + "(")


def test_infinite_derivative_is_a_domain_error_and_keeps_grads():
    x = Value(0.0)
    y = x ** 0.5
    assert y.data == 0
    with pytest.raises(DomainError) as info:
        y.backward()
    assert "derivative" in str(info.value)
    assert x.grad == 0
    with pytest.raises(DomainError):
        grad(y, x)


def test_kinks_match_pytorch():
    x = Value(0.0)
    assert grad(x.relu(), x) == 0
    assert grad(abs(x), x) == 0
    assert grad(Value(2.0).relu(), Value(2.0)) == 0  # not an input of that graph


def test_exponent_gradient_is_nan_for_negative_base_as_in_pytorch():
    a, b = Value(-2.0), Value(2.0)
    c = a ** b
    da, db = grad(c, [a, b])
    assert da == -4
    assert math.isnan(db)


@pytest.mark.parametrize("n, expected", [(2, 12.0)])
def test_second_derivative_of_cube(n, expected):
    x = Value(2.0)
    y = x ** 3
    d1 = grad(y, x, create_graph=True)
    d2 = grad(d1, x, create_graph=True)
    d3 = grad(d2, x)
    assert (d1.data, d2.data, d3) == (12, 12, 6)


def test_second_derivative_of_tanh():
    for v in (-1.3, 0.0, 0.4, 2.0):
        x = Value(v)
        d2 = grad(grad(x.tanh(), x, create_graph=True), x)
        t = math.tanh(v)
        assert d2 == pytest.approx(-2 * t * (1 - t * t), abs=1e-14)


def test_mixed_second_derivative():
    x, y = Value(1.5), Value(-0.5)
    f = x * x * y + (x * y).sin()
    dfdx = grad(f, x, create_graph=True)
    d2 = grad(dfdx, y)
    assert d2 == pytest.approx(2 * 1.5 + math.cos(-0.75) - (-0.75) * math.sin(-0.75), abs=1e-14)


def test_every_op_has_first_second_and_third_derivatives_at_a_point():
    # A point inside every domain; third derivatives prove the rules are themselves
    # differentiable graphs.
    for name, op in OPS.items():
        x = Value(1.7 if name == "acosh" else 0.7)      # acosh is defined from 1 on
        y = FUNCTIONS[name](x, Value(1.3)) if op.arity == 2 else FUNCTIONS[name](x)
        d = y
        for _ in range(3):
            d = grad(d, x, create_graph=True)
            assert isinstance(d, Value)
        checks = gradcheck(grad(y, x, create_graph=True), x)
        assert checks[0].error < 1e-6, name


@pytest.mark.slow
def test_a_million_node_chain():
    x = Value(1.0)
    v = x
    for _ in range(500_000):
        v = v * 1.0 + 0.0   # 1,000,000 operations
    assert len(topological_order(v)) == 2_000_001   # plus a constant leaf per operation
    v.backward()
    assert x.grad == 1.0
    assert grad(v, x) == 1.0
    x.data = 2.0
    assert recompute(v).data == 2.0


def test_recompute_follows_changed_inputs():
    a, b = Value(2.0), Value(-3.0)
    L = (a * b).tanh() + a
    a.data = 0.5
    assert L.recompute().data == math.tanh(-1.5) + 0.5


def test_gradcheck_reports_error_per_input():
    a, b = Value(0.3), Value(-1.2)
    y = (a * b).sigmoid() + a.sin() * b.exp()
    checks = gradcheck(y, [a, b])
    assert [c.input for c in checks] == [a, b]
    assert max(c.error for c in checks) < 1e-7
    assert a.data == 0.3 and b.data == -1.2   # nudged and restored


def test_gradcheck_catches_a_wrong_rule_in_the_table(monkeypatch):
    from microcalc.engine.ops import compile_table
    monkeypatch.setattr(OPS["sin"], "partials", ("2.0",))
    compile_table()          # the backward step is compiled from the table
    try:
        x = Value(0.5)
        assert gradcheck(x.sin(), x)[0].error > 0.1
    finally:
        monkeypatch.undo()
        compile_table()
    x = Value(0.5)
    assert gradcheck(x.sin(), x)[0].error < 1e-8


def test_a_method_taken_before_its_first_use_compiles_once(monkeypatch):
    """Code may look Value.__mul__ up before anything multiplied (the language does, at
    import): that stub must compile the op once, not at every call."""
    from microcalc.engine import rules
    from microcalc.engine.ops import compile_table
    compile_table()                     # every op back to its stub
    early_mul = Value.__mul__
    compiled = []
    real_compile = rules._compile_application
    monkeypatch.setattr(rules, "_compile_application",
                        lambda op: compiled.append(op.name) or real_compile(op))
    x = Value(1.0)
    for _ in range(50):
        x = early_mul(x, 1.5)
    assert compiled == ["mul"]
    assert x.data == 1.5 ** 50 and Value.__mul__ is not early_mul


def test_registry_generates_the_methods():
    for name, op in OPS.items():
        if op.is_function:
            assert callable(getattr(Value, name)), name
    assert FUNCTIONS["tanh"](0.5) == math.tanh(0.5)
    assert isinstance(FUNCTIONS["tanh"](Value(0.5)), Value)


def test_results_are_deterministic():
    def run():
        x = Value(0.37)
        terms = [(x * i).tanh() * (x + i).sigmoid() for i in range(50)]
        total = sum(terms, Value(0.0))
        total.backward()
        return x.grad
    assert run() == run()


def test_the_whole_table_compiles_and_importing_compiles_nothing():
    """The engine's code is compiled from OPS piece by piece when first used (a piped
    one-liner needs an op or two); every piece compiles."""
    import subprocess
    import sys
    probe = ("import linecache, microcalc.engine\n"
             "print(sum(k.startswith('<microcalc engine') for k in linecache.cache))")
    run = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert run.stdout.strip() == "0", run.stderr
    from microcalc.engine import rules
    rules.compile_all()
    assert all(callable(op.evaluate) and callable(op.derivative) for op in OPS.values())
