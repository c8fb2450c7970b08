"""Errors: their messages, where they point (line and column), and that they lose nothing."""

import pytest

from microcalc.errors import MicrocalcError
from microcalc.lang import Session, SourceError
from microcalc.lang.library.registry import BUILTINS, builtin


def error_of(source, setup="", filename="<input>"):
    session = Session()
    if setup:
        session.run(setup)
    with pytest.raises(SourceError) as info:
        session.run(source, filename=filename)
    return info.value


def test_report_has_message_location_line_and_caret_under_the_span():
    err = error_of("x = 1\ny = 2\nL = tanhh(x)", filename="script.mg")
    assert isinstance(err, MicrocalcError)
    assert (err.filename, err.line, err.column) == ("script.mg", 3, 5)
    assert err.source_line == "L = tanhh(x)"
    assert err.message == "unknown name 'tanhh' (did you mean tanh?)"
    assert err.format() == (
        "error: unknown name 'tanhh' (did you mean tanh?)\n"
        " --> script.mg:3:5\n"
        "3 | L = tanhh(x)\n"
        "  |     ^^^^^")


def test_gutter_widens_with_the_line_number_and_tabs_keep_the_caret_aligned():
    err = error_of("\n" * 11 + "\tx = 1 +* 2")
    lines = err.format().splitlines()
    assert lines[1] == "  --> <input>:12:9"
    assert lines[2] == "12 |     x = 1 +* 2"
    assert lines[3] == "   |            ^"


# (source, message, line, column, underlined text)
CASES = [
    # syntax
    ("x = (1 + 2\ny = 3", "unclosed '(' (missing ')')", 1, 5, "("),
    ("f(1, 2", "unclosed '(' (missing ')')", 1, 2, "("),
    ("xs = [1, 2", "unclosed '[' (missing ']')", 1, 6, "["),
    ("repeat 2 {\n  x = 1", "unclosed '{' (missing '}')", 1, 10, "{"),
    ("x = 1 +", "missing operand after '+', found end of input", 1, 8, ""),
    ("x = 1 + \ny = 2", "missing operand after '+'", 1, 8, ""),
    ("x = 2 * * 3", "missing operand after '*', found '*'", 1, 9, "*"),
    ("x = ", "missing operand after '=', found end of input", 1, 4, ""),
    ("x = ()", "missing value after '(', found ')'", 1, 6, ")"),
    ("2 3", "missing operator between '2' and '3' (write 2 * 3 to multiply)", 1, 3, "3"),
    ("y = 2x", "missing operator between '2' and 'x' (write 2 * x to multiply)", 1, 6, "x"),
    ("f(1 2)", "missing ',' or operator between '1' and '2'", 1, 5, "2"),
    ("1 + 2)", "unmatched ')'", 1, 6, ")"),
    ("(1]", "unmatched ']'", 1, 3, "]"),
    ("2 $ 3", "unexpected character '$'", 1, 3, "$"),
    ('s = "abc', "unclosed string (missing '\"' before the end of the line)", 1, 5, '"'),
    ("repeat 3 x", "expected '{' to start the repeat block, found 'x'", 1, 10, "x"),
    ("repeat = 3", "'repeat' is a keyword and cannot be a variable name", 1, 1, "repeat"),
    ("x = 1e999", "this number is too large for a float", 1, 5, "1e999"),
    # names and assignment
    ("y = 2\nz = yy + 1", "unknown name 'yy' (did you mean y?)", 2, 5, "yy"),
    ("qqq", "unknown name 'qqq'", 1, 1, "qqq"),
    ("tanh = 3", "'tanh' is a builtin function and cannot be assigned; choose another name",
     1, 1, "tanh"),
    ("grad(x) = x", "'grad' is a builtin function and cannot be assigned; choose another name",
     1, 1, "grad"),
    ("ans = 1", "'ans' is the last result and cannot be assigned", 1, 1, "ans"),
    ("xs = [1]; xs[0] = 3", "only a name can be on the left of '=' (here: xs[0]), as in x = 2;"
     " or a function definition, as in f(x) = x**2", 1, 11, "xs[0]"),
    ("f(x, x) = x", "parameter 'x' appears twice", 1, 6, "x"),
    ("f(2) = 1", "a function's parameters must be plain names, as in f(x, y) = x*y", 1, 3, "2"),
    ("x = tanh", "'tanh' is a function: call it, as in tanh(x)", 1, 5, "tanh"),
    # := and updates
    ("a = 1; L = a*2; L := 3",
     "L is not an input: it is computed from other values; change one of its inputs instead (a)",
     1, 17, "L"),
    ("zz := 3", "unknown name 'zz'", 1, 1, "zz"),
    ("xs = [1]; xs := 2", ":= changes an input (a number), and xs is a list", 1, 11, "xs"),
    ("a = 1; a += [1]", "+= needs a number, not a list", 1, 13, "[1]"),
    ("a = 1; L = log(a); a := -1",
     "a = -1 would make L undefined: log(-1): log is defined only for positive numbers;"
     " a keeps its value 1", 1, 20, "a := -1"),
    ("a = 1; a /= 0", "1 / 0: division by zero", 1, 8, "a /= 0"),
    # calls
    ("tanh(1, 2)", "tanh takes 1 argument, got 2", 1, 1, "tanh(1, 2)"),
    ("exp()", "exp takes 1 argument, got 0", 1, 1, "exp()"),
    ("tanh(x=1)", "tanh takes no keyword arguments", 1, 1, "tanh(x=1)"),
    ("tanh([1, 2])", "tanh needs a number, not a list", 1, 1, "tanh([1, 2])"),
    ("f(x, y) = x*y\nf(1)", "f takes 2 arguments, got 1", 2, 1, "f(1)"),
    ("f(x) = x\nf(1, z=2)", "f has no parameter 'z'", 2, 1, "f(1, z=2)"),
    ("f(x) = x\nf(1, x=2)", "f got two values for 'x'", 2, 1, "f(1, x=2)"),
    ("len(1, 2)", "len takes 1 argument, got 2", 1, 1, "len(1, 2)"),
    ("len(3)", "len needs a list, not a number", 1, 1, "len(3)"),
    ("grad()", "grad takes at least 1 argument, got 0", 1, 1, "grad()"),
    ("tanh(1, x=2)", "tanh takes no keyword arguments", 1, 1, "tanh(1, x=2)"),
    ("f(a=1, 2)", "a positional argument cannot follow keyword arguments", 1, 8, "2"),
    ("tanh(x=1, x=2)", "keyword argument 'x' is given twice", 1, 11, "x=2"),
    ("a = 1; a(2)", "'a' is a number, not a function (write a * (...) to multiply)", 1, 8, "a"),
    ("g(x) = g(x)\ng(1)", "g calls itself without end: its body calls g whatever the "
     "arguments (a call that should stop goes after 'and' or 'or', as in f(n) = n > 0 and "
     "f(n - 1))", 2, 1, "g(1)"),
    ("f(n) = n > 0 and f(n - 1)\nf(500)", "f calls itself more than 200 deep, the deepest "
     "calls may nest", 1, 18, "f(n - 1)"),
    # domain errors, at the operation
    ("x = 0\ny = 3 + log(x)", "log(0): log is defined only for positive numbers", 2, 9, "log(x)"),
    ("1 + 1/0", "1/0: division by zero", 1, 5, "1/0"),
    ("x = 0; 1 + 1/x", "1 / 0 in 1/x: division by zero", 1, 12, "1/x"),
    ("sqrt(-4)", "sqrt(-4): sqrt is defined only for numbers >= 0", 1, 1, "sqrt(-4)"),
    ("(-8)**(1/3)", "(-8)**(1/3): a negative number to a fractional power is not a real number",
     1, 1, "(-8)**(1/3)"),
    ("x = -8; x**(1/3)", "(-8) ** 0.3333333333333333 in x**(1/3): a negative number to a "
     "fractional power is not a real number", 1, 9, "x**(1/3)"),
    ("exp(1000)", "exp(1000): result too large (overflow)", 1, 1, "exp(1000)"),
    ("10**400", "10**400: result too large (overflow)", 1, 1, "10**400"),
    ("1e300 * 1e300", "1e300 * 1e300: result too large (overflow)", 1, 1, "1e300 * 1e300"),
    # types
    ("[1] + 2", "'+' needs two numbers, not a list and a number", 1, 1, "[1] + 2"),
    ('-"a"', "'-' needs a number, not a string", 1, 1, '-"a"'),
    ("x = 3; x[0]", "only a list can be indexed, and x is a number", 1, 8, "x"),
    ("[1, 2][2]", "index 2 is out of range: the list has 2 items (0 to 1)", 1, 8, "2"),
    ("[1, 2][0.5]", "an index must be a whole number, not 0.5", 1, 8, "0.5"),
    ("repeat [1] { 1 }", "repeat needs a whole number of times (0 or more), not a list", 1, 8,
     "[1]"),
]


@pytest.mark.parametrize("source, message, line, column, underlined", CASES,
                         ids=[c[1][:40] for c in CASES])
def test_error_message_and_position(source, message, line, column, underlined):
    err = error_of(source)
    assert err.message == message
    assert (err.line, err.column) == (line, column)
    report = err.format().splitlines()
    assert len(report) == 4
    caret_line = report[3]
    start = caret_line.index("^")
    shown_line = report[2].split(" | ", 1)[1]
    gutter = len(report[2]) - len(shown_line)
    carets = caret_line[start:]
    assert set(carets) == {"^"}
    if underlined:
        assert shown_line[start - gutter:start - gutter + len(carets)] == underlined
    else:    # something missing: the caret sits just after the end of the line
        assert start - gutter >= len(shown_line.rstrip())


def test_commands_cannot_be_assigned_or_used_in_expressions():
    builtin("t_err_cmd", "A test command.", kind="command")(lambda ctx, *a: None)
    try:
        err = error_of("t_err_cmd = 2")
        assert err.message == "'t_err_cmd' is a command and cannot be a variable name"
        assert err.column == 1
        err = error_of("x = 1 + t_err_cmd(2)")
        assert err.message == "'t_err_cmd' is a command: write it at the start of a statement," \
                              " as in t_err_cmd a..."
        assert err.column == 9
    finally:
        del BUILTINS["t_err_cmd"]


def test_an_unknown_keyword_argument_suggests_the_parameter_meant():
    assert error_of("net = mlp(2, [1], seed=1); data = moons(10)\n"
                    "train(net, data, step=5)").message == \
        "train has no parameter step= (did you mean steps=?)"
    assert error_of("round(2.5, digit=1)").message == \
        "round has no parameter digit= (did you mean digits=?)"


def test_python_exceptions_from_builtins_become_source_errors():
    def broken(ctx, x):
        return {}["missing"]

    def picky(ctx, x):
        return x + "text"
    builtin("t_broken", "A test builtin.")(broken)
    builtin("t_picky", "A test builtin.")(picky)
    try:
        err = error_of("y = 1\nt_broken(y)")
        assert err.message == "t_broken: 'missing'" and (err.line, err.column) == (2, 1)
        err = error_of("t_picky(2)")
        assert err.message.startswith("t_picky cannot work with these arguments (a number): ")
        err = error_of("t_picky(x=2, y=3)")
        assert err.message == "t_picky has no parameter y= (it takes x=)"
        err = error_of("t_picky(2, x=3)")
        assert err.message.startswith("wrong arguments for t_picky: ")
        assert err.message.endswith("(it is called as t_picky(x))")
    finally:
        del BUILTINS["t_broken"], BUILTINS["t_picky"]


def test_errors_inside_functions_point_at_the_call_and_name_the_function():
    err = error_of("f(x) = log(x)\ng(x) = 1 + f(x)\ny = 2\ng(-y)")
    assert err.message == "in g: in f: log(-2): log is defined only for positive numbers"
    assert (err.line, err.column) == (4, 1)


def test_a_function_deep_in_its_own_calls_is_named_once():
    # log fails ten calls deep: the message names f once, not ten times.
    err = error_of("f(u) = u > 0 and f(u - 1) + log(u - 5)\nf(10)")
    assert err.message == "in f: log(-4): log is defined only for positive numbers"
    assert (err.line, err.column) == (2, 1)


# -- nothing is lost --------------------------------------------------------------------

def test_a_syntax_error_runs_nothing_of_the_input():
    session = Session()
    with pytest.raises(SourceError) as info:
        session.run("a = 5\nb = a * 2\nc = (")
    assert info.value.line == 3
    assert session.names() == []


def test_a_compile_error_runs_nothing_either():
    session = Session()
    with pytest.raises(SourceError, match="builtin"):
        session.run("a = 5\nexp = 3")
    assert session.names() == []


def test_statements_before_a_runtime_error_have_run_and_nothing_is_lost():
    session = Session()
    session.run("a = 1; L = a * 2")
    events = []
    with pytest.raises(SourceError) as info:
        session.run("b = 2\nL2 = L + b\nc = log(-b)\nd = 4", emit=events.append)
    assert info.value.line == 3
    assert [e.text for e in events] == ["4"]
    assert session.names() == ["L", "L2", "a", "b"]


def test_a_failing_statement_binds_nothing():
    session = Session()
    session.run("x = 3; y = x * 2")
    with pytest.raises(SourceError):
        session.run("y = x + log(-x)")
    assert session.variables["y"].data == 6.0
    with pytest.raises(SourceError):
        session.run("f(x) = x +* 1")
    with pytest.raises(SourceError):
        session.run("x := log(-1)")
    assert session.variables["x"].data == 3.0


def test_a_failing_update_restores_the_input_and_every_graph():
    session = Session()
    session.run("a = 2; b = 1; L = log(a - b); M = a * 10; g = grad(M, a)")
    with pytest.raises(SourceError, match="would make L undefined"):
        session.run("a := 1")
    assert session.variables["a"].data == 2.0
    assert [e.text for e in session.run("L; M; g")] == ["0", "20", "10"]


def test_keyboard_interrupt_propagates_and_restores_a_half_done_update():
    session = Session()
    session.run("a = 2; L = a * 3")

    def interrupt():
        raise KeyboardInterrupt
    session.ctx.watchers.append(interrupt)
    with pytest.raises(KeyboardInterrupt):
        session.run("a := 5")
    session.ctx.watchers.clear()
    assert session.variables["a"].data == 5.0    # the change itself was complete
    assert [e.text for e in session.run("L")] == ["15"]


def test_watcher_errors_are_reported_as_source_errors():
    session = Session()

    def failing():
        raise MicrocalcError("the picture does not fit")
    session.ctx.watchers.append(failing)
    session.run("a = 1")
    with pytest.raises(SourceError, match="the picture does not fit") as info:
        session.run("a := 2")
    assert info.value.column == 1


# -- the new forms and Python's habits -------------------------------------------------------

HABITS = [
    ("for i in range(3): i", "unexpected character ':' (a block is written in braces: "
     "for i in range(3) { ... })", 1, 18, ":"),
    ("x = 1\nif x > 0:\n  x", "unexpected character ':' (a block is written in braces: "
     "if x > 0 { ... })", 2, 9, ":"),
    ("a = 2; L = a * 3\na.grad", "unexpected character '.' (there are no attributes: write "
     "grad(L, a) for a's gradient, the derivative of L by a)", 2, 2, "."),
    ("a = 2; L = a * 3\nL.grad", "unexpected character '.' (there are no attributes: "
     "grad(L) lists the gradient of L by each input, and grad(L, a) is the derivative of L "
     "by a)", 2, 2, "."),
    ("a = 2\na.data", "unexpected character '.' (there are no attributes: write value(a) "
     "for the number a holds)", 2, 2, "."),
    ("a = 2; L = a * 3\nL.backward()", "unexpected character '.' (there are no methods: "
     "grad(L) lists the gradient of L by each input)", 2, 2, "."),
    ("x = 2\nx.tanh()", "unexpected character '.' (there are no methods: write tanh(x))",
     2, 2, "."),
    ("import math", "'import': there is nothing to import: every builtin is always there, "
     "and a function of your own is one line, as in f(x) = x**2", 1, 1, "import"),
    ("def f(x): x**2", "'def': there is no def: define a function in one line, as in "
     "f(x) = x**2 + 1", 1, 1, "def"),
    ("f = lambda x: x**2", "'lambda': there is no lambda: define a function by name, as in "
     "f(x) = x**2", 1, 5, "lambda"),
    ("while 1 { 1 }", "'while': there is no while: use repeat N { ... } or for x in xs "
     "{ ... }", 1, 1, "while"),
    ("x = 1\nprint x", "print is a function: write print(x), or x alone to see it", 2, 1,
     "print"),
    ("True", "unknown name 'True': write true (it is 1, as a comparison that holds gives)", 1,
     1, "True"),
    ("a < b < c", "comparisons do not chain: write a < b and b < c", 1, 7, "<"),
    ("x = 1\nif x { 1 }\nelse { 2 }", "else goes on the line of the '}' that ends the if "
     "block: if c { ... } else { ... }", 3, 1, "else"),
    ("if 1 { 1 } else 2", "expected '{' or 'if' after else, found '2'", 1, 17, "2"),
    ("for 3 in [1] { }", "for needs a variable name before in, as in for x in xs { ... }",
     1, 5, "3"),
    ("for x y in [1] { }", "expected 'in' after the loop's variables (as in for x, y in data "
     "{ ... }), found 'y'", 1, 7, "y"),
    ("for x in [1] x", "expected '{' to start the for block, found 'x'", 1, 14, "x"),
    ("if 1 2", "expected '{' to start the if block, found '2'", 1, 6, "2"),
    ("in = 3", "'in' is a keyword and cannot be a variable name", 1, 1, "in"),
    ("f(x) = x\nf'", "f' is a derivative: give it the point in brackets, as in f'(2)", 2, 1,
     "f'"),
    ("x = 2!", "unexpected character '!' (write not x for not, != for not equal; there is "
     "no factorial)", 1, 6, "!"),
]


@pytest.mark.parametrize("source, message, line, column, underlined", HABITS,
                         ids=[c[1][:40] for c in HABITS])
def test_python_habits_and_misused_forms_get_a_pointer(source, message, line, column,
                                                       underlined):
    err = error_of(source)
    assert (err.message, err.line, err.column) == (message, line, column)
    assert err.source_line[err.column - 1:err.end_column - 1] == underlined


def test_print_works_as_a_python_user_expects():
    events = Session().run('x = 2\nprint(x)\nprint("x is", x, [x, 1])\nprint()')
    assert [(e.kind, e.text) for e in events] == [("text", "2"), ("text", "x is 2 [2, 1]"),
                                                  ("text", "")]


# -- the snapshot trap ----------------------------------------------------------------------

def test_the_lectures_exercise_typed_verbatim_now_warns():
    session = Session()
    events = session.run("h = 0.0001; a = 2; b = -3; c = 10; d1 = a*b + c; c += h; "
                         "d2 = a*b + c; (d2 - d1)/h")
    assert [(e.kind, e.text) for e in events] == [
        ("value", "4"),
        ("note", "changing c also changed d1, which is computed from c; to keep a number as "
                 "it was, snapshot it before the change: d1 = value(d1)"),
        ("value", "4.0001"), ("value", "0")]


def test_the_note_is_given_once_per_graph_and_never_inside_a_loop():
    session = Session()
    session.run("a = 1; L = a * 2")
    assert [e.kind for e in session.run("a := 2")] == ["note"]
    assert session.run("a := 3") == []                   # L was named once already
    session.run("L = a * 3")                             # a new graph under the same name
    assert [e.kind for e in session.run("a += 1")] == ["note"]
    session.run("M = a * 4")
    assert session.run("repeat 2 { a += 1 }; for k in [1] { a -= k }; "
                       "if 1 { a := 1 }") == []
    assert [e.text.split(",")[0] for e in session.run("a := 5")] == \
        ["changing a also changed M"]


def test_a_change_that_recomputes_nothing_named_says_nothing():
    session = Session()
    session.run("a = 1; b = 2; L = b * 2")
    assert session.run("a := 5") == []


# -- the REPL keeps its state through every new kind of error --------------------------------

def test_the_repl_keeps_every_variable_after_errors_in_the_new_forms():
    import io

    from prompt_toolkit.history import InMemoryHistory
    from prompt_toolkit.input import create_pipe_input
    from prompt_toolkit.output import DummyOutput

    from microcalc.frontend.display import Display
    from microcalc.frontend.repl.loop import run_repl
    session = Session()
    shown = io.StringIO()
    keys = ("a = 2\rfor x in 3 { }\rif [1] { }\rf(x, y) = x\rf'(1)\r"
            "ps = [a * 2]\rps[0] -= 1\ra + 1\r\x04")
    with create_pipe_input() as pipe:
        pipe.send_text(keys)
        status = run_repl(session, Display(shown, shown), history=InMemoryHistory(),
                          input=pipe, output=DummyOutput())
    printed = shown.getvalue()
    assert status == 0 and "Traceback" not in printed
    assert printed.count("error:") == 4
    assert printed.rstrip().endswith("3")
    assert session.variables["a"].data == 2.0
