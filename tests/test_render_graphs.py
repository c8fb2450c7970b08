"""The micrograd lecture's example graphs of conftest.py, checked against the answers worked
by hand."""

from conftest import doubling, lecture_expression, lecture_neuron


def test_lecture_expression_has_the_lectures_values():
    values, _ = lecture_expression()
    assert [values[k].data for k in "abcfedL"] == [2, -3, 10, -2, -6, 4, -8]


def test_lecture_neuron_has_the_lectures_values():
    values, _ = lecture_neuron()
    assert values["n"].data == 0.8813735870195432
    assert values["o"].data == 0.7071067811865477


def test_doubling_doubles():
    xs, names = doubling(60)
    assert xs[-1].data == 2.0 ** 60 and names[xs[60]] == "x60"
