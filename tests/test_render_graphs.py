"""The seed documents' example graphs, built with the engine and named as a session would
name them; shared by the test_render_* files, and checked here against FACTS.md."""

from microcalc.engine import Value


def _named(**values):
    return values, {v: k for k, v in values.items()}


def seed_expression():
    """L = (a*b + c)*f with a=2, b=-3, c=10, f=-2 (e = a*b, d = e + c): values, names."""
    a, b, c, f = Value(2.0), Value(-3.0), Value(10.0), Value(-2.0)
    e = a * b
    d = e + c
    L = d * f
    return _named(a=a, b=b, c=c, f=f, e=e, d=d, L=L)


def seed_neuron():
    """o = tanh(x1*w1 + x2*w2 + b): the seeds' single neuron."""
    x1, x2, w1, w2 = Value(2.0), Value(0.0), Value(-3.0), Value(1.0)
    b = Value(6.8813735870195432)
    n = x1 * w1 + x2 * w2 + b
    o = n.tanh()
    return _named(x1=x1, x2=x2, w1=w1, w2=w2, b=b, n=n, o=o)


def doubling(levels):
    """x0 = 1, x1 = x0 + x0, ..., x{levels}: 2**levels paths from the top to x0."""
    xs = [Value(1.0)]
    for _ in range(levels):
        xs.append(xs[-1] + xs[-1])
    return xs, {x: f"x{i}" for i, x in enumerate(xs)}


def test_seed_expression_has_the_facts_values():
    values, _ = seed_expression()
    assert [values[k].data for k in "abcfedL"] == [2, -3, 10, -2, -6, 4, -8]


def test_seed_neuron_has_the_facts_values():
    values, _ = seed_neuron()
    assert values["n"].data == 0.8813735870195432
    assert values["o"].data == 0.7071067811865477


def test_doubling_doubles():
    xs, names = doubling(60)
    assert xs[-1].data == 2.0 ** 60 and names[xs[60]] == "x60"
