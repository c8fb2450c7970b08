"""Hypothesis: random programs in the language against the same programs written with
microcalc's Python API, and printed numbers that read back exactly."""

import math

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from microcalc import engine
from microcalc.engine import OPS, Value
from microcalc.errors import DomainError
from microcalc.lang import Session, SourceError
from microcalc.lang.format import format_number

INPUTS = ("x", "y", "z")
BINARY = [op for op in OPS.values() if op.arity == 2 and op.symbol]
PREFIX = [op for op in OPS.values() if op.arity == 1 and op.symbol]
FUNCTIONS = [op for op in OPS.values() if op.is_function and op.arity == 1]
FUNCTIONS_OF_TWO = [op for op in OPS.values() if op.is_function and op.arity == 2]
# How the language calls an op whose builtin has another name.
CALLED_AS = {"log_base": "log"}
# Python's precedence, which the language follows: higher binds tighter.
LEVEL = {"+": 1, "-": 1, "*": 2, "/": 2, "unary": 3, "**": 4, "atom": 5}

constants = st.sampled_from([0.0, 1.0, 2.0, 3.0, 0.5, 1.5, 2.25, -1.0, -2.0, -0.5, 10.0, 1e-3])
leaves = st.one_of(st.sampled_from(INPUTS), constants)


def _extend(children):
    return st.one_of(
        st.tuples(st.sampled_from(BINARY), children, children),
        st.tuples(st.sampled_from(PREFIX), children),
        st.tuples(st.sampled_from(FUNCTIONS), children),
        st.tuples(st.sampled_from(FUNCTIONS_OF_TWO), children, children),
    )


expressions = st.recursive(leaves, _extend, max_leaves=12)


def level(tree):
    if not isinstance(tree, tuple):
        return LEVEL["atom"]
    op = tree[0]
    if op.is_function:
        return LEVEL["atom"]
    return LEVEL[op.symbol] if op.arity == 2 else LEVEL["unary"]


def to_language(tree):
    """The expression in the language, with only the brackets precedence requires."""
    if isinstance(tree, str):
        return tree
    if isinstance(tree, float):
        text = format_number(tree)
        return f"({text})" if tree < 0 else text
    op = tree[0]
    if op.is_function:
        arguments = ", ".join(to_language(child) for child in tree[1:])
        return f"{CALLED_AS.get(op.name, op.name)}({arguments})"
    if op.arity == 1:
        return f"{op.symbol}{_wrap(tree[1], LEVEL['unary'])}"
    mine = LEVEL[op.symbol]
    if op.symbol == "**":      # right-associative; a unary minus may follow it
        return f"{_wrap(tree[1], mine + 1)} ** {_wrap(tree[2], LEVEL['unary'])}"
    return f"{_wrap(tree[1], mine)} {op.symbol} {_wrap(tree[2], mine + 1)}"


def _wrap(tree, needed):
    text = to_language(tree)
    return text if level(tree) >= needed else f"({text})"


def build(tree, inputs):
    """The same expression built with the Python API: Value operators and methods on the
    inputs; a part made of constants only is a plain float, computed with the engine's
    functions on floats, as a Python user of microcalc would write it."""
    if isinstance(tree, str):
        return inputs[tree]
    if isinstance(tree, float):
        return tree
    op = tree[0]
    operands = [build(child, inputs) for child in tree[1:]]
    if not any(isinstance(x, Value) for x in operands):
        return engine.FUNCTIONS[op.name](*operands)
    if op.is_function and op.arity == 2:      # a.max(b), or max(2, b) as a function
        return engine.FUNCTIONS[op.name](*operands)
    if op.is_function:
        return getattr(operands[0], op.name)()
    if op.arity == 1:
        return -operands[0]
    left, right = operands
    return {"+": lambda: left + right, "-": lambda: left - right, "*": lambda: left * right,
            "/": lambda: left / right, "**": lambda: left ** right}[op.symbol]()


def test_every_op_can_be_generated():
    assert {op.name for op in BINARY + PREFIX + FUNCTIONS + FUNCTIONS_OF_TWO} == set(OPS)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tree=expressions,
       point=st.tuples(*[st.sampled_from([-2.5, -1.0, -0.5, 0.0, 0.25, 1.0, 2.0, 3.0])] * 3))
def test_random_programs_match_the_python_api(tree, point):
    inputs = {name: Value(v) for name, v in zip(INPUTS, point)}
    try:
        expected = build(tree, inputs)
    except DomainError:
        expected = None
    session = Session()
    setup = "; ".join(f"{name} = {format_number(v)}" for name, v in zip(INPUTS, point))
    program = f"{setup}\nL = {to_language(tree)}"
    if expected is None:
        try:
            session.run(program)
        except SourceError as err:
            assert err.line == 2
            return
        raise AssertionError(f"{program!r} ran, but the Python API raised a DomainError")
    session.run(program)
    if not isinstance(expected, Value):
        assert session.variables["L"].data == expected
        return
    assert session.variables["L"].data == expected.data

    try:
        want = engine.grad(expected, [inputs[n] for n in INPUTS])
    except DomainError:
        want = None
    if want is None or any(math.isnan(g) for g in want):
        try:
            session.run("grad(L, x, y, z)")
        except SourceError as err:
            assert "gradient" in err.message
            return
        raise AssertionError("an undefined gradient did not raise")
    (event,) = [e for e in session.run("grad(L, x, y, z)") if e.kind == "value"]
    for got, exact in zip(event.data["value"], want):
        assert math.isclose(got, exact, rel_tol=1e-12, abs_tol=1e-12), (program, got, exact)


@settings(max_examples=60, deadline=None)
@given(tree=expressions)
def test_the_printed_program_parses_back_to_the_same_tree(tree):
    """Precedence check in the other direction: the language text rendered fully
    parenthesised gives the same value as the minimal rendering."""
    session = Session()
    session.run("x = 0.5; y = 1.5; z = -2")
    minimal, full = to_language(tree), _parenthesised(tree)
    try:
        a = session.run(minimal)[0].data["value"]
    except SourceError:
        assume(False)
    assert session.run(full)[0].data["value"] == a


def _parenthesised(tree):
    if isinstance(tree, str):
        return tree
    if isinstance(tree, float):
        return f"({format_number(tree)})"
    op = tree[0]
    if op.is_function:
        arguments = ", ".join(_parenthesised(child) for child in tree[1:])
        return f"{CALLED_AS.get(op.name, op.name)}({arguments})"
    if op.arity == 1:
        return f"({op.symbol}{_parenthesised(tree[1])})"
    return f"({_parenthesised(tree[1])} {op.symbol} {_parenthesised(tree[2])})"


finite_floats = st.floats(allow_nan=False, allow_infinity=False)


@settings(max_examples=500, deadline=None)
@given(finite_floats)
def test_a_printed_number_reads_back_as_the_same_float(x):
    text = format_number(x)
    assert float(text) == x
    assert len(text) <= len(repr(x))
    (event,) = Session().run(text)
    assert event.data["value"] == x and event.text == text


@settings(max_examples=100, deadline=None)
@given(st.lists(st.one_of(finite_floats, st.lists(finite_floats, max_size=3)), max_size=5))
def test_a_printed_list_reads_back_as_the_same_list(items):
    session = Session()
    (event,) = session.run(f"xs = {_list_text(items)}")
    (again,) = session.run(event.text)
    assert again.data["value"] == event.data["value"] == _floats(items)


def _list_text(items):
    return "[" + ", ".join(_list_text(i) if isinstance(i, list) else repr(i) for i in items) + "]"


def _floats(items):
    return [_floats(i) if isinstance(i, list) else float(i) for i in items]


def test_format_number_examples():
    assert [format_number(x) for x in (6.0, -1.5, 0.7071067811865477, 1e16, 1.5e-7, -0.0,
                                       123456789.0, 2.0 ** 70, 0.1 + 0.2)] == \
        ["6", "-1.5", "0.7071067811865477", "1e16", "1.5e-7", "0", "123456789",
         "1.1805916207174113e21", "0.30000000000000004"]
