"""Inputs at and past the limits: each ends with results or a clear error, never a crash, a
traceback or a hang.

- brackets nested 100,000 deep, and sums of 100,000 terms written out;
- a number with 100,000 digits;
- a line of 10 MB;
- overflow and NaN: a result that is not a finite number is an error, at the operation that
  made it (docs/security.md states the policy);
- a `repeat` of a billion steps, stopped by SIGINT (exit 130 in a script, the prompt again in
  the REPL, with every variable kept);
- graphs too large to draw in full: tree, explain and dot draw part of them and say so.
"""

import io
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from prompt_toolkit.history import InMemoryHistory
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput

from microcalc.errors import MicrocalcError
from microcalc.lang.errors import Source, SourceError
from microcalc.frontend.display import Display
from microcalc.frontend.repl.loop import BANNER, run_repl
from microcalc.lang import Session as new_session

from conftest import needs_graphviz

ROOT = Path(__file__).resolve().parents[1]


def run(text):
    """Run text in a fresh session: (printed texts, the SourceError or None)."""
    session = new_session()
    events = []
    try:
        session.run(text, emit=events.append)
    except SourceError as error:
        return [event.text for event in events], error
    return [event.text for event in events], None


# -- long lines in error reports -------------------------------------------------------------

def test_an_error_on_a_long_line_shows_the_part_around_it():
    line = "x = 1 + " + "1 + " * 50_000 + "nope + " + "2 + " * 50_000 + "3"
    error = Source(line).error("unknown name 'nope'", 1, line.index("nope") + 1,
                               end_column=line.index("nope") + 5)
    report = error.format().splitlines()
    assert report[0] == "error: unknown name 'nope'"
    assert all(len(row) < 200 for row in report)
    source_row, caret_row = report[2], report[3]
    caret = caret_row.index("^")
    assert source_row[caret:caret + 4] == "nope" and caret_row[caret:].strip() == "^^^^"
    assert source_row.startswith("1 | ...") and source_row.endswith("...")


def test_a_short_line_is_shown_whole():
    error = Source("y = tahn(x)").error("unknown name 'tahn'", 1, 5, end_column=9)
    assert error.format().splitlines()[2:] == ["1 | y = tahn(x)", "  |     ^^^^"]


# -- deep and long expressions --------------------------------------------------------------

@pytest.mark.slow
def test_brackets_nested_100_000_deep_are_refused_clearly():
    for opening, closing in (("[", "]"), ("f(-", ")")):
        printed, error = run("f(u) = u\nx = " + opening * 100_000 + "1" + closing * 100_000)
        assert printed == [] and error is not None
        assert error.message == "the program is nested too deeply to run"


@pytest.mark.slow
def test_redundant_brackets_100_000_deep_are_only_brackets():
    printed, error = run("(" * 100_000 + "2" + ")" * 100_000 + " * 3")
    assert (printed, error) == (["6"], None)


@pytest.mark.parametrize("terms", [500, 100_000])
@pytest.mark.slow
def test_a_sum_written_out_is_as_long_as_you_like(terms):
    """A long sum is a deep tree (1 + 2 + 3 is (1 + 2) + 3); it is not a nesting."""
    printed, error = run(" + ".join(str(k) for k in range(1, terms + 1)))
    assert error is None and printed == [str(terms * (terms + 1) // 2)]


def test_long_chains_of_every_left_grouping_operator_keep_their_meaning():
    # 1 - 1 - 1 ... is ((1 - 1) - 1) ...; 2 * 2 / 2 * 2 / 2 ... alternates; powers of
    # bracketed powers chain to the left too.
    assert run("1" + " - 1" * 2000) == (["-1999"], None)
    assert run("3" + " * 2 / 2" * 2000) == (["3"], None)
    assert run("(" * 2000 + "1" + " ** 2)" * 2000) == (["1"], None)
    printed, error = run("a = 3\nL = a" + " + a * a" * 5000 + "\ngrad(L, a)")
    assert error is None and printed == [str(3 + 5000 * 9), str(1 + 5000 * 6)]


def test_an_error_in_a_long_chain_points_at_its_operation():
    text = "y = " + "1 + 2 + " * 1000 + '"s" + 4'
    printed, error = run(text)
    assert error.message == "'+' needs two numbers, not a number and a string"
    assert (error.line, error.column, error.end_column) == (1, 5, text.index('"s"') + 4)


# -- huge numbers and lines -------------------------------------------------------------------

def test_a_number_with_100_000_digits_is_too_large_for_a_float():
    printed, error = run("x = 2\ny = x * " + "7" * 100_000)
    assert printed == [] and error.message == "this number is too large for a float"
    assert (error.line, error.column) == (2, 9)


def test_a_fraction_with_100_000_digits_is_read_to_the_nearest_float():
    assert run("0." + "3" * 100_000) == (["0.3333333333333333"], None)


def test_a_line_of_10_mb_is_refused_at_once_with_the_limit_named():
    line = "xs = [" + "1, " * 3_500_000 + "1]"
    printed, error = run("a = 1\n" + line + "\nlen(xs)")
    assert printed == []          # nothing ran: the whole input is read first
    assert error.message == (f"line 2 is {len(line):,} characters long; microcalc reads lines "
                             f"of up to 1,000,000 characters")
    assert (error.line, error.column) == (2, 1_000_001)
    assert len(error.format()) < 500


def test_a_line_of_10_mb_through_a_pipe():
    """Refused while it is read (the reader stops at the limit), in one line."""
    line = ("1 + " * (10 * 1024 * 1024 // 4)).encode()
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    done = subprocess.run([sys.executable, "-m", "microcalc"], input=line, capture_output=True,
                          timeout=120, env=env)
    assert (done.returncode, done.stdout) == (1, b"")
    assert done.stderr.decode() == ("error: cannot read <stdin>: line 1 is longer than "
                                    "1,000,000 characters, the most microcalc reads\n")


def test_a_line_just_under_the_limit_is_read():
    line = "x = 1" + " " * (1_000_000 - len("x = 1 + 2")) + " + 2"
    assert len(line) == 1_000_000
    assert run(line) == (["3"], None)


def test_the_repl_runs_a_line_past_the_limit_rather_than_reading_on():
    session = new_session()
    assert session.is_complete("(" * 1_000_001) is True       # so that the error shows
    assert session.is_complete("(" * 10) is False


# -- overflow and NaN ---------------------------------------------------------------------------
#
# The policy (docs/security.md): every number is a finite float. An operation whose result
# would be infinite or not a number is an error at that operation, which binds nothing and
# changes nothing; a derivative that is infinite or undefined where it is asked for is an
# error too. Results too small for a float round to 0, as floats do.

@pytest.mark.parametrize("expression, message", [
    ("1e308 * 10", "1e308 * 10: result too large (overflow)"),
    ("exp(1000)", "exp(1000): result too large (overflow)"),
    ("2 ** 1024", "2 ** 1024: result too large (overflow)"),
    ("-1e308 - 1e308", "-1e308 - 1e308: result too large (overflow)"),
    ("1 / 0", "1 / 0: division by zero"),
    ("0 ** -1", "0 ** -1: 0 to a negative power is undefined"),
    ("(-8) ** (1/3)", "(-8) ** (1/3): a negative number to a fractional power is "
                      "not a real number"),
    ("log(0)", "log(0): log is defined only for positive numbers"),
    ("sqrt(-1)", "sqrt(-1): sqrt is defined only for numbers >= 0"),
    ("1e309", "this number is too large for a float"),
    ("1e309 - 1e309", "this number is too large for a float"),
])
def test_a_result_that_is_not_a_finite_number_is_an_error(expression, message):
    printed, error = run(f"keep = 1\ny = {expression}")
    assert printed == [] and error.message == message


def test_no_way_to_write_nan_or_infinity():
    for name in ("nan", "inf", "NaN", "infinity"):
        assert run(name)[1].message.startswith(f"unknown name '{name}'")


def test_too_small_for_a_float_is_zero():
    assert run("1e-300 * 1e-300") == (["0"], None)
    assert run("exp(-1000)") == (["0"], None)


def test_a_change_of_input_that_would_overflow_a_graph_changes_nothing():
    session = new_session()
    session.run("a = 1e300\nL = a * 4")
    with pytest.raises(SourceError) as caught:
        session.run("a := 1e308")
    assert caught.value.message == ("a = 1e308 would make L undefined: 1e308 * 4: result "
                                    "too large (overflow); a keeps its value 1e300")
    assert [event.text for event in session.run("a; L")] == ["1e300", "4e300"]


@pytest.mark.parametrize("program, message", [
    ("x = 0\ngrad(sqrt(x), x)", "the gradient of the expression is undefined here: "
                                 "0.5 / 0: division by zero"),
    ("x = -2; y = 2\ngrad(x ** y, y)",
     "the gradient of the expression with respect to y is undefined here: the derivative of "
     "x**y with respect to y is x**y * log(x), and x = -2 is negative"),
    ("x = 5e-324; y = log(x)\ngrad(y, x)",
     "the gradient of y is undefined here: 1 / 5e-324: result too large (overflow)"),
])
def test_an_undefined_gradient_is_an_error(program, message):
    assert run(program)[1].message == message


def test_a_kink_has_the_gradient_pytorch_gives_it():
    assert run("x = 0\ngrad(relu(x), x)\ngrad(abs(x), x)") == (["0", "0"], None)


def test_training_that_diverges_stops_with_an_error_and_the_session_goes_on():
    session = new_session()
    session.run("net = mlp(2, [4, 1], seed=1); data = moons(20, seed=1); keep = 41")
    with pytest.raises(SourceError) as caught:
        session.run("train(net, data, steps=50, lr=1e300)")
    assert caught.value.message.endswith(": result too large (overflow)")
    assert [event.text for event in session.run("keep + 1")] == ["42"]


# -- pictures -----------------------------------------------------------------------------------

@pytest.mark.parametrize("program", [
    "plot [1, 2, 3], width=1e9", "plot [1, 2, 3], height=1e9",
    "net = mlp(2, [2, 1], seed=1); boundary net, moons(10), width=1e9",
    "net = mlp(2, [2, 1], seed=1); boundary net, moons(10), height=1e9",
])
def test_a_picture_too_large_for_any_screen_is_refused(program):
    printed, error = run(program)
    assert error.message in ("width= must be a whole number from 2 to 1000, not 1000000000",
                             "height= must be a whole number from 2 to 1000, not 1000000000")


@pytest.mark.slow
def test_a_picture_of_the_largest_size_is_drawn():
    printed, error = run("plot [1, 2, 3], width=1000, height=1000")
    assert error is None and len(printed[0].splitlines()) == 1002


@pytest.mark.parametrize("program", [
    "plot [1e308, -1e308]",
    "boundary mlp(2, [2, 1], seed=1), dataset([[1e308, 0], [-1e308, 1]], [1, -1])",
])
def test_numbers_too_far_apart_for_one_axis_are_refused(program):
    printed, error = run(program)
    assert error.message == "these numbers are too far apart to draw on one axis " \
                            "(from -1e308 to 1e308)"


# -- graphs too large to draw in full ------------------------------------------------------------

# 100,000 additions that all use a: 100,001 nodes, as deep as there are additions.
HUGE_GRAPH = "a = 1\nx = a\nrepeat 100000 { x = x + a }\n"


def picture_events(program):
    session = new_session()
    events = []
    session.run(program, emit=events.append)
    return [event for event in events if event.kind in ("text", "note")]


def test_tree_of_a_huge_graph_draws_200_lines_and_says_so():
    (picture,) = picture_events(HUGE_GRAPH + "tree x")
    lines = picture.text.splitlines()
    assert len(lines) == 1 + 13 + 12 + 1     # header, 13 levels of +, the a under each, footer
    assert lines[-1] == "14 of 100,001 nodes shown: cut at depth 12 (raise with depth=N)"


def test_explain_of_a_huge_graph_summarises_and_says_so():
    (picture,) = picture_events(HUGE_GRAPH + "explain grad(x, a)")
    assert picture.text.startswith("dx/da by the chain rule: 100,001 paths from x down to a")
    assert picture.text.splitlines()[-1] == "dx/da = 100001  (the sum of the contributions)"
    assert "… and 99,981 more edges into it, included in the sum" in picture.text
    assert len(picture.text.splitlines()) < 40


def test_dot_of_a_huge_graph_draws_the_200_nodes_nearest_the_output_and_says_so():
    picture, note = picture_events(HUGE_GRAPH + "dot x")
    boxes = [line for line in picture.text.splitlines() if "shape=record" in line]
    assert len(boxes) == 200 and picture.data["total"] == 100_001
    assert '"{ x | value 100001 | grad 1 }"' in picture.text
    assert "..." in picture.text          # where operands were left out
    assert note.text == ("dot drew 200 of 100,001 nodes, those nearest x "
                         "(dot x, nodes=N draws more)")


def test_dot_draws_every_node_when_asked():
    picture, = picture_events("a = 1\nx = a\nrepeat 300 { x = x + a }\ndot x, nodes=1000")
    assert len([line for line in picture.text.splitlines() if "shape=record" in line]) == 301


@needs_graphviz
def test_graphviz_draws_part_of_a_huge_graph(tmp_path):
    """Graphviz itself needs minutes to lay out a hundred nodes that all share one input (it
    gave up after its 120 s timeout), unless its layout is bounded."""
    image = tmp_path / "x.svg"
    wrote, note = picture_events(HUGE_GRAPH + f'dot x, "{image}", nodes=100')
    assert wrote.text == f"wrote {image}" and note.text.startswith("dot drew 100 of 100,001")
    assert "<svg" in image.read_text()


# -- a billion steps ---------------------------------------------------------------------------

BILLION = "x = 0\nL = x * 2\nx + 41\nrepeat 1000000000 { x := x + 1 }\nx\n"


@pytest.mark.parametrize("door", ["script", "pipe", "-e"])
def test_a_billion_steps_stop_at_sigint_with_status_130(door, tmp_path):
    script = tmp_path / "billion.mg"
    script.write_text(BILLION)
    args = {"script": [str(script)], "pipe": [], "-e": ["-e", BILLION]}[door]
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    process = subprocess.Popen([sys.executable, "-m", "microcalc", *args],
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, env=env)
    try:
        process.stdin.write(BILLION.encode() if door == "pipe" else b"")
        process.stdin.close()
        process.stdin = None                     # communicate() has nothing more to send
        first = process.stdout.readline()
        second = process.stdout.readline()       # the loop has started once this arrives
        process.send_signal(signal.SIGINT)
        rest, errors = process.communicate(timeout=60)
    finally:
        process.kill()
    assert (first, second, rest, errors) == (b"0\n", b"41\n", b"", b"interrupted\n")
    assert process.returncode == 130


def test_a_billion_steps_in_the_repl_stop_at_ctrl_c_and_every_variable_is_kept():
    session = new_session()
    shown = io.StringIO()
    finished = threading.Event()

    def press_ctrl_c_while_the_loop_runs():
        # SIGINT at the prompt would only clear the line: wait until x has counted up, and
        # press again if a second later it still counts (the first press was lost).
        seen = None
        while not finished.wait(0.05):
            x = session.variables.get("x")
            if x is None or x.data <= 100 or x.data == seen:
                continue
            os.kill(os.getpid(), signal.SIGINT)
            finished.wait(1.0)
            seen = x.data

    # Earlier tests in the same process may leave another SIGINT handler installed.
    previous_handler = signal.signal(signal.SIGINT, signal.default_int_handler)
    with create_pipe_input() as pipe:
        pipe.send_text(BILLION.replace("\n", "\r") + "L - 2*x\r")
        pipe.close()
        presser = threading.Thread(target=press_ctrl_c_while_the_loop_runs)
        presser.start()
        try:
            run_repl(session, Display(shown, shown), history=InMemoryHistory(), input=pipe,
                     output=DummyOutput())
        finally:
            finished.set()
            presser.join()
            signal.signal(signal.SIGINT, previous_handler)
    printed = shown.getvalue().split(BANNER + "\n", 1)[1].splitlines()
    assert printed[:3] == ["0", "41", "interrupted"]
    steps = float(printed[3])
    assert steps > 100 and steps.is_integer()   # whole steps: none is left half done
    assert printed[4:] == ["0"]                 # and L was recomputed with the last x


# -- sizes: networks, data sets, pictures, printed lists, memory ---------------------------------
#
# Each limit is checked before anything is built, so that asking for a billion of something
# is an error at once rather than minutes of work and all the memory (docs/security.md).

@pytest.mark.parametrize("program, message", [
    ("mlp(2, [10000, 10000, 1])", "MLP(2, [10000, 10000, 1]) would have 100,050,001 "
                                  "parameters; a network has at most 1,000,000"),
    ("mlp(1e6, [1])", "MLP(1000000, [1]) would have 1,000,001 parameters; a network has at "
                      "most 1,000,000"),
    ("moons(1e9)", "a data set holds at most 100,000 examples, not 1,000,000,000"),
    ("xor(100001)", "a data set holds at most 100,000 examples, not 100,001"),
    ("blobs(10, centers=1e9)", "a data set needs at least 1,000,000,000 examples, not 10"),
    ("blobs(1e9, centers=1e9)", "a data set holds at most 100,000 examples, "
                                "not 1,000,000,000"),
    ("spirals(1e9, classes=3)", "a data set holds at most 100,000 examples, "
                                "not 1,000,000,000"),
    ("a = 1; x = tanh(a); tree x, depth=1e9", "depth= must be a whole number from 0 to "
                                              "1000, not 1000000000"),
    ("a = 1; x = tanh(a); tree x, nodes=1e9", "nodes= must be a whole number from 1 to "
                                              "10000, not 1000000000"),
    ("a = 1; x = tanh(a); watch x, depth=1e9", "depth= must be a whole number from 0 to "
                                               "1000, not 1000000000"),
    ("a = 1; x = tanh(a); dot x, nodes=1e9", "nodes= must be a whole number from 1 to "
                                             "10000, not 1000000000"),
    ("a = 1; x = tanh(a); explain x, a, paths=1e9", "paths= must be a whole number from 1 "
                                                    "to 10000, not 1000000000"),
])
def test_a_size_past_its_limit_is_refused_at_once_naming_the_limit(program, message):
    printed, error = run(program)
    assert error is not None and error.message == message


@pytest.mark.slow
def test_the_largest_network_is_made():
    printed, error = run("net = mlp(999999, [1])\nlen(parameters(net))")
    assert (printed, error) == (["MLP(999999, [1]): 1000000 parameters", "1000000"], None)


def test_the_largest_generated_data_set_is_made():
    printed, error = run("moons(100000)")
    assert (printed, error) == (["moons: 100000 examples, 2 inputs, classes -1, 1"], None)


@pytest.mark.slow
def test_a_data_set_of_too_many_numbers_is_refused():
    from microcalc.nn import Dataset
    with pytest.raises(MicrocalcError, match="a data set holds at most 1,000,000 numbers"):
        Dataset([[0.0] * 99] * 10_001, [0.0] * 10_001)
    with pytest.raises(MicrocalcError, match="at most 100,000 examples, not more than"):
        Dataset(([0.0] for _ in range(100_001)), [0.0] * 100_001)


def test_a_tree_of_the_deepest_kind_is_drawn_to_its_limit():
    printed, error = run("a = 1; x = a\nrepeat 1200 { x = tanh(x) }\ntree x, depth=1000, "
                         "nodes=10000")
    lines = printed[-1].splitlines()
    assert error is None and len(lines) == 1 + 1001 + 1
    assert lines[-1] == "1,001 of 1,201 nodes shown: cut at depth 1000 (raise with depth=N)"


SHARED = "xs = [1, 2]\nrepeat 40 { xs = [xs, xs] }\n"     # 2**41 numbers, 41 lists


@pytest.mark.parametrize("statement", ["xs", "value(xs)", "round(xs, 1)", "ys = value(xs)"])
def test_a_list_shared_2_to_the_40_times_prints_its_first_10_000_items(statement):
    session = new_session()
    events = []
    session.run(SHARED + statement, emit=events.append)
    (event,) = [e for e in events if e.kind == "value"][-1:]
    text = event.text
    assert text.startswith("[" * 41 + "1, 2], [1, 2]], ")
    assert text.count("...") == 1 and text.rstrip("]").endswith("...")
    numbers, lists = text.count("1") + text.count("2"), text.count("[") - 1
    assert numbers + lists == 10_000              # items shown, the lists inside counted
    assert event.data["cut"] == "only the first 10,000 items are shown"
    data = event.data["value"]
    for _ in range(40):
        data = data[0]
    assert data == [1.0, 2.0]


def test_a_long_flat_list_prints_its_first_10_000_numbers_and_a_short_one_all():
    numbers = [str(k % 7) for k in range(10_001)]
    printed, error = run("[" + ", ".join(numbers) + "]")
    assert error is None and printed[0] == "[" + ", ".join(numbers[:10_000]) + ", ...]"
    exactly = "[" + ", ".join(["1"] * 10_000) + "]"
    assert run(exactly) == ([exactly], None)
    assert run("[1, [2, [3, []]], \"s\"]") == (['[1, [2, [3, []]], "s"]'], None)


MEMORY_HEADROOM = 80 * 2**20


def run_under_memory_cap(program, headroom=MEMORY_HEADROOM):
    """`microcalc -e program` in a process that may use only `headroom` bytes of address
    space more than it has once the language is loaded."""
    code = (
        "import resource, sys\n"
        "from microcalc.frontend.cli import main\n"
        "from microcalc.lang import Session\n"
        "Session().run('1')\n"
        "size = next(int(l.split()[1]) * 1024 for l in open('/proc/self/status')\n"
        "            if l.startswith('VmSize:'))\n"
        f"resource.setrlimit(resource.RLIMIT_AS, (size + {headroom}, size + {headroom}))\n"
        "sys.exit(main(sys.argv[1:]))\n")
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-c", code, "-e", program], capture_output=True,
                          text=True, timeout=300, env=env)


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads /proc/self/status")
@pytest.mark.parametrize("program, message", [
    ("keep = 1\nnet = mlp(2, [997, 997, 1])", "error: mlp ran out of memory"),
    ("keep = 1\nxs = 1\nrepeat 100000000 { xs = [xs] }",
     "error: this statement ran out of memory"),
])
@pytest.mark.slow
def test_running_out_of_memory_is_one_clear_error(program, message):
    done = run_under_memory_cap(program)
    assert (done.returncode, done.stdout) == (1, ""), done.stderr
    assert done.stderr.splitlines()[0] == message


@pytest.mark.slow
def test_a_function_that_recurses_through_grad_is_refused_before_it_fills_memory():
    """f(u) = f(f(grad(u, b) / b)) would double its graph at every call: it calls itself
    whatever its argument, so it is refused at its first call, under a memory cap too: one
    line, status 1, never an empty message or status 70."""
    done = run_under_memory_cap("b = 2\nf(u) = f(f(grad(u, b) / b))\nf(b)",
                                headroom=300 * 2**20)
    assert done.returncode == 1, done.stderr
    first = done.stderr.splitlines()[0]
    assert first.startswith("error: f calls itself without end: its body calls f "), first