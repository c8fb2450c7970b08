"""The fuzz harness's programs straight through `Session.run` (tests/fuzz_programs.py makes
them and says what may come out)."""

import pytest

import fuzz_programs as fuzz
from fuzz_programs import SESSION_CHECKS, fuzzer

pytestmark = pytest.mark.usefixtures("scratch_folder")


# Each takes more than a second: left out of `pytest -m "not slow"`.
SLOW_CHECKS = {"grammar", "session programs", "session shared lists", "session noise"}


@pytest.mark.parametrize("name, fed, check, examples", [
    pytest.param(*c, marks=pytest.mark.slow) if c[0] in SLOW_CHECKS else c
    for c in SESSION_CHECKS], ids=[c[0] for c in SESSION_CHECKS])
def test_session(name, fed, check, examples):
    fuzzer(fed, check, max_examples=examples)()


# -- what the fuzz found, kept as tests -----------------------------------------------------------
KINDS = ("a = 2; L = a*a; d = moons(10, seed=1); net = mlp(2, [1], seed=1)\n"
         "r = train(net, d, steps=1)\n")


@pytest.mark.parametrize("program, message", [
    ("d + 1", "'+' needs two numbers, not a data set and a number"),
    ("tanh(net)", "tanh needs a number, not a network"),
    ("r(1)", "'r' is a training run, not a function (write r * (...) to multiply)"),
    ("grad(L)[0]", "only a list can be indexed, and grad(L) is a table of gradients"),
    ("xs = [1]\nxs[d]", "an index must be a whole number, not a data set"),
    ("train(d, d)", "train needs a network (made by mlp), not a data set"),
    ("net(1)", "MLP(2, [1]) takes a list of 2 inputs, not one number"),
    ("predict(net, L)", "MLP(2, [1]) takes a list of 2 inputs, not one number"),
    ("predict(net, [[1], 2])", "MLP(2, [1]) takes 2 numbers as inputs, and input 1 is not a "
                               "number"),
    ('net([1, "a"])', "MLP(2, [1]) takes 2 numbers as inputs, and input 2 is not a number"),
])
def test_messages_name_kinds_in_the_languages_words(program, message):
    """bench/fuzz.py: "not a Dataset", "not a Network", "not a TrainingRun", "not a
    Gradients", "takes a list of 2 inputs, not float", and a list or a string among a
    network's inputs: "Value needs a number, not list"."""
    printed, error = fuzz.run_in_session(KINDS + program)[1:]
    assert error.message == message
    fuzz.assert_clear_error(error)


DEEP = "a = 2\nxs = a\nrepeat 100000 { xs = [xs] }\n"


@pytest.mark.parametrize("program, shown", [
    ("ys = value(xs)\nlen(ys)", "1"),
    ("ys = round(xs, 1)\nlen(ys)", "1"),
    ("zs = [xs, [xs, 1]]\nlen(value(zs))", "2"),
])
def test_value_and_round_walk_a_list_nested_100_000_deep(program, shown):
    """bench/fuzz.py: value(xs) of a list nested 100,000 deep said "the computation is
    nested too deeply" (a RecursionError behind it)."""
    printed, error = fuzz.run_in_session(DEEP + program)[1:]
    assert error is None and printed[-1].text == shown


def test_a_data_set_of_a_deeply_nested_list_says_what_is_wrong():
    """bench/fuzz.py: the message showed the bad input with repr(), which has no answer for
    a list nested 100,000 deep (RecursionError)."""
    printed, error = fuzz.run_in_session(DEEP + "dataset(xs, [1])")[1:]
    assert error.message == "input 1 of example 1 is not a number"
    fuzz.assert_clear_error(error)
