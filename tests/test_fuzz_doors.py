"""Fuzzed input through every front door (tests/fuzz_doors.py says what each must do), and
what the fuzz found, kept as tests."""

import pytest

import fuzz_programs as fuzz
import fuzz_doors as doors
from fuzz_doors import DOORS, check_eval
from fuzz_programs import fuzzer

pytestmark = pytest.mark.usefixtures("scratch_folder")


# Doors that take more than a second in all, left out of `pytest -m "not slow"`: the REPL
# typed into or pasted, real processes, and programs that fill 300 MB of memory before they
# fail.
SLOW_DOORS = {"REPL typed", "REPL pasted", "REPL hostile script", "memory capped process",
              "history process", "cache folders process", "special process", "pipe process",
              "script process", "-e process", "pipe", "script", "-e"}


@pytest.mark.parametrize("door, fed, check, examples", [
    pytest.param(*door, marks=pytest.mark.slow) if door[0] in SLOW_DOORS else door
    for door in DOORS], ids=[d[0] for d in DOORS])
def test_door(door, fed, check, examples):
    fuzzer(fed, check, max_examples=examples)()


# -- what the fuzz found, kept as tests ---------------------------------------------------------

@pytest.mark.parametrize("program", ["-1e308", "-x * 2", "--a", "-e", "-h", "--version", "-"])
def test_a_program_given_to_e_may_start_with_a_minus(program):
    """bench/fuzz.py: `microcalc -e -1e308` was a usage error, argparse taking the program
    for an option."""
    check_eval(program)
    check_eval(f"x = 3; {program}")


GRAPH = "a = 2; b = -3; L = a*b + a\n"


@pytest.mark.parametrize("program, message", [
    ("check grad(L, a)", "check draws a graph, and grad(...) here would be a query, not a "
                         "graph: name the derivative first (g = grad(L, a)), then check g"),
    ("tree grad(L)", "tree draws a graph, and grad(...) here would be a query, not a graph: "
                     "name the derivative first (g = grad(L, a)), then tree g"),
    ('dot "L"', "dot needs a graph (a value computed from inputs), not a string"),
    ("watch [L]", "watch needs a graph (a value computed from inputs), not a list"),
    ("explain L, 3", "explain differentiates by a variable, not a number"),
    ("explain L, grad(a)", "explain differentiates by a variable, not grad(...): "
                           "write explain grad(L, a)"),
    ("check L, a, [b]", "check differentiates by a variable, not a list"),
    ('plot "abc"', "plot draws a list of numbers, a training run or a function, not a string"),
    ('plot [1, "a"]', "plot draws numbers, and item 1 is a string"),
    ("plot [[1]]", "plot draws numbers, and item 0 is a list"),
    ("boundary L, 3", "boundary needs a data set: boundary net, data  or  boundary run"),
    ("tree L, depth=-1", "depth= must be a whole number from 0 to 1000, not -1"),
    ('tree L, nodes="a"', "nodes= must be a whole number from 1 to 10000, not a string"),
])
def test_commands_name_a_wrong_argument_in_the_languages_words(program, message):
    """bench/fuzz.py: `check grad(a)` said 'not GradQuery', `explain L, 3` 'not float'."""
    printed, error = fuzz.run_in_session(GRAPH + program)[1:]
    assert error.message == message
    fuzz.assert_clear_error(error)


def test_check_refuses_a_value_that_is_not_an_input():
    """`check L, L` nudged L, recomputed it over the nudge, and reported autodiff as wrong."""
    printed, error = fuzz.run_in_session(GRAPH + "c = a*b\nM = c + 1\ncheck M, c")[1:]
    assert error.message == ("check nudges inputs, and c is computed from other values: "
                             "check M with its inputs (a, b)")


def test_a_variable_may_give_a_commands_count():
    """bench/fuzz.py: `tree a, a` failed inside Python (int() of a Value)."""
    printed, error = fuzz.run_in_session(GRAPH + "d = 1\ntree L, d\ntree L, a")[1:]
    assert error is None
    assert printed[-2].text.splitlines()[-1] == "3 of 4 nodes shown: cut at depth 1 " \
                                                "(raise with depth=N)"
    assert len(printed[-1].text.splitlines()) == 1 + 5         # depth 2: the whole tree
    printed, error = fuzz.run_in_session(GRAPH + "tree L, b")[1:]
    assert error.message == "depth= must be a whole number from 0 to 1000, not -3"


@pytest.mark.parametrize("statement", [
    'save(net, "nul\x00byte.json")', 'load(net, "nul\x00byte.json")',
    'load_csv("nul\x00byte.csv")', 'dot L, "nul\x00byte.dot"', 'x = "nul\x00byte"',
])
def test_a_string_cannot_hold_a_nul_character(statement):
    """bench/fuzz.py: `load_csv("nul<NUL>byte.json")` gave Python's 'embedded null byte'. No
    file name can hold one, and nothing else in the language wants one."""
    text = GRAPH + "net = mlp(2, [1], seed=1)\n" + statement
    printed, error = fuzz.run_in_session(text)[1:]
    assert printed == []             # found while the program is read: nothing ran
    assert error.message == "a string cannot hold the NUL character"
    assert (error.line, error.column) == (3, statement.index('"') + 1)


def test_a_script_that_is_a_fifo_nobody_writes_waits_until_ctrl_c():
    """`microcalc FIFO` waits for a writer, as `cat FIFO` does; Ctrl-C ends the wait at once
    (during a read of the whole input it was not acted on)."""
    doors.make_special_files()
    doors.check_fifo_script_waits_for_ctrl_c("nobody-writes.fifo")
