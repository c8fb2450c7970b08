"""The edges a second round of attacks found in the language: a failing := that left state
half changed, lists shared or nested past reason, a recursion through grad that ended in an
internal error, Python's words in messages, and a huge graph in `ans` sorted on every :=.
"""

import signal
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

import pytest

from microcalc.lang import Session, SourceError
from microcalc.lang import dependents

from conftest import outputs

ROOT = Path(__file__).resolve().parents[1]


@contextmanager
def at_most(seconds):
    """Fail (rather than hang the suite) if the block runs past seconds: a guard, not a
    measurement: the work it guards is linear, and the limit is hundreds of times that."""
    def stop(signum, frame):
        raise AssertionError(f"still running after {seconds} s")
    previous = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


# -- a change in place with lists nested or shared past reason ------------------------------

def test_a_list_nested_a_thousand_deep_does_not_stop_a_change_in_place():
    session = Session()
    session.run("a = 1; L = a * 2; xs = [L]; repeat 1000 { xs = [xs] }")
    session.run("a := 5")
    assert session.variables["a"].data == 5.0 and outputs(session, "L") == ["10"]


def test_a_list_doubled_forty_times_is_read_once_per_list():
    session = Session()
    session.run("a = 1; L = a * 2; xs = [L]; repeat 40 { xs = [xs, xs] }")
    with at_most(30):
        session.run("a := 2")
    assert outputs(session, "L") == ["4"]
    with at_most(30):
        roots = dependents.graphs_in([session.variables["xs"]])
    assert roots == [session.variables["L"]]


@pytest.mark.parametrize("failure", [RuntimeError("a bug"), RecursionError(), MemoryError()])
def test_any_exception_during_a_change_puts_everything_back(failure, monkeypatch):
    session = Session()
    session.run("a = 2; L = a * 10; M = L + 1")
    real = dependents.Dependents.recompute
    calls = []

    def failing_once(self, changed, also=None):
        calls.append(changed.data)
        if len(calls) == 1:
            real(self, changed, also)          # half done: L is recomputed, then it fails
            raise failure
        return real(self, changed, also)
    monkeypatch.setattr(dependents.Dependents, "recompute", failing_once)
    with pytest.raises((SourceError, type(failure))):
        session.run("a := 7")
    monkeypatch.undo()
    assert session.variables["a"].data == 2.0
    assert outputs(session, "L; M") == ["20", "21"]


# -- recursion through grad -------------------------------------------------------------------

def test_a_recursion_through_grad_is_refused_at_once_and_is_no_internal_error():
    program = "c = 2; f(u) = abs(grad(u, c) + f(u)); f(1)"
    done = subprocess.run([sys.executable, "-m", "microcalc"], input=program, text=True,
                          capture_output=True, cwd=ROOT, timeout=120)
    assert done.returncode == 1, done.stderr
    assert "internal error" not in done.stderr
    error = [line for line in done.stderr.splitlines() if line.startswith("error:")]
    assert error == ["error: f calls itself without end: its body calls f whatever the "
                     "arguments (a call that should stop goes after 'and' or 'or', as in "
                     "f(n) = n > 0 and f(n - 1))"]
    assert done.stderr.count("in f:") == 0 and len(done.stderr) < 1000


def test_a_function_calling_itself_without_end_says_so_at_the_call():
    with pytest.raises(SourceError) as info:
        Session().run("g(x) = 1 + g(x)\ng(1)")
    assert info.value.message.startswith("g calls itself without end: its body calls g ")


def test_functions_calling_each_other_without_end_are_refused_before_any_work():
    # each level would take the derivative of a graph that grows at every level: refused
    # before the first call does anything, not after minutes
    session = Session()
    with pytest.raises(SourceError) as info:
        session.run("a = 2\ng(u) = f(grad(u, a))\nf(u) = len(g(tanh(u * a)))\ngrad(f(a), a)")
    assert info.value.message.startswith("f calls itself without end: f calls g, g calls f "
                                         "whatever the arguments")


def test_a_recursion_that_stops_after_and_or_or_runs():
    session = Session()
    session.run("f(n) = n > 0 and f(n - 1)\ng(n) = n <= 0 or h(n)\nh(n) = g(n - 1)")
    assert outputs(session, "f(150); g(90)") == ["0", "1"]


def test_a_recursion_too_deep_for_python_s_stack_is_one_error():
    # each call does much (a gradient at every level), so Python's stack ends first
    session = Session()
    session.run("c = 2; f(u) = u > 0 and abs(grad(u * c, c) + f(u - 1))")
    with pytest.raises(SourceError) as info:
        session.run("f(199)")
    assert "calls itself" in info.value.message and "in f:" not in info.value.message


# -- the language's words ---------------------------------------------------------------------

def test_calling_a_network_with_the_wrong_arguments_says_how_to_call_it():
    with pytest.raises(SourceError) as info:
        Session().run("net = mlp(2, [3, 1], seed=1)\nnet(1, 2)")
    assert info.value.message == "net takes 1 argument (a list of its 2 inputs, as in " \
                                 "net([1, 1])), got 2"


@pytest.mark.parametrize("source, message", [
    ("(-8)**(1/3)", "(-8)**(1/3): a negative number to a fractional power is not a real "
     "number"),
    ("x = -8; y = x**(1/3)", "(-8) ** 0.3333333333333333 in x**(1/3): a negative number to a "
     "fractional power is not a real number"),
    ("a = 1; a := -1; b = a ** 0.5", "(-1) ** 0.5 in a ** 0.5: a negative number to a "
     "fractional power is not a real number"),
])
def test_a_failing_operation_is_shown_as_it_was_written(source, message):
    with pytest.raises(SourceError) as info:
        Session().run(source)
    assert info.value.message == message


def test_the_old_input_note_names_each_graph_once():
    session = Session()
    session.run("a = 2; L = a * 3; N = [L, a + 1, L * 2]")
    (note,) = [e.text for e in session.run("a = 5") if e.kind == "note"]
    assert note == "L, N still use the old a (2); to change a everywhere, write a := 5"


@pytest.mark.parametrize("source, kind", [
    ("data = moons(4, seed=1); data + 1", "a data set"),
    ("net = mlp(1, [1], seed=1); -net", "a network"),
    ("f(x) = x; g = 2; g + len", None),
])
def test_values_are_named_in_the_languages_words(source, kind):
    with pytest.raises(SourceError) as info:
        Session().run(source)
    if kind:
        assert kind in info.value.message and "Dataset" not in info.value.message \
            and "MLP" not in info.value.message


# -- a huge graph in ans ------------------------------------------------------------------------

def test_a_graph_in_ans_is_sorted_once_not_on_every_change(monkeypatch):
    session = Session()
    session.run("x = 0.5; y = x; repeat 2000 { y = y * 0.5 + x }; y * 1")     # ans: y * 1
    sorts = []
    real = dependents.topological_order
    monkeypatch.setattr(dependents, "topological_order",
                        lambda root: sorts.append(root) or real(root))
    for value in (0.6, 0.7, 0.8, 0.9):
        session.run(f"x := {value}")
    assert len(sorts) == 2              # y's graph and ans's, each once
    assert outputs(session, "ans")[0] == outputs(session, "y")[0]
