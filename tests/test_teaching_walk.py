"""`backward L` and `table L`: backpropagation walked node by node and the lecture's table.

The exact outputs of the three worked examples (the expression L, the tanh neuron, the
neuron with tanh written through exp, where e = exp(2*n) is a shared node) are compared in
pipe mode with tests/golden/teaching/; independently of those files, the gradients the walk
ends with are the worked examples' answers, every local derivative agrees with a central
difference of its op, and a shared node's running total is the sum of its contributions.
"""

import csv
import io
import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest

from microcalc.engine import FUNCTIONS, OPS, Value, grad, topological_order
from microcalc.errors import MicrocalcError
from microcalc.lang import Session
from microcalc.lang.errors import SourceError
from microcalc.render import backward, chain_table
from microcalc.render.backprop import Walk
from microcalc.render.textbook import csv_text, latex, markdown
from conftest import lecture_expression, lecture_neuron

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = ROOT / "tests" / "golden" / "teaching"

EXPRESSION = "a = 2; b = -3; c = 10; f = -2\ne = a*b; d = e + c; L = d*f\n"
NEURON = ("x1 = 2; x2 = 0; w1 = -3; w2 = 1; b = 6.8813735870195432\n"
          "n = x1*w1 + x2*w2 + b; o = tanh(n)\n")
TANH_EXP = ("x1 = 2; x2 = 0; w1 = -3; w2 = 1; b = 6.8813735870195432\n"
            "n = x1*w1 + x2*w2 + b; e = exp(2*n); o = (e - 1)/(e + 1)\n")
# name -> (program, output, the lines the program itself prints before the command)
EXAMPLES = {"expression": (EXPRESSION, "L", 3), "neuron": (NEURON, "o", 2),
            "tanh_exp": (TANH_EXP, "o", 3)}
# The worked examples' gradients (the micrograd lecture's answers).
ANSWERS = {"expression": {"L": 1, "f": 4, "d": -2, "c": -2, "e": -2, "b": -4, "a": 6},
           "neuron": {"o": 1, "n": 0.5, "x1": -1.5, "w1": 1, "x2": 0.5, "w2": 0, "b": 0.5},
           "tanh_exp": {"o": 1, "n": 0.5, "x1": -1.5, "w1": 1, "x2": 0.5, "w2": 0, "b": 0.5}}


def microcalc(*args, stdin=""):
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-m", "microcalc", *args], input=stdin,
                          capture_output=True, text=True, timeout=120, env=env)


def piped(name, command):
    program, output, printed = EXAMPLES[name]
    run = microcalc(stdin=program + f"{command} {output}\n")
    assert run.returncode == 0 and run.stderr == "", run.stderr
    lines = run.stdout.split("\n")
    return "\n".join(lines[printed:])


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_backward_in_a_pipe_prints_every_step_exactly(name):
    assert piped(name, "backward") == (GOLDEN / f"backward_{name}.out").read_text("utf-8")


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_table_in_a_pipe_prints_the_lecture_table_exactly(name):
    assert piped(name, "table") == (GOLDEN / f"table_{name}.out").read_text("utf-8")


def test_the_lecture_table_reads_as_the_lecture_writes_it():
    table = (GOLDEN / "table_expression.out").read_text("utf-8").splitlines()
    rows = {line.split()[0]: line for line in table[1:]}
    assert list(rows) == ["L", "f", "d", "c", "e", "b", "a"]      # from L down to the inputs
    assert "dL/dd · dd/dc = -2 × 1" in rows["c"] and rows["c"].endswith("-2")
    assert "dL/de · de/db = -2 × 2" in rows["b"] and rows["b"].endswith("-4")
    assert "dL/de · de/da = -2 × (-3)" in rows["a"] and rows["a"].endswith("6")
    assert "dL/df = d = 4" in rows["f"]


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_the_walk_ends_with_the_worked_examples_gradients(name):
    program, output, _ = EXAMPLES[name]
    run = microcalc("--json", stdin=program + f"backward {output}\n")
    event = json.loads(run.stdout.strip().split("\n")[-1])
    assert event["data"]["command"] == "backward"
    gradients = dict(event["data"]["gradients"])
    for node, answer in ANSWERS[name].items():
        assert gradients[node] == pytest.approx(answer, abs=1e-12), node
    assert event["data"]["agrees_with_grad"] is True
    assert f"\nevery gradient now equals grad({output}):\n" in event["text"]


def test_json_steps_are_the_walk():
    run = microcalc("--json", stdin=EXPRESSION + "backward L\n")
    steps = json.loads(run.stdout.strip().split("\n")[-1])["data"]["steps"]
    assert [s["node"] for s in steps] == ["L", "f", "d", "c", "e", "b", "a"]
    first = steps[0]
    assert first["gradient"] == 1 and first["op"] == "mul"
    assert [(i["operand"], i["local"], i["adds"], i["total"]) for i in first["into"]] == [
        ("d", -2, -2, -2), ("f", 4, 4, 4)]
    assert steps[1]["into"] == []                  # f is an input: nothing below it


def _walk(name):
    if name == "expression":
        values, names = lecture_expression()
        return Walk(values["L"], names)
    values, names = lecture_neuron()
    if name == "neuron":
        return Walk(values["o"], names)
    n = values["n"]
    e = (2 * n).exp()
    o = (e - 1) / (e + 1)
    names = {**names, e: "e", o: "o"}
    return Walk(o, names)


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_every_local_derivative_is_the_ops_slope(name):
    """Each local derivative the walk uses agrees with a central difference of the op's own
    forward rule at the operands' values: the walk's numbers are the registry's."""
    walk = _walk(name)
    checked = 0
    for step in walk.steps:
        node = step.node
        for c in step.contributions:
            args = [x.data for x in node.operands]
            h = 1e-6 * max(1.0, abs(args[c.index]))
            up, down = list(args), list(args)
            up[c.index] += h
            down[c.index] -= h
            slope = (node.op.forward(*up) - node.op.forward(*down)) / (2 * h)
            assert c.local == pytest.approx(slope, rel=1e-6, abs=1e-8)
            assert c.adds == step.gradient * c.local
            checked += 1
    assert checked == sum(len(s.node.operands) for s in walk.steps) > 0


def test_a_shared_node_adds_up_its_contributions():
    walk = _walk("tanh_exp")
    e = next(s.node for s in walk.steps if walk.names.text(s.node) == "e")
    into_e = [c for s in walk.steps for c in s.contributions if c.operand is e]
    assert len(into_e) == 2                           # from e - 1 and from e + 1
    assert into_e[0].before is None and into_e[1].before == into_e[0].total
    assert into_e[1].total == into_e[0].adds + into_e[1].adds
    assert walk.gradients[e] == into_e[1].total == grad(walk.output, e)
    text = backward(walk.output, lambda v: walk.names.given.get(v))
    assert (f"e.grad = -0.103553 + 0.146447 = 0.0428932") in text


def test_the_walk_is_the_engines_backward_and_changes_nothing():
    values, names = lecture_neuron()
    o = values["o"]
    order = topological_order(o)
    before = [(v.data, v.grad) for v in order]
    walk = Walk(o, names)
    assert [(v.data, v.grad) for v in order] == before      # no .grad field touched
    o.backward()                                           # micrograd's own pass
    assert all(walk.gradients[v] == v.grad for v in order)
    assert walk.agrees


def test_running_totals_grow_step_by_step():
    values, names = lecture_expression()
    walk = Walk(values["L"], names)
    assert walk.totals_after(0) == {values["L"]: 1.0, values["d"]: -2.0, values["f"]: 4.0}
    assert values["a"] not in walk.totals_after(3)
    assert walk.totals_after(len(walk) - 1) == walk.gradients


def test_one_node_used_twice_by_one_op_and_an_input_alone():
    a = Value(3.0)
    walk = Walk(a * a, {a: "a"})
    step = walk.steps[0]
    assert [c.index for c in step.contributions] == [0, 1]
    assert step.contributions[1].total == 6.0
    text = backward(a * a, {a: "a"})
    assert "dout/da [u]" in text and "a.grad = 3 + 3 = 6" in text
    lone = backward(a, {a: "a"})
    assert "1. a = 3, an input;  da/da = 1 to start" in lone
    assert chain_table(a * a, {a: "a"}).data["rows"][1]["chain"] == \
        "dout/da [u] + dout/da [v] = 3 + 3"


def test_long_walks_are_cut_and_say_how_to_see_more():
    x = Value(1.0)
    y = x
    for _ in range(30):
        y = y * 1.01
    text = backward(y, {x: "x"}, steps=5)
    assert "… 56 more steps not shown (raise with steps=N)" in text
    assert len(backward(y, {x: "x"}, steps=5).data["steps"]) == 5
    with pytest.raises(SourceError, match="steps= must be a whole number, at least 1"):
        Session().run("x = 1; y = x*2; backward y, steps=0")


def test_backward_and_table_need_a_graph():
    with pytest.raises(SourceError, match="backward needs a graph"):
        Session().run("backward 3")
    with pytest.raises(MicrocalcError, match="backward walks a Value's graph"):
        Walk(3.0)


def test_table_files_markdown_csv_latex(scratch_folder):
    session = Session()
    events = session.run(EXPRESSION + 'table L, "t.md"\ntable L, "t.csv"\ntable L, "t.tex"')
    notes = [e.text for e in events if e.kind == "note"]
    assert notes == ["wrote the table of L to t.md (Markdown)",
                     "wrote the table of L to t.csv (CSV)",
                     "wrote the table of L to t.tex (LaTeX)"]
    md = (scratch_folder / "t.md").read_text("utf-8").splitlines()
    assert md[0] == "| node | op | local derivative | chain | grad |"
    assert all(line.count(" | ") == 4 for line in md[2:]) and len(md) == 2 + 7
    assert md[2] == r"| L | \* |   | dL/dL = 1 | 1 |"
    rows = list(csv.reader(io.StringIO((scratch_folder / "t.csv").read_text("utf-8"))))
    assert rows[0] == ["node", "op", "local derivative", "chain", "grad"]
    assert {row[0]: float(row[4]) for row in rows[1:]} == ANSWERS["expression"]
    tex = (scratch_folder / "t.tex").read_text("utf-8").splitlines()
    assert tex[0] == r"\begin{tabular}{llllr}" and tex[-1] == r"\end{tabular}"
    assert r"c &  & dd/dc = 1 & dL/dd $\cdot$ dd/dc = -2 $\times$ 1 & -2 \\" in tex
    with pytest.raises(SourceError, match="table writes .md, .csv, .tex files"):
        session.run('table L, "t.pdf"')
    with pytest.raises(SourceError, match="cannot write"):
        session.run('table L, "no/such/folder/t.md"')


def test_latex_and_markdown_escape_what_they_must():
    x = Value(2.0)
    y = x * x
    data = chain_table(y, {x: "my_x|%", y: "y"}).data
    assert r"my\_x|\%" in latex(data)
    assert r"my_x\|%" in markdown(data)
    assert "my_x|%" in csv_text(data)


def test_sliders_outside_a_terminal_is_a_clear_error():
    run = microcalc(stdin=NEURON + "sliders o\n")
    assert run.returncode == 1
    assert "error: sliders needs a terminal" in run.stderr
    assert "Traceback" not in run.stderr
    session = Session()
    session.ctx.screens["sliders"] = lambda *args: pytest.fail("no inputs to slide")
    with pytest.raises(SourceError, match="sliders moves the named inputs of y, and it has"):
        session.run("x = 2; y = x * 3; x = 5; sliders y")  # y's input is no longer x


def test_the_three_commands_are_in_help():
    run = microcalc("-e", "x = 1")
    assert run.returncode == 0
    from microcalc.lang.library import BUILTINS
    for name in ("backward", "table", "sliders"):
        assert BUILTINS[name].kind == "command" and BUILTINS[name].category == "graph"
    assert BUILTINS["backward"].signature == "backward L, steps=200"
    assert BUILTINS["table"].signature == "table L, [path]"


def test_every_op_can_be_walked():
    """Every registered op shows up in a walk with its formula, at a point where it is
    defined: nothing in the walk is written for particular ops."""
    for op in OPS.values():
        args = [Value(1.7 if op.name == "acosh" else 0.7), Value(1.3)][:op.arity]   # in its domain
        out = FUNCTIONS[op.name](*args)
        walk = Walk(out, {a: f"x{i}" for i, a in enumerate(args)})
        assert walk.agrees, op.name
        first = walk.steps[0]
        assert [c.rule.split(" = ")[1] for c in first.contributions] == list(op.formulas)
        assert math.isfinite(walk.gradients[args[0]])


def test_tree_without_constants_and_with_true_and_false():
    session = Session()
    events = session.run("x = 0.5\ny = tanh(2*x) + 1\ntree y, constants=false\n"
                         "tree y, constants=true\ntrue + false")
    hidden, shown, truth = events[1].text, events[2].text, events[3].text
    assert hidden.splitlines()[-1] == "2 constants not shown (constants=true shows them)"
    assert [line.split()[-2] for line in shown.splitlines()[1:]].count("2") == 1
    assert "└─ *" in hidden and "├─ 2" not in hidden and len(hidden.splitlines()) == 6
    assert events[1].data["constants_hidden"] == 2 and truth == "1"
    with pytest.raises(SourceError, match="constants= \\(true or false\\) must be a whole "
                                          "number from 0 to 1, not 2"):
        session.run("tree y, constants=2")


def test_a_tree_can_show_running_totals_and_mark_nodes():
    from microcalc.render import tree
    values, names = lecture_expression()
    walk = Walk(values["L"], names)
    picture = tree(values["L"], names, gradients=walk.totals_after(0),
                   marks={values["L"]: "<- here"})
    lines = picture.splitlines()
    assert lines[1] == "L (*)           -8     1  <- here"
    assert lines[3] == "│  ├─ e (*)     -6"                 # no gradient has arrived yet
    assert picture.data["marked_lines"] == [0]
    coloured = tree(values["L"], names, color=True, marks={values["e"]: "now"})
    assert "\x1b[7m" in coloured.splitlines()[3]             # highlighted: reverse video
