"""microcalc.render.check: autodiff beside central differences, as a table."""

from microcalc.engine import Value
from microcalc.render import check
from conftest import LECTURE_CHECK, lecture_expression, lecture_neuron

# L is built from + and * only, so every number here is exact IEEE arithmetic: the same on
# every machine. The errors are those of central differences with h = 1e-6 * max(1, |x|).


def test_seed_check_table_is_exact():
    values, names = lecture_expression()
    assert check(values["L"], names=names) == LECTURE_CHECK


def test_check_leaves_the_graph_as_it_was():
    values, names = lecture_expression()
    check(values["L"], names=names)
    assert [values[k].data for k in "abcfedL"] == [2, -3, 10, -2, -6, 4, -8]
    assert all(v.grad == 0 for v in values.values())


def test_neuron_check_in_ascii():
    values, names = lecture_neuron()
    picture = check(values["o"], names=names, ascii=True)
    rows = [line.split() for line in picture.splitlines()[1:-1]]
    assert [(r[0], r[1], r[2], r[4]) for r in rows] == [
        ("x1", "-1.5", "-1.5", "ok"), ("w1", "1", "1", "ok"), ("x2", "0.5", "0.5", "ok"),
        ("w2", "0", "0", "ok"), ("b", "0.5", "0.5", "ok")]
    assert all(item["error"] < 1e-8 for item in picture.data["inputs"])
    picture.encode("ascii")


def test_chosen_inputs_and_unnamed_constants():
    x = Value(3.0)
    y = 2 * x * x                    # the 2 is a constant: not checked when x is named
    picture = check(y, names={x: "x"})
    assert [item["input"] for item in picture.data["inputs"]] == ["x"]
    assert picture.data["inputs"][0]["autodiff"] == 12.0
    assert check(y, [x], names={x: "x"}).data["inputs"][0]["input"] == "x"


def test_a_kink_is_flagged():
    x = Value(0.0)
    y = x.relu() + x                 # relu'(0) = 0 by convention; differences see 1/2
    picture = check(y, names={x: "x"})
    assert picture.splitlines()[1].split() == ["x", "1", "1.5", "3.3e-1", "✗"]
    assert picture.splitlines()[-1].startswith("1 of 1 gradients differ")
    assert picture.data["failed"] == 1


def test_unnamed_inputs_are_numbered_when_none_has_a_name():
    a, b = Value(2.0), Value(5.0)
    picture = check(a * b)
    assert [item["input"] for item in picture.data["inputs"]] == [
        "input 1 (= 2)", "input 2 (= 5)"]
