"""The language's statements and expressions, run through microcalc.lang.Session.

Expected numbers come from the micrograd lecture's worked examples, from exact arithmetic, or from the same
computation written with Python floats.
"""

import math

import pytest

from microcalc.engine import Value
from microcalc.lang import Session, SourceError
from microcalc.lang.library.registry import BUILTINS, builtin
from microcalc.lang.values import GradQuery

from conftest import notes, outputs


@pytest.fixture
def s():
    return Session()


@pytest.fixture
def registered():
    """Register builtins for one test and remove them afterwards."""
    names = []

    def register(name, function, **options):
        options.setdefault("doc", "A test builtin.")
        builtin(name, **options)(function)
        names.append(name)
        return function
    yield register
    for name in names:
        del BUILTINS[name]


# -- statements and printing ------------------------------------------------------------

def test_number_assignment_makes_an_input_and_prints_nothing(s):
    assert s.run("a = 2") == []
    a = s.variables["a"]
    assert isinstance(a, Value) and a.data == 2.0 and a.operands == ()


def test_graph_assignment_prints_its_value_and_bare_expressions_print(s):
    assert outputs(s, "a = 2; b = -3; c = 10; f = -2\nL = (a*b + c) * f") == ["-8"]
    assert outputs(s, "L") == ["-8"]
    assert outputs(s, "a*b") == ["-6"]


def test_value_event_carries_the_float(s):
    (event,) = s.run("x = 3; x / 2")
    assert (event.kind, event.text, event.data) == ("value", "1.5", {"value": 1.5})


def test_statements_separated_by_newlines_and_semicolons_with_comments(s):
    source = "# a comment\nx = 1; y = 2  # trailing comment\n\n;; x + y\n"
    assert outputs(s, source) == ["3"]


def test_expression_continues_over_lines_inside_brackets(s):
    assert outputs(s, "x = (1 +\n  2\n  ) * [3,\n 4][1]") == ["12"]
    assert outputs(s, "tanh(\n0\n)") == ["0"]


def test_a_constant_expression_assigned_is_an_input_that_prints(s):
    assert outputs(s, "x = 2 * 3") == ["6"]
    assert outputs(s, "x := 7; x") == ["7"]
    assert outputs(s, "y = -2.5") == []


@pytest.mark.parametrize("source, expected", [
    ("-2**2", -4.0), ("2**3**2", 512.0), ("(-2)**2", 4.0), ("2**-1", 0.5),
    ("-2**-2", -0.25), ("2*3**2", 18.0), ("10 - 4 - 3", 3.0), ("2**2**-1", 2 ** 0.5),
    ("8 / 4 / 2", 1.0), ("1 + 2 * 3", 7.0), ("-3 * -2", 6.0), ("--2", 2.0), ("+2", 2.0),
    ("1e3 + 2.5E-1 + .5 + 3.", 1003.75), ("7 / 2", 3.5),
])
def test_precedence_and_associativity_follow_python(s, source, expected):
    (event,) = s.run(source)
    assert event.data["value"] == expected == eval(source)


def test_constants_pi_e_and_a_variable_may_shadow_e(s):
    assert outputs(s, "pi; e") == [repr(math.pi), repr(math.e)]
    assert outputs(s, "a = 2; b = -3; e = a*b; e") == ["-6", "-6"]


def test_ans_is_the_last_result(s):
    assert outputs(s, "3 * 4; ans + 1; ans * 2") == ["12", "13", "26"]
    assert outputs(s, "x = 5; L = x * 2; ans + 1") == ["10", "11"]


def test_ans_holds_the_graph_so_it_can_be_differentiated(s):
    assert outputs(s, "x = 3; x**2; grad(ans, x)") == ["9", "6"]


def test_ans_before_any_result_is_an_error(s):
    with pytest.raises(SourceError, match="no.*yet"):
        s.run("ans")


def test_strings_print_quoted_and_support_escapes(s):
    assert outputs(s, '"moons.csv"; "say \\"hi\\"\\n"') == ['"moons.csv"', '"say \\"hi\\"\\n"']
    assert s.run('name = "a\\\\b"') and s.variables["name"] == "a\\b"


def test_lists_nest_index_and_len(s):
    assert outputs(s, "xs = [1, 2.5, [3, 4]]") == ["[1, 2.5, [3, 4]]"]
    assert outputs(s, "xs[0]; xs[2][1]; xs[-1][0]; len(xs); len(xs[2]); len([])") == \
        ["1", "4", "3", "3", "2", "0"]
    assert outputs(s, "[1, 2,]; []") == ["[1, 2]", "[]"]


def test_lists_of_graphs_show_their_values_and_are_recomputed(s):
    assert outputs(s, "a = 2; ps = [a*3, a + 1]") == ["[6, 3]"]
    assert outputs(s, "a := 5; ps") == ["[15, 6]"]


def test_index_may_be_computed(s):
    assert outputs(s, "xs = [10, 20, 30]; i = 1; xs[i + 1]") == ["[10, 20, 30]", "30"]


# -- functions ------------------------------------------------------------------------

def test_function_definition_and_call_builds_a_graph(s):
    assert s.run("f(x, y) = x*y + tanh(x)") == []
    assert outputs(s, "f(1, 2)") == [repr(2 + math.tanh(1))]
    out = outputs(s, "a = 2; b = -3; g = f(a, b); grad(g, a); grad(g, b)")
    assert out == [repr(-6 + math.tanh(2)), repr(-3 + (1 - math.tanh(2) ** 2)), "2"]


def test_function_keyword_arguments_and_globals_read_at_call_time(s):
    s.run("w = 2; f(x, y) = x - y*w")
    assert outputs(s, "f(y=1, x=10); f(10, y=1)") == ["8", "8"]
    assert outputs(s, "w = 3; f(10, 1)") == ["7"]


def test_functions_call_functions_and_can_be_redefined(s):
    s.run("sq(x) = x*x; quad(x) = sq(sq(x))")
    assert outputs(s, "quad(3)") == ["81"]
    s.run("sq(x) = x + x")
    assert outputs(s, "quad(3)") == ["12"]


def test_a_function_and_a_variable_share_one_namespace(s):
    s.run("f(x) = x; f = 3")
    assert outputs(s, "f") == ["3"] and "f" not in s.functions
    s.run("f(x) = 2*x")
    assert "f" not in s.variables and outputs(s, "f(2)") == ["4"]


# -- changing inputs in place ---------------------------------------------------------

def test_set_input_recomputes_every_graph_that_uses_it(s):
    s.run("a = 2; b = -3; c = 10; f = -2; e = a*b; d = e + c; L = d * f; other = b + 1")
    assert [e.kind for e in s.run("a := 3")] == ["note"]
    assert outputs(s, "L; e; d; other; grad(L, a)") == ["-2", "-9", "1", "-2", "6"]


def test_updates_with_every_operator(s):
    s.run("a = 10; L = a * 2")
    assert outputs(s, "a += 2; L") == ["24"]
    assert outputs(s, "a -= 4; L") == ["16"]
    assert outputs(s, "a *= 3; L") == ["48"]
    assert outputs(s, "a /= 8; L") == ["6"]


def test_gradient_descent_by_hand(s):
    s.run("x = 3; L = (x - 1)**2")
    s.run("repeat 100 { x -= 0.1 * grad(L, x) }")
    assert abs(s.variables["x"].data - 1) < 1e-9
    assert s.variables["L"].data < 1e-18


def test_gradient_variables_are_recomputed_too(s):
    s.run("x = 3; y = x**3; g = grad(y, x); h = grad(g, x)")
    s.run("x := 2")
    assert outputs(s, "g; h") == ["12", "12"]


def test_update_uses_the_value_before_the_change(s):
    s.run("a = 2; b = -3; c = 10; f = -2; L = (a*b + c) * f")
    s.run("a += 0.01 * grad(L, a)")
    assert s.variables["a"].data == 2 + 0.01 * 6


def test_watchers_run_after_every_change_in_place(s):
    calls = []
    s.ctx.watchers.append(lambda: calls.append(s.variables["L"].data))
    s.run("a = 1; L = a * 10; a := 2; a += 1")
    assert calls == [20.0, 30.0]
    s.run("b = 5")
    assert calls == [20.0, 30.0]


def test_rebinding_an_input_that_graphs_use_gives_a_note(s):
    s.run("a = 2; L = a*3")
    assert notes(s, "a = 5") == \
        ["L still uses the old a (2); to change a everywhere, write a := 5"]
    assert outputs(s, "L") == ["6"]
    assert notes(s, "a = 6") == []


# -- repeat -----------------------------------------------------------------------------

def test_repeat_runs_its_block_and_only_bare_expressions_print(s):
    out = outputs(s, "i = 0\nrepeat 3 {\n  i += 1\n  j = i * 10\n  j\n}\ni")
    assert out == ["10", "20", "30", "3"]


def test_repeat_zero_times_and_nested(s):
    assert outputs(s, "n = 0; repeat 0 { n += 1 }; n") == ["0"]
    assert outputs(s, "repeat 3 { repeat 4 { n += 1 } }; n") == ["12"]
    assert outputs(s, "k = 2; repeat k + 1 { n += 1 }; n") == ["15"]


def test_repeat_count_must_be_a_whole_number(s):
    with pytest.raises(SourceError, match="whole number"):
        s.run("repeat 2.5 { 1 }")
    with pytest.raises(SourceError, match="whole number"):
        s.run("repeat -1 { 1 }")


def test_repeat_stops_at_the_first_error_keeping_what_ran(s):
    s.run("x = 3")
    with pytest.raises(SourceError, match="log"):
        s.run("repeat 5 { x -= 1; y = log(x) }")
    # x went 3 -> 2 -> 1; then x = 0 would make y = log(x) undefined, so x keeps 1.
    assert s.variables["x"].data == 1.0 and s.variables["y"].data == 0.0
    with pytest.raises(SourceError, match="x = 0 would make y undefined"):
        s.run("x -= 1")


# -- builtins, commands, keyword arguments -----------------------------------------------

def test_keyword_arguments_reach_builtins(s, registered):
    seen = []
    registered("t_noise", lambda ctx, n, noise=0.0, label="": seen.append((n, noise, label)))
    s.run('t_noise(3, noise=0.1, label="x")')
    assert seen == [(3.0, 0.1, "x")]


def test_opaque_objects_print_with_str_and_can_be_called(s, registered):
    class Net:
        def __call__(self, x):
            return x * 2

        def __str__(self):
            return "Net(2 params)"
    registered("t_net", lambda ctx: Net())
    assert outputs(s, "n = t_net()") == ["Net(2 params)"]
    assert outputs(s, "n(21)") == ["42"]


def test_builtins_returning_nothing_print_nothing(s, registered):
    registered("t_nothing", lambda ctx: None)
    assert s.run("t_nothing()") == []
    with pytest.raises(SourceError, match="no value to assign"):
        s.run("x = t_nothing()")


def test_command_statements_with_and_without_brackets(s, registered):
    seen = []
    registered("t_show", lambda ctx, *args, **kw: seen.append((args, kw)), kind="command")
    s.run("a = 2; L = a * 3")
    s.run("t_show L\nt_show(L)\nt_show (a + 1) * 2\nt_show L, a, width=40\nt_show")
    L, a = s.variables["L"], s.variables["a"]
    assert seen[:2] == [((L,), {}), ((L,), {})]
    assert seen[2][0][0].data == 6.0 and seen[2][1] == {}
    assert seen[3:] == [((L, a), {"width": 40.0}), ((), {})]


def test_commands_receive_grad_queries(s, registered):
    seen = []
    registered("t_explain", lambda ctx, query: seen.append(query), kind="command")
    s.run("a = 2; b = 3; L = a*b + a")
    s.run("t_explain grad(L, a)\nt_explain(grad(L, a, b))\nt_explain grad(L)")
    L, a, b = (s.variables[n] for n in "Lab")
    assert seen == [GradQuery(L, [a], "grad(L, a)"), GradQuery(L, [a, b], "grad(L, a, b)"),
                    GradQuery(L, [a, b], "grad(L)")]


def test_a_command_name_is_a_command_only_at_the_start_of_a_statement(s, registered):
    registered("t_cmd", lambda ctx, *args: None, kind="command")
    with pytest.raises(SourceError, match="'t_cmd' is a command and cannot be a variable"):
        s.run("t_cmd = 3")
    with pytest.raises(SourceError, match="'t_cmd' is a command: write it"):
        s.run("x = t_cmd(2)")
    s.run("repeat 2 { t_cmd 1 }; x = 1; t_cmd x")


def test_commands_registered_after_the_parser_was_built_are_recognised(s, registered):
    s.run("x = 1")                       # the parser exists (and may come from the cache)
    seen = []
    registered("t_late", lambda ctx, v: seen.append(v), kind="command")
    s.run("t_late x")
    assert seen == [s.variables["x"]]


def test_command_results_are_shown(s, registered):
    registered("t_table", lambda ctx: "line one\nline two", kind="command")
    registered("t_number", lambda ctx: 2.5, kind="command")
    events = s.run("t_table; t_number")
    assert [(e.kind, e.text) for e in events] == [("text", "line one\nline two"),
                                                  ("value", "2.5")]


# -- session API ----------------------------------------------------------------------

def test_names_reset_and_emit_callback(s):
    s.run("a = 1; f(x) = x; L = a + 1")
    assert s.names() == ["L", "a", "f"]
    seen = []
    assert s.run("L * 2", emit=seen.append) is None
    assert [e.text for e in seen] == ["4"]
    s.ctx.watchers.append(lambda: None)
    s.reset()
    assert s.names() == [] and s.ctx.watchers == []
    with pytest.raises(SourceError, match="unknown name 'a'"):
        s.run("a")


def test_to_script_replays_the_session(s):
    s.run("a = 2; b = a * 3\nf(x) = x**2")
    with pytest.raises(SourceError):
        s.run("c = log(-1)")
    s.run("repeat 2 {\n  a += 1\n}\nb")
    script = s.to_script()
    assert script == ("a = 2\nb = a * 3\nf(x) = x**2\n"
                      "# This statement stopped with an error (log(-1): log is defined only for "
                      "positive numbers); what it did before it stopped is not repeated here:\n"
                      "# c = log(-1)\n"
                      "repeat 2 {\n  a += 1\n}\nb\n")
    replay = Session()
    replay.run(script)
    assert replay.variables["a"].data == 4.0 and outputs(replay, "b; f(3)") == ["12", "9"]


def test_to_script_says_which_statements_stopped_part_of_the_way(s):
    """A loop that fails at its third pass has done two: the saved script says so rather
    than dropping it silently (its text stays, as a comment, since it would stop the script)."""
    s.run("x = 1")
    with pytest.raises(SourceError):
        s.run("repeat 5 {\n  x := x * 2\n  [1, 2, 3, 4, 5][x - 2]\n}")
    assert s.variables["x"].data == 8          # three passes changed x before the third failed
    assert s.to_script() == (
        "x = 1\n# This statement stopped with an error (index 6 is out of range: the list "
        "has 5 items (0 to 4)); what it did before it stopped is not repeated here:\n"
        "# repeat 5 {\n#   x := x * 2\n#   [1, 2, 3, 4, 5][x - 2]\n# }\n")


def test_to_script_keeps_a_statement_that_ran_in_part_with_a_comment(s):
    """A builtin that stopped early without an error (training stopped by Ctrl-C) says so."""
    s.run("x = 1")

    def stop_early():
        s.ctx.stopped_early = "training stopped by Ctrl-C at step 3 of 10"
    s.ctx.watchers.append(stop_early)          # runs inside the statement below
    s.run("x := 2")
    assert s.to_script() == ("x = 1\n# This statement ran only in part (training stopped by "
                             "Ctrl-C at step 3 of 10):\nx := 2\n")


def test_is_complete_while_brackets_or_braces_are_open(s):
    assert not s.is_complete("f(1,")
    assert not s.is_complete("xs = [1,\n 2")
    assert not s.is_complete("repeat 3 {\n  x += 1")
    assert s.is_complete("repeat 3 {\n  x += 1\n}")
    assert s.is_complete("x = 1 +")       # complete, and an error when run
    assert s.is_complete("x = )")
    assert s.is_complete("")


def test_settings_are_shared_with_builtins(s, registered):
    seen = []
    registered("t_width", lambda ctx: seen.append(ctx.settings.width))
    s.settings.width = 40
    s.run("t_width()")
    assert seen == [40]


def test_an_exception_from_the_emit_callback_reaches_the_front_end_unchanged(s):
    def closed_pipe(event):
        raise BrokenPipeError("the reader went away")
    with pytest.raises(BrokenPipeError, match="went away"):
        s.run("x = 1\nx + 1\ny = 2", emit=closed_pipe)
    assert s.names() == ["x"]
