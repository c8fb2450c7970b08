"""Loops, conditions and lists: for, if, comparisons, and, or, not, sum, mean, len, range,
list concatenation, data sets read as lists, and changing an input inside a list.

Expected numbers come from the same computation written in Python (with microcalc's Value
where a graph is involved), or from exact arithmetic.
"""

import signal
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from microcalc.engine import Value
from microcalc.lang import Session, SourceError

from conftest import error_of_program, outputs

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def s():
    return Session()


# -- for ---------------------------------------------------------------------------------

def test_for_runs_its_block_once_per_item_and_bare_expressions_print(s):
    assert outputs(s, "for x in [1, 2, 3] { x * 10 }") == ["10", "20", "30"]
    assert outputs(s, "total = 0; for x in [1, 2, 3] { total += x }; total") == ["6"]


def test_range_counts_from_0_or_from_start(s):
    assert outputs(s, "range(4); range(2, 5); range(0); range(3, 1)") == \
        ["[0, 1, 2, 3]", "[2, 3, 4]", "[]", "[]"]
    assert outputs(s, "for i in range(3) { i }") == ["0", "1", "2"]


def test_a_loop_variable_is_bound_as_by_equals_and_stays_after_the_loop(s):
    s.run("a = 2; b = 3; L = a * b; for x in [a, 5] { y = x }")
    x = s.variables["x"]
    assert isinstance(x, Value) and x.is_input and x.data == 5.0     # a number: a new input
    s.run("for x in [a] { }")
    assert s.variables["x"] is s.variables["a"]                       # a Value: that Value
    assert outputs(s, "x := 4; L") == ["12"]


def test_for_over_a_data_set_gives_each_examples_inputs_and_label(s):
    s.run("data = dataset([[2, 3], [4, 5], [6, 7]], [1, -1, 1])")
    assert outputs(s, "for x, y in data { x[0] * y }") == ["2", "-4", "6"]
    assert outputs(s, "len(data); data[1]; data[-1][1]") == ["3", "[[4, 5], -1]", "1"]
    assert outputs(s, "for pair in data { pair[1] }") == ["1", "-1", "1"]


def test_for_unpacks_lists_of_pairs(s):
    assert outputs(s, "for a, b in [[1, 2], [3, 4]] { a - b }") == ["-1", "-1"]


def test_nested_loops_and_loops_inside_repeat(s):
    assert outputs(s, "n = 0; for i in range(3) { for j in range(i) { n += 1 } }; n") == ["3"]
    assert outputs(s, "m = 0; repeat 2 { for x in [1, 2] { m += x } }; m") == ["6"]


def test_for_goes_over_the_list_as_it_was_when_the_loop_began(s):
    assert outputs(s, "xs = [1, 2]; for x in xs { xs = xs + [x] }; xs") == \
        ["[1, 2]", "[1, 2, 1, 2]"]


@pytest.mark.parametrize("source, message, column, underlined", [
    ("for x in 3 { }", "for goes through a list or a data set, not a number", 10, "3"),
    ('for x in "ab" { }', "for goes through a list or a data set, not a string", 10, '"ab"'),
    ("for x, y in [[1, 2], 3] { }", "for x, y takes items of 2 values each, and item 1 is "
     "a number", 13, "[[1, 2], 3]"),
    ("for x, y in [[1, 2, 3]] { }", "for x, y takes items of 2 values each, and item 0 is "
     "a list of 3", 13, "[[1, 2, 3]]"),
    ("for tanh in [1] { }", "'tanh' is a builtin function and cannot be assigned; choose "
     "another name", 5, "tanh"),
    ("for x, x in [[1, 2]] { }", "'x' appears twice", 8, "x"),
    ("for ans in [1] { }", "'ans' is the last result and cannot be assigned", 5, "ans"),
    ("range(1.5)", "range's stop must be a whole number, not 1.5", 1, "range(1.5)"),
    ("range(1e7)", "range gives at most 1,000,000 numbers, and this would be 10,000,000; "
     "for a longer loop, write repeat N { ... }", 1, "range(1e7)"),
])
def test_for_errors_point_at_what_is_wrong(source, message, column, underlined):
    err = error_of_program(source)
    assert (err.message, err.line, err.column) == (message, 1, column)
    assert err.source_line[err.column - 1:err.end_column - 1] == underlined


def test_a_failing_statement_in_a_loop_stops_it_and_keeps_what_ran(s):
    s.run("n = 0")
    with pytest.raises(SourceError, match="log") as info:
        s.run("for x in [1, 2, -1, 3] {\n  n += 1\n  y = log(x)\n}")
    assert info.value.line == 3
    assert s.variables["n"].data == 3.0 and s.variables["x"].data == -1.0
    assert s.variables["y"].data == pytest.approx(0.6931471805599453)


def test_ctrl_c_stops_a_loop_and_keeps_every_variable(s):
    s.run("n = 0; f(x) = x")
    fired = []

    def interrupt(signum, frame):
        fired.append(True)
        raise KeyboardInterrupt
    previous = signal.signal(signal.SIGALRM, interrupt)
    signal.setitimer(signal.ITIMER_REAL, 0.3)
    try:
        with pytest.raises(KeyboardInterrupt):
            s.run("for i in range(1000000) { n += 1; m = f(n) }")
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    assert fired
    n, i = s.variables["n"].data, s.variables["i"].data
    assert 0 < n < 1_000_000 and n in (i, i + 1)
    assert outputs(s, "n + 1") == [repr(n + 1).removesuffix(".0")]


@settings(max_examples=60, deadline=None, derandomize=True, database=None)
@given(st.lists(st.integers(-5, 5), max_size=6), st.sampled_from(
    ["t += x", "t = t * 2 + x", "t -= x * x\nu = t + x", "if x > 0 { t += x } else { t -= 1 }"]))
def test_a_for_loop_does_what_its_unrolled_statements_do(items, body):
    """for x in [...] { body } leaves every variable as the statements x = item; body, one
    after the other, do."""
    looped, unrolled = Session(), Session()
    looped.run("t = 1; u = 0")
    unrolled.run("t = 1; u = 0")
    looped.run(f"for x in {items} {{\n{body}\n}}")
    for item in items:
        unrolled.run(f"x = {item}\nif 1 {{\n{body}\n}}")
    assert {k: v.data for k, v in looped.variables.items()} == \
        {k: v.data for k, v in unrolled.variables.items()}


# -- if, comparisons and logic -------------------------------------------------------------

@pytest.mark.parametrize("a, expected", [(-2, "negative"), (0, "zero"), (3, "positive")])
def test_if_else_if_else_runs_the_first_block_whose_condition_holds(s, a, expected):
    s.run(f"a = {a}")
    assert outputs(s, 'if a < 0 { "negative" } else if a == 0 { "zero" } '
                      'else { "positive" }') == [f'"{expected}"']


def test_if_without_else_and_blocks_over_several_lines(s):
    assert outputs(s, "x = 1\nif x > 0 {\n  y = x * 2\n  y\n}\nif x > 5 { 99 }") == ["2"]


@pytest.mark.parametrize("source, expected", [
    ("1 < 2", 1.0), ("2 < 1", 0.0), ("2 <= 2", 1.0), ("3 > 3", 0.0), ("3 >= 3", 1.0),
    ("0.1 + 0.2 == 0.3", 0.0), ("2 != 3", 1.0), ("1 < 2 == 1", None),
    ("not 0", 1.0), ("not 2", 0.0), ("1 and 0", 0.0), ("1 and 2", 1.0), ("0 or 0", 0.0),
    ("0 or -1", 1.0), ("not 1 < 2", 0.0), ("1 < 2 and 2 < 3", 1.0),
    ("0 and 1 or 1", 1.0), ("1 or 0 and 0", 1.0), ("-2**2 < -3", 1.0), ("1 + 1 == 2", 1.0),
])
def test_comparisons_and_logic_give_1_or_0_with_pythons_precedence(s, source, expected):
    if expected is None:
        with pytest.raises(SourceError, match="comparisons do not chain"):
            s.run(source)
        return
    (event,) = s.run(source)
    python = eval(source)
    assert event.data["value"] == expected == float(bool(python))


def test_comparisons_are_constants_with_no_gradient(s):
    s.run("a = 2; L = (a > 1) * a")
    assert outputs(s, "L; grad(L, a)") == ["2", "1"]
    # L is 1 * a: the comparison gave a number when L was built, and stays that number
    assert outputs(s, "a := 0.5; L") == ["0.5"]


def test_and_or_stop_at_the_first_operand_that_decides(s):
    s.run("x = 0")
    assert outputs(s, "x != 0 and 1/x > 2; x == 0 or log(x) > 0") == ["0", "1"]


@pytest.mark.parametrize("source, message, underlined", [
    ("[1] < 2", "'<' compares two numbers, not a list and a number", "[1] < 2"),
    ('"a" == "a"', "'==' compares two numbers, not a string and a string", '"a" == "a"'),
    ("if [1] { }", "if needs a number (a comparison gives 1 or 0), not a list", "[1]"),
    ("[1] and 1", "'and' needs a number (a comparison gives 1 or 0), not a list", "[1]"),
    ("not [1]", "'not' needs a number (a comparison gives 1 or 0), not a list", "[1]"),
])
def test_comparing_or_testing_what_is_not_a_number_is_an_error(source, message, underlined):
    err = error_of_program(source)
    assert err.message == message
    assert err.source_line[err.column - 1:err.end_column - 1] == underlined


# -- lists ---------------------------------------------------------------------------------

def test_sum_mean_and_len(s):
    assert outputs(s, "sum([1, 2, 3.5]); mean([1, 2, 3, 4]); sum([]); len([[1], 2])") == \
        ["6.5", "2.5", "0", "2"]


def test_sum_of_graphs_is_a_graph_grad_goes_through(s):
    s.run("a = 2; b = 3; L = sum([a*b, a, 1]); M = mean([a, b])")
    assert outputs(s, "L; grad(L, a); grad(L, b); M; grad(M, a)") == ["9", "4", "2", "2.5",
                                                                      "0.5"]


def test_sum_adds_as_python_does_first_to_last():
    values = [0.1, 0.2, 0.3, 1e16, -1e16]
    s = Session()
    (event,) = s.run(f"sum({values})")
    total = 0.0
    for v in values:
        total += v
    assert event.data["value"] == total


def test_lists_concatenate_with_plus(s):
    assert outputs(s, "[1, 2] + [3]; [] + []; xs = [1]; xs = xs + [xs[0] * 2]") == \
        ["[1, 2, 3]", "[]", "[1]", "[1, 2]"]


@pytest.mark.parametrize("source, message", [
    ("sum(3)", "sum needs a list, not a number"),
    ('sum([1, "a"])', "sum adds numbers, and item 1 is a string"),
    ("mean([])", "mean needs at least one number, and the list is empty"),
    ("sum([1e308, 1e308])", "1e308 + 1e308: result too large (overflow)"),
    ("[1] + 2", "'+' needs two numbers, not a list and a number"),
    ("[1] * [2]", "'*' needs two numbers, not a list and a list"),
    ("len(2)", "len needs a list, not a number"),
])
def test_list_builtins_refuse_what_they_cannot_use(source, message):
    assert error_of_program(source).message == message


def test_parameters_of_a_network_are_a_list_of_inputs(s):
    s.run("net = mlp(2, [3, 1], seed=1); ps = parameters(net)")
    assert outputs(s, "len(ps)") == ["13"]
    assert all(isinstance(p, Value) and p.is_input for p in s.variables["ps"])


# -- changing an input inside a list -------------------------------------------------------

def test_an_item_of_a_list_changes_in_place_with_every_operator(s):
    s.run("a = 10; b = 1; ps = [a, b]; L = a * b")
    s.run("ps[0] -= 4")
    assert s.variables["a"].data == 6.0 and outputs(s, "L") == ["6"]
    s.run("ps[1] += 1; ps[1] *= 3; ps[0] /= 2; i = 1; ps[i - 1] := 5")
    assert (s.variables["a"].data, s.variables["b"].data) == (5.0, 6.0)
    assert outputs(s, "L; ps") == ["30", "[5, 6]"]


def test_gradient_descent_on_a_networks_parameters_by_index(s):
    s.run("net = mlp(2, [1], seed=3); ps = parameters(net); x = [1, 2]\n"
          "L = (net(x) - 1)**2\n"
          "g = value(grad(L, ps))\n"
          "before = value(ps)")
    s.run("for i in range(len(ps)) { ps[i] -= 0.1 * g[i] }")
    before, g = s.variables["before"], s.variables["g"]
    assert [p.data for p in s.variables["ps"]] == [b - 0.1 * d for b, d in zip(before, g)]


@pytest.mark.parametrize("source, message, underlined", [
    ("a = 1; ps = [a * 2]; ps[0] := 3", "ps[0] is not an input: it is computed from other "
     "values, and := changes an input", "ps[0]"),
    ("xs = [1, 2]; xs[0] -= 1", "-= changes an input (a number that = gave a name, or a "
     "network's parameter), and xs[0] is a number", "xs[0]"),
    ("xs = [[1]]; xs[0] += 1", "+= changes an input (a number that = gave a name, or a "
     "network's parameter), and xs[0] is a list", "xs[0]"),
    ("a = 1; ps = [a]; ps[3] := 1", "index 3 is out of range: the list has 1 item (0 to 0)",
     "3"),
    ("a = 1; ps = [a]; ps[0] := [1]", ":= needs a number, not a list", "[1]"),
])
def test_changing_what_is_not_an_input_in_a_list_is_an_error(source, message, underlined):
    err = error_of_program(source)
    assert err.message == message
    assert err.source_line[err.column - 1:err.end_column - 1] == underlined


def test_a_failing_change_of_an_item_names_it_and_keeps_the_old_value(s):
    s.run("a = 1; ps = [a]; L = log(a)")
    with pytest.raises(SourceError, match=r"ps\[0\] = 0 would make L undefined"):
        s.run("ps[0] -= 1")
    assert s.variables["a"].data == 1.0


# -- the lecture's training loop, by hand ---------------------------------------------------

def python_training_losses():
    """The lecture's loop in Python (as docs/python.md has it): the loss at each step."""
    from microcalc.nn import MLP
    xs = [[2.0, 3.0, -1.0], [3.0, -1.0, 0.5], [0.5, 1.0, 1.0], [1.0, 1.0, -1.0]]
    ys = [1.0, -1.0, -1.0, 1.0]
    n = MLP(3, [4, 4, 1], activation="tanh", output="tanh", seed=1)
    losses = []
    for _ in range(20):
        ypred = [n(x) for x in xs]
        loss = sum((yout - ygt) ** 2 for ygt, yout in zip(ys, ypred))
        for p in n.parameters():
            p.grad = 0.0
        loss.backward()
        for p in n.parameters():
            p.data += -0.1 * p.grad
        losses.append(loss.data)
    return losses


def test_train_by_hand_reaches_the_python_loops_losses_bit_for_bit():
    script = ROOT / "examples" / "train_by_hand.mg"
    events = Session().run(script.read_text("utf-8"), str(script))
    printed = [e.text.split() for e in events if e.kind == "text"]
    steps = [(int(k), float(loss)) for k, loss in printed]
    assert [k for k, _ in steps] == list(range(20))
    assert [loss for _, loss in steps] == python_training_losses()


def test_train_by_hand_runs_as_a_script_with_no_error():
    done = subprocess.run([sys.executable, "-m", "microcalc", "examples/train_by_hand.mg"],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout.splitlines()[-1].startswith("[0.9")
